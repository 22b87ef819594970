// The main job, shrunk (20 steps, 200 icons, 50 held-out images): it writes its comparison to
// report.md and report.json in its own runs folder (with the machine it ran on) as well as to
// stdout, and prints each run's last progress line once, with the final evaluation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { DemoReport } from '../../src/cli/demo-report';

const CLI = path.resolve(__dirname, '../../src/cli.js');

test('jest-studio demo: the report files, the same table as stdout, one last progress line per run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-demo-'));
  const r = spawnSync(process.execPath, [CLI, 'demo', '--steps', '20', '--pool-icons', '200', '--eval-max', '50', '--eval-every', '10', '--runs', path.join(dir, 'runs')], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, JEST_STUDIO_CACHE: path.join(dir, 'cache') },
  });
  assert.equal(r.status, 0, r.stderr.split('\n').slice(-5).join('\n'));
  const [demo] = fs.readdirSync(path.join(dir, 'runs'));
  assert.match(demo, /^demo-\d{8}-\d{6}$/);
  const root = path.join(dir, 'runs', demo);
  assert.deepEqual(fs.readdirSync(root).sort(), ['jest', 'reference-emoji', 'report.json', 'report.md', 'uniform']);

  const report = JSON.parse(fs.readFileSync(path.join(root, 'report.json'), 'utf8')) as DemoReport;
  assert.equal(report.machine.cores, os.cpus().length);
  assert.equal(report.machine.node, process.version);
  assert.equal(report.settings.steps, 20);
  assert.equal(report.comparison.rows.map((x) => x.name).join(), 'uniform,jest');
  const md = fs.readFileSync(path.join(root, 'report.md'), 'utf8');
  assert.ok(md.includes(`on ${report.machine.cpu}, ${report.machine.cores} cores`));
  // the table on stdout is the table in the report
  const table = r.stdout.slice(r.stdout.indexOf('target: '), r.stdout.indexOf('\n\nJEST FLOPs'));
  assert.ok(table.length > 100 && md.includes(table), 'stdout\'s comparison table is in report.md');
  assert.match(r.stdout, new RegExp(`Report: ${path.join(root, 'report.md').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  for (const [label, key] of [['reference', 'reference'], ['uniform', 'uniform'], ['jest', 'jest']] as const) {
    const last = r.stderr.split('\n').filter((l) => l.startsWith(`${label} [`) && l.includes(' 20/20 '));
    assert.equal(last.length, 1, `${label}'s last progress line is printed once: ${last.join(' | ')}`);
    assert.ok(last[0].includes(`zero-shot/top5 ${(report.runs[key].final * 100).toFixed(1)}%`), `with the final evaluation: ${last[0]}`);
  }
});
