// The benchmark report: per-arm curves averaged over seeds, steps and FLOPs to reach uniform's
// final accuracy (scoring included), the reference's cost both ways, and the paper's five findings
// checked one by one against the numbers.
import { evalCurve, reach, type CurvePoint } from '../runs/compare';
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
  /** Steps / FLOPs to reach the target, per seed (null: never). */
  stepsToTarget: (number | null)[];
  flopsToTarget: (number | null)[];
  msPerStep: number;
  flopsPerStep: number;
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
    stepsToTarget: reaches.map((r) => r.steps),
    flopsToTarget: reaches.map((r) => r.flops),
    // skip the first steps of each run (session creation, first-run shader/graph work)
    msPerStep: mean(steps.filter((e) => e.step > 10).map((e) => e.ms.total)),
    flopsPerStep: mean(lastSteps.map((e) => e.flops.total / e.step)),
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

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** "mean ± sd (k/n seeds)" of the seeds that reached, or "never". */
export function fmtReach(xs: (number | null)[], f: (x: number) => string): string {
  const ok = xs.filter((x): x is number => x !== null);
  if (ok.length === 0) return 'never';
  const m = mean(ok);
  return `${f(m)} ± ${f(sd(ok))}${ok.length < xs.length ? ` (${ok.length}/${xs.length} seeds)` : ''}`;
}

export function armTable(rows: ArmSummary[], baseline: ArmSummary): string {
  const baseSteps = mean(baseline.stepsToTarget.filter((x): x is number => x !== null));
  const baseFlops = mean(baseline.flopsToTarget.filter((x): x is number => x !== null));
  const lines = [
    '| arm | seeds | final (mean ± sd) | steps to uniform\'s final | x fewer steps | FLOPs to uniform\'s final (scoring incl.) | x fewer FLOPs | FLOPs / step | ms / step |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const s = r.stepsToTarget.filter((x): x is number => x !== null);
    const f = r.flopsToTarget.filter((x): x is number => x !== null);
    lines.push(
      `| ${r.arm} | ${r.seeds} | ${pct(r.finalMean)} ± ${pct(r.finalSd)} | ${fmtReach(r.stepsToTarget, (x) => x.toFixed(0))} | ` +
        `${s.length ? (baseSteps / mean(s)).toFixed(2) : '-'} | ${fmtReach(r.flopsToTarget, fmtFlops)} | ${f.length ? (baseFlops / mean(f)).toFixed(2) : '-'} | ` +
        `${fmtFlops(r.flopsPerStep)} | ${r.msPerStep.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

export interface Finding {
  title: string;
  holds: boolean | null;
  evidence: string;
}

/** The paper's five findings, each checked against the arms that test it (null: not run). */
export function checkFindings(arms: Map<string, ArmSummary>, raw: { uniform: string }, hard?: { independent: string; jest: string }): Finding[] {
  const f = (name: string) => arms.get(name);
  const acc = (name: string) => f(name)?.finalMean;
  const out: Finding[] = [];
  const learn = acc('jest learnability f=0.8');
  const easy = acc('jest easy-reference f=0.8');
  const hardL = acc('jest hard-learner f=0.8');
  out.push(
    learn !== undefined && easy !== undefined && hardL !== undefined
      ? {
          title: '1. Learnability > easy reference > hard learner',
          holds: learn > easy && easy > hardL,
          evidence: `final accuracy: learnability ${pct(learn)}, easy reference ${pct(easy)}, hard learner ${pct(hardL)} (uniform ${pct(acc(raw.uniform)!)})`,
        }
      : { title: '1. Learnability > easy reference > hard learner', holds: null, evidence: 'not run in this setting' },
  );
  const gaps: string[] = [];
  const gapValues: number[] = [];
  for (const fr of ['0.5', '0.8', '0.9']) {
    const j = acc(`jest learnability f=${fr}`);
    const i = acc(`independent learnability f=${fr}`);
    if (j !== undefined && i !== undefined) {
      gaps.push(`f=${fr}: joint ${pct(j)} vs independent ${pct(i)} (gap ${((j - i) * 100).toFixed(2)} points)`);
      gapValues.push(j - i);
    }
  }
  if (hard) {
    const j = f(hard.jest)?.finalMean;
    const i = f(hard.independent)?.finalMean;
    if (j !== undefined && i !== undefined) gaps.push(`hard-negative pool, f=0.8: joint ${pct(j)} vs independent ${pct(i)}`);
  }
  out.push({
    title: '2. Joint selection > independent selection, and the gap grows with the filter ratio',
    holds: gapValues.length ? gapValues.every((g) => g > 0) && (gapValues.length < 2 || gapValues[gapValues.length - 1] >= gapValues[0]) : null,
    evidence: gaps.join('; ') || 'not run in this setting',
  });
  const byF = ['0.5', '0.8', '0.9'].map((fr) => [fr, f(`jest learnability f=${fr}`)] as const).filter(([, a]) => a);
  out.push({
    title: '3. A higher filter ratio learns faster (per step)',
    holds: byF.length >= 2 ? byF.every(([, a], k) => k === 0 || (a!.finalMean >= byF[k - 1][1]!.finalMean)) : null,
    evidence: byF.map(([fr, a]) => `f=${fr}: final ${pct(a!.finalMean)}, steps to uniform's final ${fmtReach(a!.stepsToTarget, (x) => x.toFixed(0))}`).join('; ') || 'not run',
  });
  const weak = acc('jest learnability f=0.8, weak reference');
  out.push(
    learn !== undefined && weak !== undefined
      ? {
          title: '4. A better reference gives better JEST',
          holds: learn > weak,
          evidence: `final accuracy with the full reference ${pct(learn)} vs a reference trained for a fifth of the steps ${pct(weak)}`,
        }
      : { title: '4. A better reference gives better JEST', holds: null, evidence: 'needs a weaker reference arm; not run in this setting' },
  );
  const flexi = f('flexi-jest f=0.8');
  const uni = f(raw.uniform);
  out.push(
    flexi && uni
      ? {
          title: '5. Flexi-JEST keeps most of the iteration gain while cutting total FLOPs (scoring included)',
          holds: flexi.flopsToTarget.some((x) => x !== null) && mean(flexi.flopsToTarget.filter((x): x is number => x !== null)) < mean(uni.flopsToTarget.filter((x): x is number => x !== null)),
          evidence: `FLOPs to uniform's final: Flexi-JEST ${fmtReach(flexi.flopsToTarget, fmtFlops)} vs uniform ${fmtReach(uni.flopsToTarget, fmtFlops)}; steps: ${fmtReach(flexi.stepsToTarget, (x) => x.toFixed(0))} vs ${fmtReach(uni.stepsToTarget, (x) => x.toFixed(0))}`,
        }
      : { title: '5. Flexi-JEST cuts total FLOPs', holds: null, evidence: 'not run in this setting' },
  );
  return out;
}

export function findingsMarkdown(fs: Finding[]): string {
  return fs.map((x) => `- **${x.title}**: ${x.holds === null ? 'not tested' : x.holds ? 'holds' : 'does not hold'}. ${x.evidence}.`).join('\n');
}
