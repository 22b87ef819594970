// A run's summary folded from engine events (extension/runs/summary.ts) and its short text
// (extension/views/format.ts): what the runs view and the status bar show.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../src/runs/events';
import { applyEvent, type RunSummary } from '../../extension/runs/summary';
import { describeRun, formatDuration, headlineMetric } from '../../extension/views/format';

const base = { v: 1, time: 0 };
const flops = { train: 1, learnerScoring: 0, referenceScoring: 0, total: 1 };
const ms = { total: 10, data: 1, scoring: 1, selection: 1, train: 7 };

function fresh(): RunSummary {
  return { dir: '/runs/a', name: 'a', status: 'unknown', step: 0, totalSteps: 0, lastMetrics: {}, live: true };
}

test('summary follows run-start, steps, evals and the final status', () => {
  const s = fresh();
  const events: RunEvent[] = [
    { ...base, type: 'run-start', runId: 'x', name: 'tiny', device: 'cpu', deviceNote: '', parameters: 10, flopsPerStep: { train: 1, learnerScoring: 0, referencePerExample: 0 }, resumedFrom: null, totalSteps: 20 },
    { ...base, type: 'status', status: 'running', step: 0 },
    { ...base, type: 'step', step: 1, loss: 3.5, lr: 0.001, gradNorm: 1, flops, ms, examplesPerSecond: 100 },
    { ...base, type: 'eval', step: 1, flops, set: 'held-out', metrics: { 'zero-shot/top5': 0.25, 'zero-shot/top1': 0.1 }, examples: 64 },
    { ...base, type: 'step', step: 2, loss: 3.25, lr: 0.002, gradNorm: 1, flops, ms, examplesPerSecond: 120 },
  ];
  for (const e of events) applyEvent(s, e);
  assert.equal(s.name, 'tiny');
  assert.equal(s.status, 'running');
  assert.equal(s.step, 2);
  assert.equal(s.totalSteps, 20);
  assert.equal(s.lastMetrics.loss, 3.25);
  assert.equal(s.lastMetrics['held-out/zero-shot/top5'], 0.25);
  assert.equal(headlineMetric(s), 'top5 25.0%');
  assert.equal(describeRun(s), 'running · 2/20 · loss 3.250 · top5 25.0%');
  applyEvent(s, { ...base, type: 'status', status: 'stopped', step: 2, message: 'SIGTERM' });
  assert.equal(s.status, 'stopped');
});

test('a step before any status still reads as running; durations read short', () => {
  const s = fresh();
  applyEvent(s, { ...base, type: 'step', step: 5, loss: 1, lr: 0, gradNorm: 0, flops, ms, examplesPerSecond: 1 });
  assert.equal(s.status, 'running');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(125_000), '2m05s');
  assert.equal(formatDuration(3_725_000), '1h02m');
  assert.equal(formatDuration(NaN), '?');
});
