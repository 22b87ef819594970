// Every example's documented commands, run exactly as written (from the comments at the top of
// each file, in a copy of the repository's layout), in the order the examples give: the reference
// first, then the JEST run that points at it. The experiments are shrunk (3 steps, at most 300
// examples per source) so that this takes seconds; the commands, paths and folders are the user's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { applyEdits, modify, parseTree, type Node } from 'jsonc-parser';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'out', 'src', 'cli.js');
const EXAMPLES = path.join(ROOT, 'examples');

/** The `jest-studio …` command lines in a file's leading comments. */
function documentedCommands(text: string): string[][] {
  const header = text.slice(0, text.indexOf('{'));
  return [...header.matchAll(/jest-studio ((?:train|resume|validate|precompute-reference) [^\n]*)/g)].map((m) => m[1].trim().split(/\s+/));
}

function shrink(text: string): string {
  const edits: [(string | number)[], number][] = [[['training', 'steps'], 3]];
  const walk = (n: Node, at: (string | number)[]) => {
    if (n.type === 'object') for (const p of n.children ?? []) walk(p.children![1], [...at, p.children![0].value as string]);
    if (n.type === 'array') (n.children ?? []).forEach((c, i) => walk(c, [...at, i]));
    if (at.at(-1) === 'max' && typeof n.value === 'number' && n.value > 300) edits.push([at, 300]);
  };
  walk(parseTree(text)!, []);
  for (const [p, v] of edits) text = applyEdits(text, modify(text, p, v, {}));
  return text;
}

test('the examples\' documented commands work as written, reference first', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-examples-'));
  fs.mkdirSync(path.join(work, 'examples'));
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.jest.json'));
  const steps: { file: string; args: string[] }[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(EXAMPLES, f), 'utf8');
    fs.writeFileSync(path.join(work, 'examples', f), shrink(text));
    for (const args of documentedCommands(text)) steps.push({ file: f, args });
  }
  assert.ok(steps.length >= files.length, `every example documents its command (${steps.map((s) => s.file).join(', ')})`);
  // a reference's own experiment (selection uniform) comes before the runs that use it
  const usesReference = (f: string) => /"reference":\s*\{\s*"run"/.test(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
  steps.sort((a, b) => Number(usesReference(a.file)) - Number(usesReference(b.file)));
  const env = { ...process.env, JEST_STUDIO_CACHE: path.join(work, 'cache') };
  for (const s of steps) {
    const r = spawnSync(process.execPath, [CLI, ...s.args], { cwd: work, env, encoding: 'utf8' });
    assert.equal(r.status, 0, `jest-studio ${s.args.join(' ')} (from ${s.file}) exited with ${r.status}:\n${r.stderr.split('\n').slice(-6).join('\n')}`);
  }
  // the JEST run scored with the reference the first command trained
  const runs = fs.readdirSync(path.join(work, 'runs'));
  const jest = runs.find((n) => n.startsWith('jest-icons-'));
  assert.ok(jest, `runs: ${runs.join(', ')}`);
  const config = JSON.parse(fs.readFileSync(path.join(work, 'runs', jest, 'config.json'), 'utf8'));
  assert.equal(config.reference.run, path.join(work, 'runs', 'reference-emoji'));
  assert.match(fs.readFileSync(path.join(work, 'runs', jest, 'log.txt'), 'utf8'), /reference: encoders image_encoder\.onnx \+ text_encoder\.onnx/);
});
