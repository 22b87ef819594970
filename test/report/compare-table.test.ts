// Compare Runs in the dashboard: the config diff (src/runs/config-diff.ts) and the table of steps
// and FLOPs to the baseline's final accuracy (src/runs/compare.ts comparisonTable).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { configDiff } from '../../src/runs/config-diff';
import type { RunEvent } from '../../src/runs/events';
import { comparisonTable, compareRuns, evalMetrics } from '../../src/runs/compare';

test('only the fields that differ from the baseline, in its order; missing fields count as different', () => {
  const base = { name: 'a', selection: { method: 'jest', filterRatio: 0.8 }, model: { patchSizes: [4, 8], width: 32 }, data: { eval: [{ name: 'x', max: 64 }] } };
  const other = { name: 'b', selection: { method: 'uniform', filterRatio: 0.8 }, model: { patchSizes: [4], width: 32 }, data: { eval: [{ name: 'x', max: 128 }] }, reference: null };
  assert.deepEqual(configDiff([base, other]), [
    { path: 'selection.method', values: ['jest', 'uniform'] },
    { path: 'model.patchSizes', values: [[4, 8], [4]] },
    { path: 'data.eval[0].max', values: [64, 128] },
    { path: 'reference', values: [undefined, null] },
  ]);
  assert.deepEqual(configDiff([base, structuredClone(base)]), [], 'identical configs differ nowhere');
  assert.deepEqual(configDiff([base, { ...base, name: 'c' }], []).map((d) => d.path), ['name'], 'name is ignored only by default');
});


function evals(points: [number, number][], set = 'held-out', metric = 'zero-shot/top5'): RunEvent[] {
  return points.map(([step, value]) => ({ v: 1, time: step, type: 'eval', step, set, examples: 10, metrics: { [metric]: value }, flops: { train: step * 10, learnerScoring: 0, referenceScoring: 0, total: step * 10 } }));
}

test('comparisonTable: the first run is the baseline; a run without the metric gets a row, not an error', () => {
  const runs = [
    { dir: '/a', name: 'uniform', events: evals([[100, 0.1], [200, 0.2]]) },
    { dir: '/b', name: 'jest', events: evals([[100, 0.2], [200, 0.4]]) },
    { dir: '/c', name: 'other', events: evals([[100, 0.5]], 'held-out', 'i2t/r1') },
  ];
  const t = comparisonTable(runs, 'held-out', 'zero-shot/top5');
  assert.equal(t.target, 0.2);
  assert.deepEqual(t.rows.map((r) => [r.name, r.reach?.steps ?? null, r.stepSpeedup]), [['uniform', 200, 1], ['jest', 100, 2], ['other', null, null]]);
  // the same numbers as the engine's compare for the runs that have the metric
  const engine = compareRuns(runs.slice(0, 2), 'held-out', 'zero-shot/top5');
  assert.deepEqual(t.rows.slice(0, 2).map((r) => r.reach), engine.rows.map((r) => r.reach));
  assert.deepEqual(evalMetrics(runs.map((r) => r.events)), [{ set: 'held-out', metric: 'zero-shot/top5' }, { set: 'held-out', metric: 'i2t/r1' }]);
  assert.deepEqual(comparisonTable([runs[2], runs[0]], 'held-out', 'zero-shot/top5').rows.map((r) => r.stepSpeedup), [null, null], 'a baseline without the metric: no target');
});
