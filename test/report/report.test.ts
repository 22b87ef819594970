// The benchmark report's arithmetic: seed-averaged curves, steps/FLOPs to target, findings verdicts,
// and plots that render to PNG.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { checkFindings, checkTargets, compareFinals, comparePaired, fmtCrossing, fmtSpeedup, meanCurve, summariseArm, worstCrossing } from '../../src/report/jest-report';
import { lineChartSvg } from '../../src/report/plot';
import type { RunEvent } from '../../src/runs/events';

const evalAt = (step: number, value: number): RunEvent => ({
  v: 1, time: 0, type: 'eval', step, set: 's', examples: 1, metrics: { m: value },
  flops: { train: step * 10, learnerScoring: step * 5, referenceScoring: 0, total: step * 15 },
});
const stepAt = (step: number): RunEvent => ({
  v: 1, time: 0, type: 'step', step, loss: 1, lr: 1, gradNorm: 1, examplesPerSecond: 1,
  flops: { train: step * 10, learnerScoring: step * 5, referenceScoring: 0, total: step * 15 },
  ms: { total: 20, data: 1, scoring: 5, selection: 1, train: 13 },
});

test('seed-averaged curves and steps to target', () => {
  const s1 = [evalAt(0, 0), evalAt(100, 0.2), evalAt(200, 0.4), stepAt(200)];
  const s2 = [evalAt(0, 0), evalAt(100, 0.4), evalAt(200, 0.6), stepAt(200)];
  const c = meanCurve([s1, s2], 's', 'm');
  assert.deepEqual(c.map((p) => [p.step, Number(p.value.toFixed(6)), p.lo, p.hi]), [[0, 0, 0, 0], [100, 0.3, 0.2, 0.4], [200, 0.5, 0.4, 0.6]]);
  const a = summariseArm({ arm: 'x', seeds: [s1, s2] }, 's', 'm', 0.4);
  assert.deepEqual(a.stepsToTarget, [200, 100]);
  assert.deepEqual(a.flopsToTarget, [3000, 1500]);
  assert.equal(a.flopsPerStep, 15);
  assert.ok(Math.abs(a.finalMean - 0.5) < 1e-12);
});

test('findings: verdicts follow the numbers, and untested ones say so', () => {
  const arm = (name: string, final: number) => summariseArm({ arm: name, seeds: [[evalAt(0, 0), evalAt(100, final), stepAt(100)]] }, 's', 'm', 0.1);
  const arms = new Map(
    [arm('uniform', 0.1), arm('jest learnability f=0.8', 0.3), arm('jest easy-reference f=0.8', 0.25), arm('jest hard-learner f=0.8', 0.05), arm('independent learnability f=0.8', 0.28)].map((a) => [a.arm, a]),
  );
  const f = checkFindings(arms, { uniform: 'uniform' });
  assert.equal(f[0].verdict, 'holds');
  assert.equal(f[1].verdict, 'holds');
  assert.match(f[1].evidence, /not tested \(independent selection ran at one ratio\)/);
  assert.equal(f[3].verdict, 'not tested');
  assert.equal(f[4].verdict, 'not tested');
  arms.set('jest hard-learner f=0.8', arm('jest hard-learner f=0.8', 0.4));
  assert.equal(checkFindings(arms, { uniform: 'uniform' })[0].verdict, 'does not hold');
});

test('findings: a difference within the seeds\' spread is inconclusive, not a win', () => {
  const arm = (name: string, finals: number[]) => summariseArm({ arm: name, seeds: finals.map((v) => [evalAt(0, 0), evalAt(100, v), stepAt(100)]) }, 's', 'm', 0.05);
  const joint = arm('jest learnability f=0.8', [0.1, 0.12, 0.09]);
  const overlapping = arm('independent learnability f=0.8', [0.11, 0.08, 0.1]);
  const c = compareFinals(joint, overlapping);
  assert.equal(c.sign, 0);
  assert.ok(c.se > 0);
  const arms = new Map([joint, overlapping, arm('uniform', [0.05, 0.05, 0.05])].map((a) => [a.arm, a]));
  assert.equal(checkFindings(arms, { uniform: 'uniform' })[1].verdict, 'inconclusive');
  const beaten = arm('independent learnability f=0.8', [0.05, 0.051, 0.049]);
  assert.equal(compareFinals(joint, beaten).sign, 1);
  assert.equal(compareFinals(beaten, joint).sign, -1);
});

