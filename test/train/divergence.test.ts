// The divergence guard: a learning rate far too high stops the run with a clear message at the
// leap (even with clipping keeping every number finite); healthy learning rates train on.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { DivergenceGuard } from '../../src/train/divergence';
import { loadCheckpoint } from '../../src/runtime/checkpoint';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { experiment, tempRoot } from './helpers';

test('the guard: a loss 4x its first is divergence; a falling or noisy one is not', () => {
  const g = new DivergenceGuard();
  for (const [i, l] of [12, 10, 13, 8, 6, 14, 5, 40].entries()) assert.equal(g.observe(l, i + 1), undefined);
  assert.match(g.observe(49, 9) ?? '', /the loss leapt to 49\.0 at step 9, over 4x its 12\.0 at the start/);
});

/** 150 steps of the tiny model at this learning rate, clipping on. */
async function trainAt(lr: number) {
  const root = await tempRoot('lr');
  const e = experiment({ name: `lr-${lr}` });
  e.data.eval = [];
  e.training.steps = 150;
  e.optimizer = { ...e.optimizer, lr, clipNorm: 1 };
  return runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
}

for (const lr of [3, 30, 100, 1000]) {
  test(`lr ${lr} with clipping (finite numbers throughout) is stopped as diverged, with what to change`, async () => {
    const r = await trainAt(lr);
    assert.equal(r.status, 'failed');
    assert.ok(r.step < 50, `stopped at step ${r.step}`);
    assert.match(r.message!, new RegExp(`^training diverged: the loss leapt to .* at step \\d+, over 4x .* Fix: lower optimizer\\.lr \\(now ${lr}\\), raise optimizer\\.warmupSteps \\(now 10\\), then start a new run`));
    assert.equal(readRun(r.runDir).status?.status, 'failed');
  });
}

test('a resumed run is judged against the run\'s first loss, kept in the checkpoint', async () => {
  const restored = new DivergenceGuard(12);
  assert.equal(restored.observe(40, 101), undefined, 'under 4x the first loss (12), wherever the resume starts');
  assert.match(restored.observe(49, 102) ?? '', /leapt to 49\.0 at step 102, over 4x its 12\.0 at the start/);
  const root = await tempRoot('guard-ckpt');
  const e = experiment({ name: 'kept' });
  e.data.eval = [];
  e.training.steps = 20;
  e.checkpointEvery = 10;
  const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
  const first = readRun(r.runDir).events.find((x) => x.type === 'step');
  const ck = await loadCheckpoint(path.join(r.runDir, 'checkpoints', 'latest.ckpt'));
  assert.equal((ck.extra as { firstLoss?: number }).firstLoss, first?.type === 'step' ? first.loss : NaN);
});

// lr 3e-3 and 1: healthy, never past 1.1x their first loss. lr 10: the documented limit of a leap
// guard (its loss peaks at 1.3x, then sits where slow healthy runs sit), so it finishes.
for (const lr of [3e-3, 1, 10]) {
  test(`lr ${lr} trains on to the end`, async () => {
    const r = await trainAt(lr);
    assert.equal(r.status, 'finished', r.message);
  });
}
