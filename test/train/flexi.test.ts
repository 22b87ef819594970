// Flexi-JEST: the learner scores the super-batch at the coarse patch size, trains each batch split
// across patch sizes, evaluates at full resolution; the FLOP ledger counts all of it, and coarse
// scoring costs fewer FLOPs than full-resolution scoring.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunStartEvent, StepEvent } from '../../src/runs/events';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { experiment, tempRoot } from './helpers';

test('Flexi-JEST scores coarse, trains mixed, and its ledger is cheaper per step than full-resolution JEST', async () => {
  const root = await tempRoot('flexi');
  const cacheRoot = path.join(root, 'cache');
  const flops: Record<string, RunStartEvent['flopsPerStep']> = {};
  for (const flexi of [false, true]) {
    const e = experiment({ name: flexi ? 'flexi' : 'full' });
    e.training.steps = 8;
    e.evaluation.every = 8;
    e.selection = { ...e.selection, method: 'jest', score: 'hard-learner', filterRatio: 0.5, chunks: 4 };
    e.flexi = { enabled: flexi, scoringPatchSize: 8, trainMix: [{ patchSize: 4, fraction: 0.5 }, { patchSize: 8, fraction: 0.5 }] };
    const r = await runTraining(e, { runDir: path.join(root, e.name), resume: false, cacheRoot });
    assert.equal(r.status, 'finished', r.message);
    const events = readRun(r.runDir).events;
    flops[e.name] = events.find((x): x is RunStartEvent => x.type === 'run-start')!.flopsPerStep;
    const last = events.filter((x): x is StepEvent => x.type === 'step').at(-1)!;
    assert.equal(last.flops.train, 8 * flops[e.name].train);
    assert.equal(last.flops.learnerScoring, 8 * flops[e.name].learnerScoring);
  }
  // a patch-8 forward has a quarter of the tokens: scoring must cost well under half
  assert.ok(flops.flexi.learnerScoring < 0.5 * flops.full.learnerScoring, `${flops.flexi.learnerScoring} vs ${flops.full.learnerScoring}`);
  assert.ok(flops.flexi.train < flops.full.train, 'half the batch at patch 8 trains cheaper');
});
