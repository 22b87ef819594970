// Compare Runs in the dashboard (extension/panels/comparison.ts): the table the host sends, built
// with the engine's own comparison; the metric a page may choose; the experiment a dashboard
// follows (extension/panels/runChoice.ts); the page's number formats (webview/dashboard/compare.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { MessageError } from '../../protocol/base';
import { SetComparisonMetricCommand, validateComparisonMetric } from '../../protocol/dashboard';
import { buildComparison, readRunConfig, type ComparedRun } from '../../extension/panels/comparison';
import { restoredDashboard } from '../../extension/panels/restore';
import { followedRuns } from '../../extension/panels/runChoice';
import { compareRuns } from '../../src/runs/compare';
import type { RunEvent } from '../../src/runs/events';
import { formatFlops, formatMetric, runLabel } from '../../webview/dashboard/compare';

function evals(points: [number, number][], set = 'held-out', metrics: Record<string, (v: number) => number> = { 'zero-shot/top1': (v) => v / 2, 'zero-shot/top5': (v) => v }): RunEvent[] {
  return points.map(([step, v]) => ({
    v: 1,
    time: step,
    type: 'eval',
    step,
    set,
    examples: 10,
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, f]) => [k, f(v)])),
    flops: { train: step * 10, learnerScoring: step, referenceScoring: 0, total: step * 11 },
  }));
}

const config = (method: string, filterRatio: number) => ({ name: 'x', selection: { method, filterRatio }, training: { steps: 200 } });

const runs: ComparedRun[] = [
  { dir: '/runs/uniform-1', name: 'uniform', events: evals([[100, 0.1], [200, 0.2]]), config: config('uniform', 0) },
  { dir: '/runs/jest-1', name: 'jest', events: evals([[100, 0.2], [200, 0.4]]), config: config('jest', 0.8) },
  { dir: '/runs/other-1', name: 'other', events: evals([[100, 0.5]], 'held-out', { 'i2t/r1': (v) => v }), config: undefined },
];

test('the comparison: the baseline first, the engine\'s numbers, and the config fields that differ', () => {
  const c = buildComparison(runs)!;
  // the engine's compare default: zero-shot/top5 on the baseline's first set
  assert.equal(c.metric, 'held-out/zero-shot/top5');
  assert.deepEqual(c.metrics.map((m) => m.key), ['held-out/zero-shot/top1', 'held-out/zero-shot/top5', 'held-out/i2t/r1']);
  assert.equal(c.target, 0.2);
  assert.deepEqual(c.rows.map((r) => [r.dir, r.evaluated, r.steps, r.stepSpeedup]), [
    ['/runs/uniform-1', true, 200, 1],
    ['/runs/jest-1', true, 100, 2],
    ['/runs/other-1', false, null, null],
  ]);
  // exactly what `jest-studio compare` computes for the runs that have the metric
  const engine = compareRuns(runs.slice(0, 2).map((r) => ({ name: r.name, events: r.events as RunEvent[] })), 'held-out', 'zero-shot/top5');
  assert.deepEqual(c.rows.slice(0, 2).map((r) => [r.final, r.finalStep, r.steps, r.flops, r.stepSpeedup, r.flopSpeedup]), engine.rows.map((r) => [r.reach.final, r.reach.finalStep, r.reach.steps, r.reach.flops, r.stepSpeedup, r.flopSpeedup]));
  // config: JSON text per run, null where a run has no config.json (or lacks the field); name ignored
  assert.deepEqual(c.config, [
    { path: 'selection.method', values: ['"uniform"', '"jest"', null] },
    { path: 'selection.filterRatio', values: ['0', '0.8', null] },
    { path: 'training.steps', values: ['200', '200', null] },
  ]);
});

test('the chosen metric while some run has it; the baseline\'s own metric otherwise; none with one run', () => {
  assert.equal(buildComparison(runs, 'held-out/zero-shot/top1')!.metric, 'held-out/zero-shot/top1');
  assert.equal(buildComparison(runs, 'held-out/zero-shot/top1')!.target, 0.1);
  assert.equal(buildComparison(runs, 'gone/metric')!.metric, 'held-out/zero-shot/top5');
  // the baseline lacks the chosen metric: no target, every row says so
  const other = buildComparison(runs, 'held-out/i2t/r1')!;
  assert.equal(other.target, null);
  assert.deepEqual(other.rows.map((r) => r.evaluated), [false, false, true]);
  assert.deepEqual(other.rows.map((r) => r.stepSpeedup), [null, null, null]);
  assert.deepEqual(other.rows.map((r) => [r.final, r.finalStep, r.steps]), [[null, null, null], [null, null, null], [0.5, 100, null]], 'its own final value, no reach');
  // a baseline without top5: its first metric
  const own = buildComparison([{ ...runs[2], config: {} }, runs[0]])!;
  assert.equal(own.metric, 'held-out/i2t/r1');
  // nothing evaluated yet: no metric, rows without numbers, no error
  const none = buildComparison([{ ...runs[0], events: [] }, { ...runs[1], events: [] }])!;
  assert.deepEqual([none.metric, none.target, none.metrics, none.rows.map((r) => r.evaluated)], ['', null, [], [false, false]]);
  assert.equal(buildComparison(runs.slice(0, 1)), null);
  assert.equal(buildComparison([]), null);
});

