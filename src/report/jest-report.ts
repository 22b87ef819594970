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

/**
 * How many times fewer steps / FLOPs than the baseline's crossing. Interpolated means when no
 * crossing on either side is a first-interval bound; otherwise only a bound is honest: the
 * baseline's interval starts (the least it can have needed) over the arm's interval ends (the
 * most). Seeds that never reached the target are counted ("k/n seeds"), not silently dropped.
 */
export function fmtSpeedup(rs: Reach[], base: Reach[], kind: 'steps' | 'flops'): string {
  const val = (r: Reach) => (kind === 'steps' ? r.steps : r.flops);
  const ok = rs.filter((r) => val(r) !== null && r.interval);
  const b = base.filter((r) => val(r) !== null && r.interval);
  if (ok.length === 0 || b.length === 0) return '-';
  const seeds = ok.length < rs.length ? ` (${ok.length}/${rs.length} seeds)` : '';
  if (ok.some((r) => r.bound) || b.some((r) => r.bound)) {
    const hi = Math.max(...ok.map((r) => r.interval![kind][1]));
    const lo = mean(b.map((r) => r.interval![kind][0]));
    return hi > 0 && lo > 0 ? `≥ ${(lo / hi).toFixed(1)}${seeds}` : `-${seeds}`;
  }
  return `${(mean(b.map((r) => val(r)!)) / mean(ok.map((r) => val(r)!))).toFixed(2)}${seeds}`;
}

