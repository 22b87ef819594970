// Engine events -> dashboard columns: every step series present from the start, NaN where an event
// lacks a value, deltas carry only the rows not yet sent, CSV in long form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent, StepEvent } from '../../src/runs/events';
import { STEP_SERIES } from '../../protocol/dashboard';
import { RunTables, csvCell, metricsCsv } from '../../extension/panels/dashboardData';
import { GrowingTable } from '../../protocol/metricTable';

const flops = (n: number) => ({ train: n, learnerScoring: 0, referenceScoring: 0, total: n });
function step(s: number, withSelection = true): StepEvent {
  return {
    v: 1,
    time: s,
    type: 'step',
    step: s,
    loss: 1 / s,
    lr: 1e-3,
    gradNorm: 1,
    flops: flops(s * 10),
    ms: { total: 10, data: 1, scoring: 2, selection: 3, train: 4 },
    examplesPerSecond: 100,
    selection: withSelection ? { method: 'jest', score: 'learnability', superBatch: 80, selected: 16, selectedScore: 0.5, randomScore: 0.1, selectedLearnerLoss: 2, selectedReferenceLoss: 1, selectedNoisy: 4 } : undefined,
  };
}
const evalEvent = (s: number): RunEvent => ({ v: 1, time: s, type: 'eval', step: s, flops: flops(s * 10), set: 'held-out', metrics: { 'zero-shot/top1': s / 100 }, examples: 10 });

test('step events become aligned columns; noisy fraction = selectedNoisy / selected; missing selection is NaN', () => {
  const t = new RunTables();
  t.ingest([{ v: 1, time: 0, type: 'run-start', runId: 'r-1', name: 'n', device: 'cpu', deviceNote: '', parameters: 1, flopsPerStep: { train: 1, learnerScoring: 1, referencePerExample: 1 }, resumedFrom: null, totalSteps: 10 }, step(1), step(2, false), evalEvent(2)]);
  assert.equal(t.runId, 'r-1');
  const { steps, evals } = t.full();
  assert.deepEqual([...steps.step], [1, 2]);
  assert.deepEqual([...steps.flops], [10, 20]);
  assert.deepEqual(Object.keys(steps.columns).sort(), [...STEP_SERIES].sort());
  assert.equal(steps.columns['selection.noisyFraction'][0], 0.25);
  assert.ok(Number.isNaN(steps.columns['selection.selectedScore'][1]));
  assert.equal(steps.columns['ms.scoring'][1], 2);
  assert.deepEqual([...evals.columns['held-out/zero-shot/top1']], [0.02]);
});

test('a delta carries only rows not yet sent; none when nothing is new', () => {
  const t = new RunTables();
  t.ingest([step(1), step(2)]);
  t.full();
  assert.equal(t.delta(), null);
  t.ingest([step(3), evalEvent(3)]);
  const d = t.delta()!;
  assert.deepEqual([...d.steps.step], [3]);
  assert.deepEqual([...d.evals.step], [3]);
  assert.equal(d.writtenAt, 3, 'the oldest unsent step event\'s write time: where the end-to-end latency starts');
  assert.equal(t.delta(), null);
  assert.equal(t.events, 4);
  t.ingest([step(4), step(5)]);
  assert.equal(t.delta()!.writtenAt, 4, 'two new steps: timed by the older one (it waited longer)');
  t.ingest([evalEvent(5)]);
  assert.equal(t.delta()!.writtenAt, undefined, 'an eval-only delta has no step to time');
});

test('an eval metric first seen later gets NaN for the earlier rows', () => {
  const t = new RunTables();
  t.ingest([evalEvent(1), { v: 1, time: 2, type: 'eval', step: 2, flops: flops(2), set: 'other', metrics: { 'i2t/r1': 0.5 }, examples: 1 }]);
  const { evals } = t.full();
  assert.ok(Number.isNaN(evals.columns['other/i2t/r1'][0]));
  assert.equal(evals.columns['other/i2t/r1'][1], 0.5);
  assert.ok(Number.isNaN(evals.columns['held-out/zero-shot/top1'][1]));
});

test('a delta is a copy: growing the table later does not change what was posted', () => {
  const t = new RunTables();
  t.ingest([step(1)]);
  const first = t.full();
  for (let s = 2; s < 200; s++) t.ingest([step(s)]);
  assert.deepEqual([...first.steps.step], [1]);
  assert.equal(t.counts().loss, 199);
});

test('CSV is long form, quoted where needed, finite values only', () => {
  const t = new RunTables();
  t.ingest([step(1, false), evalEvent(1)]);
  const csv = metricsCsv([{ name: 'run "a", b', dir: '/r/a', ...t.peek() }]);
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'run,dir,table,step,flops,metric,value');
  assert.ok(lines.includes('"run ""a"", b",/r/a,step,1,10,loss,1'));
  assert.ok(lines.includes('"run ""a"", b",/r/a,eval,1,10,held-out/zero-shot/top1,0.01'));
  assert.ok(!lines.some((l) => l.includes('NaN')));
});

test('CSV: a text cell a spreadsheet would run as a formula gets a leading quote; numbers stay numbers', () => {
  for (const [raw, cell] of [
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+cmd', "'+1+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['-0.5', '-0.5'],
    ['+3', '+3'],
    ['-1e-3', '-1e-3'],
    ['plain', 'plain'],
    ['a-b', 'a-b'],
  ] as const) assert.equal(csvCell(raw), cell, JSON.stringify(raw));
  const t = new RunTables();
  t.ingest([{ ...step(1, false), loss: -0.5 }, { v: 1, time: 1, type: 'eval', step: 1, flops: flops(10), set: '=cmd|calc', metrics: { top1: 0.5 }, examples: 1 }]);
  const lines = metricsCsv([{ name: '@run', dir: '-dir', ...t.peek() }]).trim().split('\n');
  assert.ok(lines.includes("'@run,'-dir,step,1,10,loss,-0.5"), lines.join('\n'));
  assert.ok(lines.includes("'@run,'-dir,eval,1,10,'=cmd|calc/top1,0.5"), lines.join('\n'));
});

test('one table for host and page: the rows the host posts, appended by the page, are the host\'s table', () => {
  const host = new RunTables();
  host.ingest([step(1), step(2, false)]);
  const page = new GrowingTable(host.full().steps);
  for (let s = 3; s < 150; s++) {
    host.ingest([step(s, s % 3 !== 0), ...(s % 10 === 0 ? [evalEvent(s)] : [])]);
    if (s % 7 === 0) page.append(host.delta()!.steps);
  }
  const d = host.delta();
  if (d) page.append(d.steps);
  const whole = host.peek().steps;
  assert.equal(page.length, whole.step.length);
  assert.deepEqual(page.table(), whole);
  assert.equal(page.points, Object.values(whole.columns).reduce((n, c) => n + c.filter(Number.isFinite).length, 0));
  // a key first seen in a later row: NaN before it, on both sides
  const t = new GrowingTable();
  t.push(1, 10, { a: 1 });
  t.push(2, 20, { a: 2, b: 5 });
  const p = new GrowingTable(t.table(0));
  p.append({ step: Float64Array.of(3), flops: Float64Array.of(30), columns: { c: Float64Array.of(7) } });
  assert.deepEqual([...p.columns.get('b')!.subarray(0, 3)], [NaN, 5, NaN]);
  assert.deepEqual([...p.columns.get('c')!.subarray(0, 3)], [NaN, NaN, 7]);
  // finite values: a 1, 2; b 5; c 7
  assert.equal(p.points, 4);
});