test('targets: steps against a quarter of uniform\'s run, FLOPs against uniform\'s whole run, every seed', () => {
  const run = (name: string, at: [number, number][], steps: number) => [evalAt(0, 0), ...at.map(([st, v]) => evalAt(st, v)), stepAt(steps)];
  const uni = summariseArm({ arm: 'uniform', seeds: [run('u', [[500, 0.05], [1000, 0.1]], 1000)] }, 's', 'm', 0.1);
  const fast = summariseArm({ arm: 'jest learnability f=0.8', seeds: [run('j', [[200, 0.2], [1000, 0.4]], 1000), run('j', [[200, 0.3], [1000, 0.4]], 1000)] }, 's', 'm', 0.1);
  const flexi = summariseArm({ arm: 'flexi-jest f=0.8', seeds: [run('f', [[600, 0.2], [1000, 0.3]], 1000)] }, 's', 'm', 0.1);
  const t = checkTargets(new Map([uni, fast, flexi].map((a) => [a.arm, a])), 'uniform', 1e6, 10);
  assert.equal(t[0].met, true, t[0].evidence); // 100 and ~67 steps <= 250
  assert.equal(t[1].met, true, t[1].evidence); // 300 steps x 15 FLOPs < 1000 x 15
  assert.match(t[1].evidence, /charged to one run alone, ≤ .* \(not shown below uniform\)/);
  const slow = summariseArm({ arm: 'jest learnability f=0.8', seeds: [run('j', [[200, 0.2]], 1000), run('j', [[400, 0.09], [600, 0.2]], 1000)] }, 's', 'm', 0.1);
  assert.equal(checkTargets(new Map([uni, slow].map((a) => [a.arm, a])), 'uniform', 0, 1)[0].met, false, 'the slowest seed (~409 steps) is past a quarter');
});

test('a chart renders to a PNG', async () => {
  const svg = lineChartSvg([{ name: 'a <b>', colour: '#f00', points: [{ x: 0, y: 0 }, { x: 10, y: 5, lo: 4, hi: 6 }] }], { title: 't', xLabel: 'x', yLabel: 'y', hLine: { y: 3, label: 'h' } });
  assert.match(svg, /a &lt;b&gt;/);
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 720);
});

test('a crossing inside the first evaluation interval is reported as a bound, others with their interval', () => {
  // dense schedule: 0, 10, 20, 40
  const early = summariseArm({ arm: 'early', seeds: [[evalAt(0, 0), evalAt(10, 0.5), evalAt(20, 0.6), evalAt(40, 0.7), stepAt(40)]] }, 's', 'm', 0.3);
  assert.equal(early.reaches[0].bound, true, 'crossed between the step-0 score and the first evaluation');
  assert.deepEqual(early.reaches[0].interval?.steps, [0, 10]);
  assert.equal(fmtCrossing(early.reaches, 'steps', (x) => x.toFixed(0)), '≤ 10 (first interval)');
  const later = summariseArm({ arm: 'later', seeds: [[evalAt(0, 0), evalAt(10, 0.1), evalAt(20, 0.2), evalAt(40, 0.4), stepAt(40)], [evalAt(0, 0), evalAt(10, 0.1), evalAt(20, 0.4), evalAt(40, 0.5), stepAt(40)]] }, 's', 'm', 0.3);
  assert.deepEqual(later.reaches.map((r) => [r.bound, r.interval?.steps]), [[false, [20, 40]], [false, [10, 20]]]);
  assert.equal(fmtCrossing(later.reaches, 'steps', (x) => x.toFixed(0)), '23 ± 9 (intervals ≤ 20)', 'crossings at 30 and 16.7');
  // against a baseline crossing at 40 on average: a bound arm is "at least", an interpolated one a ratio
  const base = summariseArm({ arm: 'u', seeds: [[evalAt(0, 0), evalAt(10, 0.1), evalAt(20, 0.2), evalAt(40, 0.3), stepAt(40)]] }, 's', 'm', 0.3);
  assert.equal(fmtSpeedup(early.reaches, base.reaches, 'steps'), '≥ 2.0', 'the least uniform needed (its interval start, 20) over the most the arm needed (10)');
  assert.equal(fmtSpeedup(later.reaches, base.reaches, 'steps'), (40 / ((30 + 50 / 3) / 2)).toFixed(2));
  assert.equal(worstCrossing(early.reaches, 'steps'), 10, 'the bound counts at its interval end');
});

