// A run stopped at step k and resumed produces the same metrics, bit for bit, as one run straight
// through (JEST selection, cached reference, snapshots and checkpoints all in play). A NaN loss
// stops the run with a message and keeps the last good checkpoint.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint } from '../../src/runtime/checkpoint';
import type { RunEvent } from '../../src/runs/events';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { experiment, tempRoot } from './helpers';

/** What must match between runs: everything but wall-clock timings and ids. */
function comparable(events: RunEvent[]): unknown[] {
  return events.flatMap((e) => {
    if (e.type === 'step') return [{ t: 'step', step: e.step, loss: e.loss, lr: e.lr, gradNorm: e.gradNorm, flops: e.flops, selection: e.selection }];
    if (e.type === 'eval') return [{ t: 'eval', step: e.step, metrics: e.metrics, flops: e.flops, set: e.set }];
    if (e.type === 'snapshot') return [{ t: 'snapshot', step: e.step }];
    return [];
  });
}

test('stop at step k, resume: the same metrics bit for bit as a straight run', async () => {
  const root = await tempRoot('resume');
  const cacheRoot = path.join(root, 'cache');
  const refExp = experiment({ name: 'reference' });
  refExp.data.train = refExp.data.curated!;
  refExp.training.steps = 60;
  await runTraining(refExp, { runDir: path.join(root, 'ref'), resume: false, cacheRoot });

  const e = experiment({ name: 'jest' });
  e.training.steps = 60;
  e.evaluation.every = 20;
  e.snapshotEvery = 10;
  e.checkpointEvery = 20;
  e.selection = { ...e.selection, method: 'jest', score: 'learnability', filterRatio: 0.8, chunks: 8 };
  e.reference = { run: path.join(root, 'ref'), encoders: null, cacheEmbeddings: true };

  const straight = await runTraining(e, { runDir: path.join(root, 'straight'), resume: false, cacheRoot });
  assert.equal(straight.status, 'finished', straight.message);

  const stop = new AbortController();
  const first = await runTraining(e, {
    runDir: path.join(root, 'stopped'),
    resume: false,
    cacheRoot,
    signal: stop.signal,
    onEvent: (ev) => {
      if (ev.type === 'step' && ev.step === 27) stop.abort();
    },
  });
  assert.equal(first.status, 'stopped');
  assert.equal(first.step, 27);
  assert.equal(readRun(first.runDir).status?.status, 'stopped');
  const resumed = await runTraining(e, { runDir: path.join(root, 'stopped'), resume: true, cacheRoot });
  assert.equal(resumed.status, 'finished', resumed.message);

  const a = comparable(readRun(straight.runDir).events);
  const b = comparable(readRun(resumed.runDir).events);
  assert.equal(a.length, b.length);
  assert.deepEqual(b, a);
  // the resumed run finished with exported encoders, like the straight one
  assert.ok(fs.existsSync(path.join(resumed.runDir, 'models', 'image_encoder.onnx')));
});

test('a NaN loss stops the run with a clear message and keeps the last good checkpoint', async () => {
  const root = await tempRoot('nan');
  const e = experiment({ name: 'diverge' });
  e.data.train = e.data.curated!;
  e.data.eval = [];
  e.training.steps = 200;
  e.optimizer = { ...e.optimizer, lr: 1e38, warmupSteps: 0, schedule: 'constant', clipNorm: 0 };
  e.checkpointEvery = 1;
  const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
  assert.equal(r.status, 'failed');
  assert.match(r.message!, /the loss became (NaN|-?Infinity|non-finite in its gradient \(loss [^)]*\)) at step \d+ .* last good checkpoint is kept in checkpoints\/latest\.ckpt\. Lower optimizer\.lr/);
  const ck = await loadCheckpoint(path.join(r.runDir, 'checkpoints', 'latest.ckpt'));
  assert.ok(ck.state.step < r.step + 1);
  assert.ok(ck.state.params.decay.every(Number.isFinite), 'the kept checkpoint holds finite parameters');
  assert.equal(readRun(r.runDir).status?.status, 'failed');
});
