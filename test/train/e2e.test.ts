// End to end on synthetic data: a reference trained on a clean set steers JEST on a pool whose
// captions are half wrong; at equal steps JEST beats uniform on held-out accuracy (fixed seeds).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { readRun } from '../../src/runs/reader';
import type { EvalEvent, StepEvent } from '../../src/runs/events';
import { runTraining } from '../../src/train/loop';
import { experiment, tempRoot } from './helpers';

test('JEST with a clean reference beats uniform on a noisy pool at equal steps', async () => {
  const root = await tempRoot('e2e');
  const cacheRoot = path.join(root, 'cache');
  const refDir = path.join(root, 'reference');
  const refExp = experiment({ name: 'reference' });
  refExp.data.train = refExp.data.curated!;
  const ref = await runTraining(refExp, { runDir: refDir, resume: false, cacheRoot });
  assert.equal(ref.status, 'finished', ref.message);

  const results: Record<string, number> = {};
  for (const method of ['uniform', 'jest'] as const) {
    // (uniform uses no reference: its cache line is 0)
    const e = experiment({ name: method });
    e.selection = { ...e.selection, method, score: 'learnability', filterRatio: 0.8, chunks: 16 };
    e.reference = method === 'jest' ? { run: refDir, encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true } : null;
    const r = await runTraining(e, { runDir: path.join(root, method), resume: false, cacheRoot });
    assert.equal(r.status, 'finished', r.message);
    const rec = readRun(r.runDir);
    const evals = rec.events.filter((x): x is EvalEvent => x.type === 'eval');
    results[method] = evals[evals.length - 1].metrics['zero-shot/top1'];
    const steps = rec.events.filter((x): x is StepEvent => x.type === 'step');
    assert.equal(steps.length, 400);
    if (method === 'jest') {
      const last = steps[steps.length - 1];
      assert.ok(last.flops.learnerScoring > 0 && last.flops.referenceScoring > 0, 'scoring FLOPs are counted');
      // the reference's embedding cache: every pool example through the reference's encoders, once
      const start = rec.events.find((x) => x.type === 'run-start');
      const poolSize = 3000; // experiment(): data.train is a synthetic pool of 3000
      assert.equal(last.flops.referenceCache, poolSize * (start?.type === 'run-start' ? start.flopsPerStep.referencePerExample : NaN));
      assert.ok(last.flops.referenceCache! > 0);
      assert.equal(last.flops.total, last.flops.train + last.flops.learnerScoring + last.flops.referenceScoring, 'total leaves the cache out: amortised');
      // The planted noise: half the pool is mismatched; selection should mostly avoid it.
      const noisy = steps.slice(100).reduce((s, x) => s + (x.selection!.selectedNoisy ?? 0), 0) / (300 * 32);
      assert.ok(noisy < 0.4, `JEST selected ${(noisy * 100).toFixed(0)}% noisy examples (the pool has 60%)`);
      assert.ok(steps.every((x) => x.selection!.selectedScore > x.selection!.randomScore), 'selected batches beat random ones on the score');
    }
  }
  console.log(`held-out zero-shot top-1 after 400 steps: uniform ${(results.uniform * 100).toFixed(1)}%, JEST ${(results.jest * 100).toFixed(1)}%`);
  assert.ok(results.jest > results.uniform + 0.1, `JEST ${results.jest} should beat uniform ${results.uniform}`);
});
