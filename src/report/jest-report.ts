// The benchmark report: per-arm curves averaged over seeds, steps and FLOPs to reach uniform's
// final accuracy (scoring included), the reference's cost both ways, and the paper's five findings
// checked one by one against the numbers.
import { evalCurve, reach, type CurvePoint, type Reach } from '../runs/compare';
import type { RunEvent, StepEvent } from '../runs/events';

export interface ArmRuns {
  arm: string;
  /** One event list per seed. */
  seeds: RunEvent[][];
}

export interface ArmSummary {
  arm: string;
  seeds: number;
  /** Mean curve over seeds (points at the evaluation steps all seeds share). */
  curve: (CurvePoint & { lo: number; hi: number })[];
  finalMean: number;
  finalSd: number;
  /** Each seed's final value, in seed order (arms share seeds: comparisons pair them). */
  finals: number[];
  /** Each seed's crossing of the target, with the evaluation interval it lies in. */
  reaches: Reach[];
  /** Steps / FLOPs to reach the target, per seed (null: never). */
  stepsToTarget: (number | null)[];
  flopsToTarget: (number | null)[];
  msPerStep: number;
  flopsPerStep: number;
  /** Training steps of each run (the arm's length). */
  steps: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

export function meanCurve(seeds: RunEvent[][], set: string, metric: string): (CurvePoint & { lo: number; hi: number })[] {
  const curves = seeds.map((s) => evalCurve(s, set, metric));
  const steps = curves[0].map((p) => p.step).filter((st) => curves.every((c) => c.some((p) => p.step === st)));
  return steps.map((st) => {
    const pts = curves.map((c) => c.find((p) => p.step === st)!);
    const ys = pts.map((p) => p.value);
    return { step: st, flops: mean(pts.map((p) => p.flops)), value: mean(ys), lo: Math.min(...ys), hi: Math.max(...ys) };
  });
}

export function summariseArm(a: ArmRuns, set: string, metric: string, target: number): ArmSummary {
  const curve = meanCurve(a.seeds, set, metric);
  const finals = a.seeds.map((s) => {
    const c = evalCurve(s, set, metric);
    return c[c.length - 1].value;
  });
  const reaches = a.seeds.map((s) => reach(evalCurve(s, set, metric), target));
  const steps = a.seeds.flatMap((s) => s.filter((e): e is StepEvent => e.type === 'step'));
  const lastSteps = a.seeds.map((s) => s.filter((e): e is StepEvent => e.type === 'step').at(-1)!);
  return {
    arm: a.arm,
    seeds: a.seeds.length,
    curve,
    finalMean: mean(finals),
    finalSd: sd(finals),
    finals,
    reaches,
    stepsToTarget: reaches.map((r) => r.steps),
    flopsToTarget: reaches.map((r) => r.flops),
    // skip the first steps of each run (session creation, first-run shader/graph work)
    msPerStep: mean(steps.filter((e) => e.step > 10).map((e) => e.ms.total)),
    flopsPerStep: mean(lastSteps.map((e) => e.flops.total / e.step)),
    steps: Math.max(...lastSteps.map((e) => e.step)),
  };
}

export function fmtFlops(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'never';
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${x.toFixed(x < 10 ? 2 : 1)}${units[i]}`;
}

export const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** "mean ± sd (k/n seeds)" of the seeds that reached, or "never". */
export function fmtReach(xs: (number | null)[], f: (x: number) => string): string {
  const ok = xs.filter((x): x is number => x !== null);
  if (ok.length === 0) return 'never';
  const m = mean(ok);
  return `${f(m)} ± ${f(sd(ok))}${ok.length < xs.length ? ` (${ok.length}/${xs.length} seeds)` : ''}`;
}

/**
 * Seeds' crossings, honestly: "mean ± sd" of the interpolated points with the widest evaluation
 * interval they came from, or, when any seed crossed inside its first interval (where the line
 * from the near-chance first score says nothing), a bound "≤ end of that interval".
 */
export function fmtCrossing(rs: Reach[], kind: 'steps' | 'flops', f: (x: number) => string): string {
  const ok = rs.filter((r) => r.steps !== null && r.interval);
  if (ok.length === 0) return 'never';
  const seeds = ok.length < rs.length ? ` (${ok.length}/${rs.length} seeds)` : '';
  const hi = (r: Reach) => r.interval![kind][1];
  if (ok.some((r) => r.bound)) return `≤ ${f(Math.max(...ok.map(hi)))} (first interval)${seeds}`;
  const xs = ok.map((r) => (kind === 'steps' ? r.steps! : r.flops!));
  const width = Math.max(...ok.map((r) => r.interval![kind][1] - r.interval![kind][0]));
  return `${f(mean(xs))} ± ${f(sd(xs))} (intervals ≤ ${f(width)})${seeds}`;
}

/** How many times fewer steps / FLOPs than the baseline's crossing: a bound where the arm's is one. */
export function fmtSpeedup(rs: Reach[], base: Reach[], kind: 'steps' | 'flops'): string {
  const val = (r: Reach) => (kind === 'steps' ? r.steps : r.flops);
  const ok = rs.filter((r) => val(r) !== null && r.interval);
  const b = base.filter((r) => val(r) !== null && r.interval && !r.bound);
  if (ok.length === 0 || b.length === 0) return '-';
  const baseMean = mean(b.map((r) => val(r)!));
  if (ok.some((r) => r.bound)) return `≥ ${(baseMean / Math.max(...ok.map((r) => r.interval![kind][1]))).toFixed(1)}`;
  return (baseMean / mean(ok.map((r) => val(r)!))).toFixed(2);
}

/** The worst seed's steps / FLOPs to the target (a bound's interval end); Infinity if a seed never reached it. */
export function worstCrossing(rs: Reach[], kind: 'steps' | 'flops'): number {
  return Math.max(...rs.map((r) => (r.steps === null || !r.interval ? Infinity : r.bound ? r.interval[kind][1] : kind === 'steps' ? r.steps : r.flops!)));
}

/** The arms' table; `extra` adds columns (title -> text per arm), e.g. the held-out retrieval recall. */
export function armTable(rows: ArmSummary[], baseline: ArmSummary, extra: { title: string; values: Map<string, string> }[] = []): string {
  const lines = [
    `| arm | seeds | final (mean ± sd) | steps to uniform's final | x fewer steps | FLOPs to uniform's final (scoring incl.) | x fewer FLOPs | FLOPs / step | ms / step |${extra.map((e) => ` ${e.title} |`).join('')}`,
    `|---|---|---|---|---|---|---|---|---|${extra.map(() => '---|').join('')}`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.arm} | ${r.seeds} | ${pct(r.finalMean)} ± ${pct(r.finalSd)} | ${fmtCrossing(r.reaches, 'steps', (x) => x.toFixed(0))} | ` +
        `${fmtSpeedup(r.reaches, baseline.reaches, 'steps')} | ${fmtCrossing(r.reaches, 'flops', fmtFlops)} | ${fmtSpeedup(r.reaches, baseline.reaches, 'flops')} | ` +
        `${fmtFlops(r.flopsPerStep)} | ${r.msPerStep.toFixed(1)} |${extra.map((e) => ` ${e.values.get(r.arm) ?? '-'} |`).join('')}`,
    );
  }
  return lines.join('\n');
}

