// The divergence guard: a learning rate far too high stops the run with a clear message at the
// leap (even with clipping keeping every number finite); healthy learning rates train on.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { DivergenceGuard } from '../../src/train/divergence';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { experiment, tempRoot } from './helpers';

test('the guard: a loss 4x its first is divergence; a falling or noisy one is not', () => {
  const g = new DivergenceGuard();
  for (const [i, l] of [12, 10, 13, 8, 6, 14, 5, 40].entries()) assert.equal(g.observe(l, i + 1), undefined);
  assert.match(g.observe(49, 9) ?? '', /the loss leapt to 49\.0 at step 9, over 4x its 12\.0 at the start/);
});

for (const lr of [100, 1000]) {
  test(`lr ${lr} with clipping (finite numbers throughout) is stopped as diverged, with what to change`, async () => {
    const root = await tempRoot('diverge');
    const e = experiment({ name: 'too-hot' });
    e.data.eval = [];
    e.training.steps = 150;
    e.optimizer = { ...e.optimizer, lr, clipNorm: 1 };
    const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
    assert.equal(r.status, 'failed');
    assert.ok(r.step < 50, `stopped at step ${r.step}`);
    assert.match(r.message!, new RegExp(`^training diverged: the loss leapt to .* at step \\d+, over 4x .* Fix: lower optimizer\\.lr \\(now ${lr}\\), raise optimizer\\.warmupSteps \\(now 10\\), then start a new run`));
    assert.equal(readRun(r.runDir).status?.status, 'failed');
  });
}

test('a healthy learning rate trains on to the end', async () => {
  const root = await tempRoot('healthy');
  const e = experiment({ name: 'fine' });
  e.data.eval = [];
  e.training.steps = 150;
  const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
  assert.equal(r.status, 'finished', r.message);
});