test('comparison/metric/set: only a metric the host offered', () => {
  const offered = ['held-out/zero-shot/top5', 'held-out/i2t/r1'];
  assert.equal(SetComparisonMetricCommand.method, 'dashboard/comparison/metric/set');
  assert.deepEqual(validateComparisonMetric({ metric: 'held-out/i2t/r1' }, offered), { metric: 'held-out/i2t/r1' });
  for (const bad of [null, {}, { metric: 'other' }, { metric: 5 }, { metric: 'held-out/i2t/r1', extra: 1 }, { metric: 'x'.repeat(5000) }, ['held-out/i2t/r1']]) {
    assert.throws(() => validateComparisonMetric(bad, offered), MessageError, JSON.stringify(bad)?.slice(0, 60));
  }
  assert.throws(() => validateComparisonMetric({ metric: 'held-out/i2t/r1' }, []), MessageError, 'nothing offered: nothing accepted');
});

test('a run\'s config.json is read from its folder; a missing or broken one is undefined', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-compare-'));
  assert.equal(await readRunConfig(dir), undefined);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"selection": {"method": "jest"}}');
  assert.deepEqual(await readRunConfig(dir), { selection: { method: 'jest' } });
  fs.writeFileSync(path.join(dir, 'config.json'), '{broken');
  assert.equal(await readRunConfig(dir), undefined);
});

test('opened on an experiment: its runs only, none when it has none (never the newest of others)', () => {
  const list = [
    { dir: '/r/b-2', name: 'b' },
    { dir: '/r/a-2', name: 'a' },
    { dir: '/r/b-1', name: 'b' },
    { dir: '/r/a-1', name: 'a' },
  ];
  assert.deepEqual(followedRuns(list, 'a', 32), ['/r/a-2', '/r/a-1']);
  assert.deepEqual(followedRuns(list, 'new-experiment', 32), [], 'no runs of it yet: nothing, not other runs');
  assert.deepEqual(followedRuns(list, null, 3), ['/r/b-2', '/r/a-2', '/r/b-1']);
  // a run of it that starts later joins (the store lists it first)
  assert.deepEqual(followedRuns([{ dir: '/r/new-1', name: 'new-experiment' }, ...list], 'new-experiment', 32), ['/r/new-1']);
});

test('restored dashboard: an experiment is followed again (not its old runs); compare only with runs', () => {
  assert.deepEqual(restoredDashboard({ dirs: ['/r/a-1'], experiment: 'a' }, 10), { dirs: [], experiment: 'a', compare: false });
  assert.deepEqual(restoredDashboard({ dirs: ['/r/a-1', '/r/b-1'], experiment: null, compare: true }, 10), { dirs: ['/r/a-1', '/r/b-1'], experiment: null, compare: true });
  assert.deepEqual(restoredDashboard({ dirs: ['/r/a-1'], experiment: 5, compare: 'yes' }, 10), { dirs: ['/r/a-1'], experiment: null, compare: false });
  assert.deepEqual(restoredDashboard({ experiment: 'x'.repeat(500) }, 10), { dirs: [], experiment: null, compare: false });
  assert.deepEqual(restoredDashboard(null, 10), { dirs: [], experiment: null, compare: false });
});

test('the table\'s formats: percentages for accuracies, SI FLOPs, the folder beside a shared name', () => {
  assert.equal(formatMetric(0.4123, 'held-out/zero-shot/top5'), '41.23%');
  assert.equal(formatMetric(2.5, 'held-out/loss'), '2.5000');
  assert.equal(formatMetric(null, 'x/y'), '–');
  assert.equal(formatFlops(3.2e9), '3.20G');
  assert.equal(formatFlops(14e12), '14.0T');
  assert.equal(formatFlops(null), 'never');
  assert.equal(runLabel({ name: 'icons-jest', dir: '/w/runs/icons-jest-20260101-000000' }), 'icons-jest · icons-jest-20260101-000000');
  assert.equal(runLabel({ name: 'a', dir: 'C:\\runs\\a' }), 'a');
});
