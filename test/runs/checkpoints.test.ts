// The checkpoint ring (src/runs/checkpoints.ts): the latest and the K - 1 before it are kept, a
// corrupt latest falls back to the one before, and a checkpoint that cannot fit is refused before
// a byte is written, naming how much it needs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Checkpoint } from '../../src/runtime/checkpoint';
import { checkpointBytes, checkpointStep, loadRunCheckpoint, saveRunCheckpoint } from '../../src/runs/checkpoints';

const MODEL = { imageSize: 16, patchSizes: [4], width: 8, depth: 1, heads: 1, mlpRatio: 1, embedDim: 4, vocabSize: 8, seqLen: 2 };
function ckpt(step: number): Checkpoint {
  const a = (n: number) => Float32Array.from({ length: n }, (_, i) => step + i);
  return { model: MODEL, optimizer: { lr: 1, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, clipNorm: 0 } as never, state: { params: { decay: a(100), plain: a(10) }, m: { decay: a(100), plain: a(10) }, v: { decay: a(100), plain: a(10) }, step }, extra: {} };
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'jest-ckpt-'));

test('keep 3: the latest and the two before it, no more; each names its step', async () => {
  const dir = tmp();
  for (const s of [10, 20, 30, 40, 50]) await saveRunCheckpoint(dir, ckpt(s), 3);
  const files = fs.readdirSync(path.join(dir, 'checkpoints')).sort();
  assert.deepEqual(files, ['latest.ckpt', 'step-000030.ckpt', 'step-000040.ckpt']);
  assert.equal(checkpointStep(path.join(dir, 'checkpoints', 'latest.ckpt')), 50);
  assert.equal(checkpointStep(path.join(dir, 'checkpoints', 'step-000030.ckpt')), 30);
  await saveRunCheckpoint(dir, ckpt(60), 1);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoints')), ['latest.ckpt'], 'keep 1: only the latest');
});

test('a corrupt or truncated latest falls back to the newest readable one, saying why', async () => {
  const dir = tmp();
  for (const s of [10, 20, 30]) await saveRunCheckpoint(dir, ckpt(s), 3);
  const latest = path.join(dir, 'checkpoints', 'latest.ckpt');
  fs.truncateSync(latest, fs.statSync(latest).size - 7);
  const older = path.join(dir, 'checkpoints', 'step-000020.ckpt');
  const b = fs.readFileSync(older);
  b[b.length - 1] ^= 1;
  fs.writeFileSync(older, b);
  const r = await loadRunCheckpoint(dir);
  assert.equal(r?.checkpoint.state.step, 10);
  assert.equal(r?.file, path.join('checkpoints', 'step-000010.ckpt'));
  assert.deepEqual(r?.skipped.map((s) => s.file), [path.join('checkpoints', 'latest.ckpt'), path.join('checkpoints', 'step-000020.ckpt')]);
  assert.match(r!.skipped[0].reason, /truncated/);
  assert.match(r!.skipped[1].reason, /checksum/);
});

test('no checkpoint: null; only unreadable ones: an error listing each and the way out', async () => {
  const dir = tmp();
  assert.equal(await loadRunCheckpoint(dir), null);
  fs.mkdirSync(path.join(dir, 'checkpoints'));
  fs.writeFileSync(path.join(dir, 'checkpoints', 'latest.ckpt'), 'not a checkpoint');
  await assert.rejects(loadRunCheckpoint(dir), /no checkpoint of .* can be read: .*bad magic.*Move the checkpoints folder aside to start this run again from step 0/);
});

test('the space a checkpoint needs is its payload and a bound on its header', async () => {
  const dir = tmp();
  const c = ckpt(1);
  await saveRunCheckpoint(dir, c, 1);
  const size = fs.statSync(path.join(dir, 'checkpoints', 'latest.ckpt')).size;
  const need = checkpointBytes(c);
  assert.ok(need >= size && need < size + 8192, `${need} vs ${size}`);
});