export type Verdict = 'holds' | 'does not hold' | 'inconclusive' | 'not tested';

export interface Finding {
  title: string;
  verdict: Verdict;
  evidence: string;
}

/**
 * a's final accuracy against b's: +1 when a is higher by more than two standard errors of the
 * difference, -1 when lower by as much, 0 within that (seed noise). Arms share seeds (the same
 * learner init, data order and reference for seed s), so the difference is taken seed by seed and
 * its standard error is that of the paired differences; unpaired arms fall back to the difference
 * of the means. With 3 seeds this is a screen, not a significance test; the report prints the
 * numbers next to the verdict.
 */
export function compareFinals(a: ArmSummary, b: ArmSummary): { diff: number; se: number; sign: -1 | 0 | 1 } {
  return comparePaired(a.finals, b.finals);
}

/** Paired (seed by seed) when both have the same seeds, else the difference of the means. */
export function comparePaired(a: number[], b: number[]): { diff: number; se: number; sign: -1 | 0 | 1 } {
  let diff: number;
  let se: number;
  if (a.length === b.length && a.length >= 2) {
    const d = a.map((x, i) => x - b[i]);
    diff = mean(d);
    se = sd(d) / Math.sqrt(d.length);
  } else {
    diff = mean(a) - mean(b);
    se = Math.sqrt(sd(a) ** 2 / Math.max(1, a.length) + sd(b) ** 2 / Math.max(1, b.length));
  }
  // one seed each: no spread to judge by, so any difference counts (the report shows seeds = 1)
  const sign = se === 0 ? (Math.sign(diff) as -1 | 0 | 1) : diff > 2 * se ? 1 : diff < -2 * se ? -1 : 0;
  return { diff, se, sign };
}

