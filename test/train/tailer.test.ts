// The live tailer sees every event a writer appends, once, including lines written in pieces.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../src/runs/events';
import { RUN_FILES, RunWriter } from '../../src/runs/folder';
import { RunTailer, listRuns, readRun } from '../../src/runs/reader';
import { tempRoot } from './helpers';

test('the tailer delivers appended events once, holding a partial line until it is complete', async () => {
  const dir = path.join(await tempRoot('tail'), 'run');
  const w = RunWriter.create(dir, 'tail', { any: 'config' }, 'test');
  const seen: RunEvent[] = [];
  const t = new RunTailer(dir, (es) => seen.push(...es), 10);
  t.poll();
  w.emit({ type: 'log', level: 'info', message: 'héllo ✓' });
  w.emit({ type: 'status', status: 'running', step: 0 });
  t.poll();
  assert.deepEqual(seen.map((e) => e.type), ['log', 'status']);
  assert.equal((seen[0] as { message: string }).message, 'héllo ✓');
  // a line written in two pieces, split inside a multi-byte character
  const line = Buffer.from(JSON.stringify({ v: 1, time: 1, type: 'log', level: 'warn', message: 'naïve' }) + '\n');
  const cut = line.indexOf(Buffer.from('ï')) + 1;
  fs.appendFileSync(path.join(dir, RUN_FILES.metrics), line.subarray(0, cut));
  t.poll();
  assert.equal(seen.length, 2);
  fs.appendFileSync(path.join(dir, RUN_FILES.metrics), line.subarray(cut));
  t.poll();
  assert.equal(seen.length, 3);
  assert.equal((seen[2] as { message: string }).message, 'naïve');
  t.poll();
  assert.equal(seen.length, 3, 'nothing is delivered twice');
  w.close();
  assert.equal(readRun(dir).events.length, 3);
});

test('listRuns finds runs directly in the runs folder and in group folders one level down (demo, bench:jest), newest first', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-list-'));
  const mk = (rel: string, mtime: number) => {
    fs.mkdirSync(path.join(root, rel), { recursive: true });
    fs.writeFileSync(path.join(root, rel, 'run.json'), '{}');
    fs.utimesSync(path.join(root, rel, 'run.json'), mtime, mtime);
  };
  mk('a', 1000);
  mk('bench-jest-full/uniform-s0', 3000);
  mk('bench-jest-full/jest-s0', 2000);
  fs.mkdirSync(path.join(root, 'empty-group'));
  fs.mkdirSync(path.join(root, 'deep/group/run'), { recursive: true });
  fs.writeFileSync(path.join(root, 'deep/group/run/run.json'), '{}');
  assert.deepEqual(
    listRuns(root).map((d) => path.relative(root, d)),
    ['bench-jest-full/uniform-s0', 'bench-jest-full/jest-s0', 'a'],
  );
  fs.rmSync(root, { recursive: true, force: true });
});
