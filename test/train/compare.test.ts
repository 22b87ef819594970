// compare: steps and FLOPs to reach the baseline's final accuracy, interpolated between evaluations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRuns, formatComparison } from '../../src/runs/compare';
import type { RunEvent } from '../../src/runs/events';

const ev = (step: number, flops: number, value: number): RunEvent => ({
  v: 1,
  time: 0,
  type: 'eval',
  step,
  set: 'heldout',
  examples: 10,
  metrics: { 'zero-shot/top5': value },
  flops: { train: flops, learnerScoring: 0, referenceScoring: 0, total: flops },
});

test('steps and FLOPs to the baseline final value, with linear interpolation', () => {
  const uniform = [ev(0, 0, 0), ev(100, 100, 0.02), ev(200, 200, 0.04)];
  const jest = [ev(0, 0, 0), ev(100, 300, 0.08), ev(200, 600, 0.1)];
  const never = [ev(0, 0, 0), ev(200, 200, 0.03)];
  const c = compareRuns(
    [
      { name: 'uniform', events: uniform },
      { name: 'jest', events: jest },
      { name: 'bad', events: never },
    ],
    'heldout',
    'zero-shot/top5',
  );
  assert.equal(c.target, 0.04);
  assert.equal(c.rows[0].reach.steps, 200);
  assert.equal(c.rows[1].reach.steps, 50); // 0 -> 0.08 over steps 0..100 crosses 0.04 at 50
  assert.equal(c.rows[1].reach.flops, 150);
  assert.equal(c.rows[1].stepSpeedup, 4);
  assert.ok(Math.abs(c.rows[1].flopSpeedup! - 200 / 150) < 1e-12);
  assert.equal(c.rows[2].reach.steps, null);
  const text = formatComparison(c, 'zero-shot/top5');
  // jest crossed inside its first evaluation interval: the table gives the bound, not the interpolated 50
  assert.equal(c.rows[1].reach.bound, true);
  // against a bound, only a bound: uniform's interval start (100 steps, 100 FLOPs) over jest's interval end (100, 300)
  assert.match(text, /jest\s+10\.00%\s+<= 100 \(first interval\)\s+>= 1\.00\s+<= 300\.0\s+>= 0\.33/);
  assert.match(text, /uniform\s+4\.00%\s+200 \(in 100-200\)\s+1\.00/, 'a later crossing shows the evaluations it lies between');
  assert.match(text, /bad\s+3\.00%\s+never/);
});