/** All of `signs` must be +1 to hold; any -1 (a reversal beyond noise) refutes; otherwise inconclusive. */
function verdictOf(signs: (-1 | 0 | 1)[]): Verdict {
  if (signs.length === 0) return 'not tested';
  if (signs.some((s) => s < 0)) return 'does not hold';
  return signs.every((s) => s > 0) ? 'holds' : 'inconclusive';
}

const points = (x: number) => `${(x * 100).toFixed(2)}`;
function vs(a: ArmSummary, b: ArmSummary, an: string, bn: string): string {
  const c = compareFinals(a, b);
  const paired = a.finals.length === b.finals.length && a.finals.length >= 2 ? 'paired over seeds, ' : '';
  return `${an} ${pct(a.finalMean)} vs ${bn} ${pct(b.finalMean)} (difference ${points(c.diff)} ± ${points(c.se)} points, ${paired}${c.sign > 0 ? 'beyond' : c.sign < 0 ? 'reversed beyond' : 'within'} seed noise)`;
}

/** The paper's five findings, each checked against the arms that test it. */
export function checkFindings(arms: Map<string, ArmSummary>, raw: { uniform: string }, hard?: { independent: string; jest: string }): Finding[] {
  const f = (name: string) => arms.get(name);
  const out: Finding[] = [];
  const learn = f('jest learnability f=0.8');
  const easy = f('jest easy-reference f=0.8');
  const hardL = f('jest hard-learner f=0.8');
  const uni = f(raw.uniform);
  out.push(
    learn && easy && hardL
      ? {
          title: '1. Learnability > easy reference > hard learner',
          verdict: verdictOf([compareFinals(learn, easy).sign, compareFinals(easy, hardL).sign]),
          evidence: `${vs(learn, easy, 'learnability', 'easy reference')}; ${vs(easy, hardL, 'easy reference', 'hard learner')}${uni ? ` (uniform ${pct(uni.finalMean)})` : ''}`,
        }
      : { title: '1. Learnability > easy reference > hard learner', verdict: 'not tested', evidence: 'not run in this setting' },
  );
  const gaps: string[] = [];
  const signs: (-1 | 0 | 1)[] = [];
  const gapValues: number[] = [];
  for (const fr of ['0.5', '0.8', '0.9']) {
    const j = f(`jest learnability f=${fr}`);
    const i = f(`independent learnability f=${fr}`);
    if (j && i) {
      gaps.push(`f=${fr}: ${vs(j, i, 'joint', 'independent')}`);
      signs.push(compareFinals(j, i).sign);
      gapValues.push(j.finalMean - i.finalMean);
    }
  }
  // the clean ablation: the same per-example score, sampled by softmax (not greedy top-k)
  const jSample = f('jest learnability f=0.8');
  const iSample = f('independent learnability f=0.8 (softmax sample)');
  if (jSample && iSample) {
    gaps.push(`f=0.8, independent sampled by softmax over its scores (as joint selection samples): ${vs(jSample, iSample, 'joint', 'independent (sampled)')}`);
    signs.push(compareFinals(jSample, iSample).sign);
  }
  if (hard) {
    const j = f(hard.jest);
    const i = f(hard.independent);
    if (j && i) {
      gaps.push(`hard-negative pool, f=0.8: ${vs(j, i, 'joint', 'independent')}`);
      signs.push(compareFinals(j, i).sign);
    }
  }
  if (gapValues.length < 2 && gaps.length) gaps.push('the growth of the gap with the filter ratio is not tested (independent selection ran at one ratio)');
  out.push({
    title: '2. Joint selection > independent selection, and the gap grows with the filter ratio',
    verdict: verdictOf(signs),
    evidence: gaps.join('; ') || 'not run in this setting',
  });
  const byF = ['0.5', '0.8', '0.9'].map((fr) => [fr, f(`jest learnability f=${fr}`)] as const).filter((x): x is readonly [string, ArmSummary] => x[1] !== undefined);
  const steps3: (-1 | 0 | 1)[] = [];
  const ev3: string[] = [];
  for (let k = 1; k < byF.length; k++) {
    steps3.push(compareFinals(byF[k][1], byF[k - 1][1]).sign);
    ev3.push(vs(byF[k][1], byF[k - 1][1], `f=${byF[k][0]}`, `f=${byF[k - 1][0]}`));
  }
  out.push({
    title: '3. A higher filter ratio learns faster (per step): higher accuracy after the same number of steps',
    verdict: verdictOf(steps3),
    evidence: byF.length >= 2 ? `${ev3.join('; ')}; steps to uniform's final: ${byF.map(([fr, a]) => `f=${fr} ${fmtCrossing(a.reaches, 'steps', (x) => x.toFixed(0))}`).join(', ')}` : 'not run',
  });
  const weak = f('jest learnability f=0.8, weak reference');
  out.push(
    learn && weak
      ? { title: '4. A better reference gives better JEST', verdict: verdictOf([compareFinals(learn, weak).sign]), evidence: vs(learn, weak, 'the full reference', 'a reference trained for a fifth of the steps') }
      : { title: '4. A better reference gives better JEST', verdict: 'not tested', evidence: 'needs a weaker reference arm; not run in this setting' },
  );
  // 5 has two halves, each tested against JEST itself (same seeds): Flexi keeps most of JEST's
  // gain over uniform (its gain is more than half of JEST's), and it reaches uniform's final
  // accuracy on fewer FLOPs than JEST does (scoring included).
  const flexi = f('flexi-jest f=0.8');
  if (flexi && learn && uni) {
    const gainHalf = comparePaired(flexi.finals.map((x, i) => x - uni.finals[i % uni.finals.length]), learn.finals.map((x, i) => 0.5 * (x - uni.finals[i % uni.finals.length])));
    const fl = (a: ArmSummary) => a.reaches.map((r) => (r.flops === null ? NaN : r.bound ? r.interval!.flops[1] : r.flops));
    const ff = fl(flexi);
    const jf = fl(learn);
    const reachedAll = ff.every(Number.isFinite) && jf.every(Number.isFinite);
    const cheaper = reachedAll ? comparePaired(jf, ff) : { diff: NaN, se: NaN, sign: (ff.every(Number.isFinite) ? 1 : -1) as -1 | 0 | 1 };
    out.push({
      title: "5. Flexi-JEST keeps most of JEST's gain while cutting the FLOPs to reach uniform's accuracy",
      verdict: verdictOf([gainHalf.sign, cheaper.sign]),
      evidence:
        `gain over uniform: Flexi-JEST ${points(flexi.finalMean - uni.finalMean)} points vs JEST ${points(learn.finalMean - uni.finalMean)} (Flexi's gain minus half of JEST's: ${points(gainHalf.diff)} ± ${points(gainHalf.se)}, ${gainHalf.sign > 0 ? 'beyond' : gainHalf.sign < 0 ? 'reversed beyond' : 'within'} seed noise); ` +
        `FLOPs to uniform's final: Flexi-JEST ${fmtCrossing(flexi.reaches, 'flops', fmtFlops)} vs JEST ${fmtCrossing(learn.reaches, 'flops', fmtFlops)} (JEST minus Flexi ${reachedAll ? `${fmtFlops(Math.abs(cheaper.diff))}${cheaper.diff < 0 ? ' the other way' : ''} ± ${fmtFlops(cheaper.se)}, paired, ${cheaper.sign > 0 ? 'beyond' : cheaper.sign < 0 ? 'reversed beyond' : 'within'} seed noise` : 'not every seed reached it'}; a first-interval bound counts at its end)`,
    });
  } else out.push({ title: "5. Flexi-JEST keeps most of JEST's gain while cutting FLOPs", verdict: 'not tested', evidence: 'not run in this setting' });
  return out;
}

