// Checkpoints: exact resume, clear errors for another model's checkpoint and for corrupt files,
// and no half-written file left behind.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint';
import { TrainingSession } from '../../src/runtime/training-session';
import { Rng } from '../../src/util/rng';
import { rows, syntheticSet } from '../helpers/synthetic-batches';

const MODEL = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 };
const set = syntheticSet(16 * 8, 16, 4, 9);
const batch = (s: number) => {
  const b = rows(set, (s % 8) * 16, 16, 16, 4);
  // alternate single- and mixed-resolution steps, as Flexi-JEST does
  return s % 2
    ? { images: [{ patchSize: 4, pixels: b.pixels.subarray(0, 8 * 768) }, { patchSize: 8, pixels: b.pixels.subarray(8 * 768) }], tokens: b.tokens }
    : { images: [{ patchSize: 4, pixels: b.pixels }], tokens: b.tokens };
};
const tmpdir = () => fs.mkdtemp(path.join(os.tmpdir(), 'jest-ckpt-'));

test('stopping at step k and resuming from the checkpoint matches a straight run bit for bit', async () => {
  const dir = await tmpdir();
  const opts = { model: MODEL, optimizer: DEFAULT_ADAMW, seed: 4, runtime: { device: 'cpu' as const, threads: 1 } };
  const straight = await TrainingSession.create(opts);
  const lossesA: number[] = [];
  for (let s = 0; s < 12; s++) lossesA.push((await straight.runTrainStep(batch(s), 2e-3)).loss);
  const finalA = await straight.getContiguousParameters();

  const first = await TrainingSession.create(opts);
  const lossesB: number[] = [];
  for (let s = 0; s < 5; s++) lossesB.push((await first.runTrainStep(batch(s), 2e-3)).loss);
  const rng = new Rng(42);
  rng.uniform();
  await saveCheckpoint(path.join(dir, 'step5.ckpt'), { model: MODEL, optimizer: DEFAULT_ADAMW, state: await first.getState(), extra: { rng: rng.state() } });
  await first.release();

  const ck = await loadCheckpoint(path.join(dir, 'step5.ckpt'), { model: MODEL });
  assert.equal(ck.state.step, 5);
  assert.deepEqual(new Rng(ck.extra.rng as [number, number, number, number]).uniform(), rng.uniform());
  const resumed = await TrainingSession.create({ ...opts, seed: 999 }); // different init: the checkpoint must override it
  await resumed.loadState(ck.state);
  for (let s = 5; s < 12; s++) lossesB.push((await resumed.runTrainStep(batch(s), 2e-3)).loss);
  const finalB = await resumed.getContiguousParameters();
  assert.deepEqual(lossesB, lossesA);
  assert.deepEqual(finalB.decay, finalA.decay);
  assert.deepEqual(finalB.plain, finalA.plain);
  await Promise.all([straight.release(), resumed.release()]);
});

test('loading a checkpoint into a model of another shape fails naming the fields', async () => {
  const dir = await tmpdir();
  const s = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, runtime: { device: 'cpu', threads: 1 } });
  const file = path.join(dir, 'a.ckpt');
  await saveCheckpoint(file, { model: MODEL, optimizer: DEFAULT_ADAMW, state: await s.getState(), extra: {} });
  await assert.rejects(loadCheckpoint(file, { model: { ...MODEL, width: 64 } }), /another shape \(model\.width: checkpoint 32, requested 64\)/);
  const bigger = await TrainingSession.create({ model: { ...MODEL, depth: 2 }, optimizer: DEFAULT_ADAMW, runtime: { device: 'cpu', threads: 1 } });
  await assert.rejects(bigger.loadState((await loadCheckpoint(file)).state), /do not fit this model: the decay group holds \d+ values, the model needs \d+/);
  await Promise.all([s.release(), bigger.release()]);
});

test('a corrupt or truncated checkpoint is refused with a clear message', async () => {
  const dir = await tmpdir();
  const s = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, runtime: { device: 'cpu', threads: 1 } });
  const file = path.join(dir, 'c.ckpt');
  await saveCheckpoint(file, { model: MODEL, optimizer: DEFAULT_ADAMW, state: await s.getState(), extra: {} });
  const bytes = await fs.readFile(file);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 3] ^= 0xff;
  await fs.writeFile(file, flipped);
  await assert.rejects(loadCheckpoint(file), /does not match its checksum/);
  await fs.writeFile(file, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(loadCheckpoint(file), /truncated/);
  await fs.writeFile(file, 'hello');
  await assert.rejects(loadCheckpoint(file), /not a JEST Studio checkpoint/);
  await s.release();
});

test('a failed write leaves the previous checkpoint intact and no temporary file', async () => {
  const dir = await tmpdir();
  const s = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, runtime: { device: 'cpu', threads: 1 } });
  const file = path.join(dir, 'keep.ckpt');
  const state = await s.getState();
  await saveCheckpoint(file, { model: MODEL, optimizer: DEFAULT_ADAMW, state, extra: { n: 1 } });
  // An extra value that cannot be serialised makes the write fail part-way (like a full disk would).
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(saveCheckpoint(file, { model: MODEL, optimizer: DEFAULT_ADAMW, state, extra: cyclic }));
  assert.deepEqual((await loadCheckpoint(file)).extra, { n: 1 });
  assert.deepEqual(await fs.readdir(dir), ['keep.ckpt']);
  await s.release();
});