test('verdicts pair the seeds: a steady per-seed gain holds even when the seeds spread widely', () => {
  const arm = (name: string, finals: number[]) => summariseArm({ arm: name, seeds: finals.map((v) => [evalAt(0, 0), evalAt(100, v), stepAt(100)]) }, 's', 'm', 0.05);
  const a = arm('a', [0.1, 0.3, 0.5]);
  const b = arm('b', [0.09, 0.29, 0.49]); // 1 point below a on every seed
  assert.equal(compareFinals(a, b).sign, 1, 'paired: the difference is the same on every seed');
  assert.equal(comparePaired([0.1, 0.3], [0.2]).sign, compareFinals(arm('x', [0.1, 0.3]), arm('y', [0.2])).sign, 'unequal seeds: unpaired');
});

test('finding 5 tests both halves against JEST: most of its gain kept, and fewer FLOPs to uniform\'s final', () => {
  const run = (at: [number, number][]) => [evalAt(0, 0), ...at.map(([st, v]) => evalAt(st, v)), stepAt(1000)];
  const mk = (name: string, curves: [number, number][][], flopsScale = 1) => {
    const seeds = curves.map((c) => run(c).map((e) => (e.type === 'eval' ? { ...e, flops: { ...e.flops, total: e.flops.total * flopsScale } } : e)) as RunEvent[]);
    return summariseArm({ arm: name, seeds }, 's', 'm', 0.1);
  };
  const uni = mk('uniform', [[[500, 0.05], [1000, 0.1]], [[500, 0.05], [1000, 0.1]], [[500, 0.06], [1000, 0.1]]]);
  const jest = mk('jest learnability f=0.8', [[[100, 0.05], [200, 0.2], [1000, 0.4]], [[100, 0.06], [200, 0.2], [1000, 0.42]], [[100, 0.04], [200, 0.22], [1000, 0.41]]]);
  const cheapGood = mk('flexi-jest f=0.8', [[[100, 0.05], [200, 0.2], [1000, 0.35]], [[100, 0.05], [200, 0.2], [1000, 0.36]], [[100, 0.05], [200, 0.21], [1000, 0.34]]], 0.5);
  let f = checkFindings(new Map([uni, jest, cheapGood].map((a) => [a.arm, a])), { uniform: 'uniform' })[4];
  assert.equal(f.verdict, 'holds', f.evidence);
  const cheapWeak = mk('flexi-jest f=0.8', [[[100, 0.05], [200, 0.11], [1000, 0.15]], [[100, 0.05], [200, 0.11], [1000, 0.14]], [[100, 0.05], [200, 0.12], [1000, 0.16]]], 0.5);
  f = checkFindings(new Map([uni, jest, cheapWeak].map((a) => [a.arm, a])), { uniform: 'uniform' })[4];
  assert.equal(f.verdict, 'does not hold', `keeps well under half of JEST's gain: ${f.evidence}`);
  const goodDear = mk('flexi-jest f=0.8', [[[100, 0.05], [200, 0.2], [1000, 0.35]], [[100, 0.05], [200, 0.2], [1000, 0.36]], [[100, 0.05], [200, 0.21], [1000, 0.34]]], 2);
  f = checkFindings(new Map([uni, jest, goodDear].map((a) => [a.arm, a])), { uniform: 'uniform' })[4];
  assert.equal(f.verdict, 'does not hold', `more FLOPs than JEST to the target: ${f.evidence}`);
  // JEST no better than uniform: there is no gain to keep, so Flexi "keeping it" proves nothing
  const flat = mk('jest learnability f=0.8', [[[500, 0.05], [1000, 0.1]], [[500, 0.05], [1000, 0.11]], [[500, 0.06], [1000, 0.09]]]);
  f = checkFindings(new Map([uni, flat, cheapGood].map((a) => [a.arm, a])), { uniform: 'uniform' })[4];
  assert.notEqual(f.verdict, 'holds', f.evidence);
  assert.match(f.evidence, /nothing to keep/);
});