export function findingsMarkdown(fs: Finding[]): string {
  return fs.map((x) => `- **${x.title}**: ${x.verdict}. ${x.evidence}.`).join('\n');
}

export interface TargetCheck {
  target: string;
  met: boolean;
  evidence: string;
}

/**
 * Issue 6's targets: JEST (learnability, f = 0.8) reaches uniform's final accuracy in at most a
 * quarter of uniform's steps; Flexi-JEST reaches it with fewer total FLOPs than uniform, scoring
 * included. Uniform's cost is its whole run (its final accuracy is where it ends); every seed of
 * the arm must reach the target for "met". The reference's own training is reported beside.
 */
export function checkTargets(arms: Map<string, ArmSummary>, uniformName: string, referenceFlops: number, sharedBy: number): TargetCheck[] {
  const uni = arms.get(uniformName);
  const jest = arms.get('jest learnability f=0.8');
  const flexi = arms.get('flexi-jest f=0.8');
  const out: TargetCheck[] = [];
  if (uni && jest) {
    // a seed that crossed in its first evaluation interval counts at that interval's end (a bound)
    const worst = worstCrossing(jest.reaches, 'steps');
    out.push({
      target: "JEST (learnability, f = 0.8) reaches uniform's final accuracy in at most a quarter of uniform's steps",
      met: worst <= uni.steps / 4,
      evidence: `${fmtCrossing(jest.reaches, 'steps', (x) => x.toFixed(0))} steps (slowest seed ${Number.isFinite(worst) ? `≤ ${worst.toFixed(0)}` : 'never'}) against uniform's ${uni.steps}: ${Number.isFinite(worst) ? `at least ${(uni.steps / worst).toFixed(1)}x fewer for the slowest seed` : 'not every seed reached it'} (a quarter = ${uni.steps / 4})`,
    });
  }
  if (uni && flexi) {
    const fr = flexi.flopsToTarget;
    const reached = fr.filter((x): x is number => x !== null);
    const worst = worstCrossing(flexi.reaches, 'flops');
    const uniRun = uni.flopsPerStep * uni.steps;
    out.push({
      target: "Flexi-JEST reaches uniform's final accuracy with fewer total FLOPs than uniform, scoring included",
      met: worst < uniRun,
      evidence:
        `${fmtCrossing(flexi.reaches, 'flops', fmtFlops)} (slowest seed ${fmtFlops(Number.isFinite(worst) ? worst : null)}) against uniform's ${fmtFlops(uniRun)}: ${Number.isFinite(worst) ? `${(uniRun / mean(reached)).toFixed(1)}x fewer` : 'not every seed reached it'}. ` +
        `With the reference's training added: amortised over the ${sharedBy} runs that shared it, ${fmtFlops(mean(reached) + referenceFlops / Math.max(1, sharedBy))} (${mean(reached) + referenceFlops / Math.max(1, sharedBy) < uniRun ? 'still below' : 'above'} uniform); charged to one run alone, ${fmtFlops(mean(reached) + referenceFlops)} (${mean(reached) + referenceFlops < uniRun ? 'still below' : 'above'} uniform)`,
    });
  }
  return out;
}

export function targetsMarkdown(ts: TargetCheck[]): string {
  return ts.map((t) => `- **${t.target}**: ${t.met ? 'met' : 'NOT met'}. ${t.evidence}.`).join('\n');
}
