// From a click back to a step: the dashboard maps a clicked point (an x on the steps or FLOPs
// axis) to its training step; the inspector opens the snapshot nearest to that step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearestStep } from '../../extension/panels/snapshots';
import { stepAtX } from '../../webview/dashboard/pick';

test('a point on the FLOPs axis gives the step of the row with the nearest FLOP count', () => {
  const steps = Float64Array.of(1, 2, 3, 4, 0);
  const flops = Float64Array.of(10, 20, 30, 40, 0);
  assert.equal(stepAtX(flops, steps, 4, 30), 3);
  assert.equal(stepAtX(flops, steps, 4, 26), 3);
  assert.equal(stepAtX(flops, steps, 4, 1e9), 4);
  assert.equal(stepAtX(flops, steps, 4, -5), 1, 'capacity past length is not read (the 0 there)');
  assert.ok(Number.isNaN(stepAtX(flops, steps, 0, 10)));
});

test('the inspector shows the snapshot nearest to the asked step (the earlier on a tie)', () => {
  const steps = [50, 100, 150];
  assert.equal(nearestStep(steps, 100), 100);
  assert.equal(nearestStep(steps, 137), 150);
  assert.equal(nearestStep(steps, 125), 100);
  assert.equal(nearestStep(steps, 0), 50);
  assert.equal(nearestStep(steps, 1e6), 150);
  assert.equal(nearestStep([], 10), undefined);
});