/** The most steps / FLOPs any seed can have needed: its interval's end (Infinity if a seed never reached it). */
export function worstCrossing(rs: Reach[], kind: 'steps' | 'flops'): number {
  return Math.max(...rs.map((r) => (r.steps === null || !r.interval ? Infinity : r.interval[kind][1])));
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
 * a's final accuracy against b's: +1 when a is higher by more than t(0.975, df) standard errors
 * of the difference, -1 when lower by as much, 0 within that (seed noise). Arms share seeds (the same
 * learner init, data order and reference for seed s), so the difference is taken seed by seed and
 * its standard error is that of the paired differences; unpaired arms fall back to the difference
 * of the means. With 3 seeds this is a screen, not a significance test; the report prints the
 * numbers next to the verdict.
 */
export function compareFinals(a: ArmSummary, b: ArmSummary): { diff: number; se: number; sign: -1 | 0 | 1; t: number } {
  return comparePaired(a.finals, b.finals);
}

/** Two-sided 95% Student t critical values by degrees of freedom (1..10; 2.0 beyond). */
const T95 = [NaN, 12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23];
export function tCritical(df: number): number {
  return df >= 1 && df < T95.length ? T95[df] : 2.0;
}

/**
 * Paired (seed by seed) when both have the same seeds, else the difference of the means. A sign
 * needs the difference to exceed t(0.975, df) standard errors: with 3 paired seeds (df = 2) that
 * is 4.30, not 2, which would call one difference in five "beyond noise" by chance.
 */
export function comparePaired(a: number[], b: number[]): { diff: number; se: number; sign: -1 | 0 | 1; t: number } {
  let diff: number;
  let se: number;
  let df: number;
  if (a.length === b.length && a.length >= 2) {
    const d = a.map((x, i) => x - b[i]);
    diff = mean(d);
    se = sd(d) / Math.sqrt(d.length);
    df = d.length - 1;
  } else {
    diff = mean(a) - mean(b);
    se = Math.sqrt(sd(a) ** 2 / Math.max(1, a.length) + sd(b) ** 2 / Math.max(1, b.length));
    df = a.length + b.length - 2;
  }
  const t = tCritical(df);
  // one seed each: no spread to judge by, so any difference counts (the report shows seeds = 1)
  const sign = se === 0 ? (Math.sign(diff) as -1 | 0 | 1) : diff > t * se ? 1 : diff < -t * se ? -1 : 0;
  return { diff, se, sign, t };
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
  if (flexi && learn && uni && flexi.seeds === learn.seeds && learn.seeds === uni.seeds) {
    // half 1 needs a gain to keep: JEST must beat uniform first (paired), then Flexi's gain must
    // exceed half of JEST's (paired: Flexi_s - U_s against (J_s - U_s) / 2)
    const jestGain = comparePaired(learn.finals, uni.finals);
    const half = comparePaired(flexi.finals.map((x, i) => x - uni.finals[i]), learn.finals.map((x, i) => 0.5 * (x - uni.finals[i])));
    const gainSign: -1 | 0 | 1 = jestGain.sign <= 0 ? 0 : half.sign;
    // half 2, conservatively: Flexi at the most it can have needed (a bound's interval end),
    // JEST at the least (a bound's interval start)
    const flexiHi = flexi.reaches.map((r) => (r.flops === null || !r.interval ? NaN : r.bound ? r.interval.flops[1] : r.flops));
    const jestLo = learn.reaches.map((r) => (r.flops === null || !r.interval ? NaN : r.bound ? r.interval.flops[0] : r.flops));
    const reachedAll = flexiHi.every(Number.isFinite) && jestLo.every(Number.isFinite);
    const cheaper = reachedAll ? comparePaired(jestLo, flexiHi) : null;
    const cheaperSign: -1 | 0 | 1 = cheaper ? cheaper.sign : flexiHi.every(Number.isFinite) ? 0 : -1;
    const noise = (c: { sign: number }) => (c.sign > 0 ? 'beyond' : c.sign < 0 ? 'reversed beyond' : 'within');
    out.push({
      title: "5. Flexi-JEST keeps most of JEST's gain while cutting the FLOPs to reach uniform's accuracy",
      verdict: verdictOf([gainSign, cheaperSign]),
      evidence:
        `gain over uniform: Flexi-JEST ${points(flexi.finalMean - uni.finalMean)} points vs JEST ${points(learn.finalMean - uni.finalMean)} (JEST over uniform ${points(jestGain.diff)} ± ${points(jestGain.se)}, ${noise(jestGain)} seed noise; Flexi's gain minus half of JEST's: ${points(half.diff)} ± ${points(half.se)}, paired, ${noise(half)} seed noise${jestGain.sign <= 0 ? '; with no JEST gain beyond noise there is nothing to keep: inconclusive' : ''}); ` +
        `FLOPs to uniform's final: Flexi-JEST ${fmtCrossing(flexi.reaches, 'flops', fmtFlops)} vs JEST ${fmtCrossing(learn.reaches, 'flops', fmtFlops)} (${cheaper ? `JEST's least minus Flexi's most ${cheaper.diff < 0 ? '-' : ''}${fmtFlops(Math.abs(cheaper.diff))} ± ${fmtFlops(cheaper.se)}, paired, ${noise(cheaper)} seed noise; a first-interval bound counts at its end for Flexi and at its start for JEST` : 'not every seed reached it'})`,
    });
  } else out.push({ title: "5. Flexi-JEST keeps most of JEST's gain while cutting FLOPs", verdict: 'not tested', evidence: 'not run in this setting (it needs Flexi-JEST, JEST and uniform arms with the same seeds)' });
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
    // every seed at the most it can have needed: its crossing interval's end
    const worst = worstCrossing(jest.reaches, 'steps');
    out.push({
      target: "JEST (learnability, f = 0.8) reaches uniform's final accuracy in at most a quarter of uniform's steps",
      met: worst <= uni.steps / 4,
      evidence: `${fmtCrossing(jest.reaches, 'steps', (x) => x.toFixed(0))} steps (slowest seed ${Number.isFinite(worst) ? `≤ ${worst.toFixed(0)}` : 'never'}) against uniform's ${uni.steps}: ${Number.isFinite(worst) ? `at least ${(uni.steps / worst).toFixed(1)}x fewer for the slowest seed` : 'not every seed reached it'} (a quarter = ${uni.steps / 4})`,
    });
  }
  if (uni && flexi) {
    const worst = worstCrossing(flexi.reaches, 'flops');
    const uniRun = uni.flopsPerStep * uni.steps;
    out.push({
      target: "Flexi-JEST reaches uniform's final accuracy with fewer total FLOPs than uniform, scoring included",
      met: worst < uniRun,
      evidence:
        `${fmtCrossing(flexi.reaches, 'flops', fmtFlops)} (slowest seed ≤ ${fmtFlops(Number.isFinite(worst) ? worst : null)}, its interval's end) against uniform's ${fmtFlops(uniRun)}: ${Number.isFinite(worst) ? `at least ${(uniRun / worst).toFixed(1)}x fewer` : 'not every seed reached it'}. ` +
        `With the reference's training added to the slowest seed's bound: amortised over the ${sharedBy} runs that shared it, ≤ ${fmtFlops(worst + referenceFlops / Math.max(1, sharedBy))} (${worst + referenceFlops / Math.max(1, sharedBy) < uniRun ? 'still below' : 'not shown below'} uniform); charged to one run alone, ≤ ${fmtFlops(worst + referenceFlops)} (${worst + referenceFlops < uniRun ? 'still below' : 'not shown below'} uniform)`,
    });
  }
  return out;
}

export function targetsMarkdown(ts: TargetCheck[]): string {
  return ts.map((t) => `- **${t.target}**: ${t.met ? 'met' : 'NOT met'}. ${t.evidence}.`).join('\n');
}
