// The ms-per-step average both ETAs use (src/util/stepTime.ts): the CLI's progress bar and the
// extension's status bar call the one function, with the behaviour each had before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBar } from '../../src/cli/progress';
import type { RunEvent } from '../../src/runs/events';
import { STEP_TIME_WEIGHT, averageStepMs } from '../../src/util/stepTime';

test('averageStepMs: the first step sets it (undefined or NaN before), then 0.9 old + 0.1 new', () => {
  assert.equal(averageStepMs(undefined, 40), 40);
  assert.equal(averageStepMs(NaN, 40), 40);
  assert.equal(STEP_TIME_WEIGHT, 0.1);
  let avg: number | undefined;
  let old: number | undefined;
  for (const ms of [40, 42, 400, 41, 39, 40]) {
    avg = averageStepMs(avg, ms);
    // the formula both copies had, bit for bit
    old = old === undefined ? ms : 0.9 * old + 0.1 * ms;
    assert.equal(avg, old);
  }
  // an evaluation pause (one 400 ms step) moves the estimate by a tenth of its excess
  assert.ok(Math.abs(averageStepMs(40, 400) - 76) < 1e-9);
});

test('the progress bar shows that average as ms/step', () => {
  const lines: string[] = [];
  const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  const bar = new ProgressBar('run', out);
  const base = { v: 1 as const, time: 0 };
  bar.onEvent({ ...base, type: 'run-start', runId: 'r', name: 'run', device: 'cpu', deviceNote: '', parameters: 1, flopsPerStep: { train: 1, learnerScoring: 1, referencePerExample: 1 }, resumedFrom: null, totalSteps: 10 } as RunEvent);
  let avg: number | undefined;
  for (let s = 1; s <= 10; s++) {
    const ms = s === 5 ? 500 : 40;
    avg = averageStepMs(avg, ms);
    bar.onEvent({ ...base, type: 'step', step: s, loss: 1, lr: 1e-3, gradNorm: 1, flops: { train: 1, learnerScoring: 0, referenceScoring: 0, total: 1 }, ms: { total: ms, data: 0, scoring: 0, selection: 0, train: ms }, examplesPerSecond: 1 } as unknown as RunEvent);
  }
  // the last step's line waits for what follows it (the final evaluation, or the final status)
  assert.ok(!lines.some((l) => l.includes(' 10/10 ')), 'not printed before the run says it is done');
  bar.onEvent({ ...base, type: 'status', status: 'finished', step: 10 } as RunEvent);
  const last = lines.filter((l) => l.includes(' 10/10 '));
  assert.equal(last.length, 1, lines.join(''));
  assert.match(last[0], new RegExp(` ${avg!.toFixed(0)} ms/step `), lines.join(''));
});
