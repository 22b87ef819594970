// Steps and FLOPs each run needs to reach a target accuracy: the paper's headline comparison
// ("13x fewer iterations, 10x less compute"). Between two evaluations the crossing is linearly
// interpolated, in steps and in FLOPs alike.
import type { EvalEvent, RunEvent } from './events';

export interface CurvePoint {
  step: number;
  flops: number;
  value: number;
}

export interface Reach {
  /** Steps / FLOPs at which the metric first reaches the target; null if it never does. */
  steps: number | null;
  flops: number | null;
  /**
   * The evaluations the crossing lies between (steps and FLOPs): the point above is only
   * interpolated inside it. null when the target is never reached.
   */
  interval: { steps: [number, number]; flops: [number, number] } | null;
  /**
   * The crossing is in the first interval (or at the first evaluation): interpolating from the
   * near-chance first score says little, so the honest statement is a bound, steps <= interval end.
   */
  bound: boolean;
  final: number;
  finalStep: number;
  finalFlops: number;
}

export function evalCurve(events: RunEvent[], set: string, metric: string): CurvePoint[] {
  const byStep = new Map<number, CurvePoint>();
  for (const e of events) {
    if (e.type !== 'eval' || e.set !== set || !(metric in e.metrics)) continue;
    // a resumed run may log a step twice: the later event wins
    byStep.set(e.step, { step: e.step, flops: (e as EvalEvent).flops.total, value: e.metrics[metric] });
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

export function reach(curve: CurvePoint[], target: number): Reach {
  if (curve.length === 0) throw new Error('no evaluation points to compare');
  const last = curve[curve.length - 1];
  const out: Reach = { steps: null, flops: null, final: last.value, finalStep: last.step, finalFlops: last.flops, interval: null, bound: false };
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i];
    if (p.value < target) continue;
    if (i === 0) return { ...out, steps: p.step, flops: p.flops, interval: { steps: [0, p.step], flops: [0, p.flops] }, bound: true };
    const q = curve[i - 1];
    const t = p.value === q.value ? 1 : (target - q.value) / (p.value - q.value);
    return { ...out, steps: q.step + t * (p.step - q.step), flops: q.flops + t * (p.flops - q.flops), interval: { steps: [q.step, p.step], flops: [q.flops, p.flops] }, bound: i === 1 };
  }
  return out;
}

export interface ComparisonRow {
  name: string;
  reach: Reach;
  /** baseline steps / this run's steps (how many times fewer), null if it never reaches. */
  stepSpeedup: number | null;
  flopSpeedup: number | null;
}

/** Compare runs against the first one; the target defaults to the first run's final value. */
export function compareRuns(runs: { name: string; events: RunEvent[] }[], set: string, metric: string, target?: number): { target: number; rows: ComparisonRow[] } {
  if (runs.length === 0) throw new Error('compare needs at least one run');
  const curves = runs.map((r) => evalCurve(r.events, set, metric));
  curves.forEach((c, i) => {
    if (c.length === 0) throw new Error(`run ${runs[i].name} has no "${metric}" evaluations on set "${set}"`);
  });
  const tgt = target ?? curves[0][curves[0].length - 1].value;
  const reaches = curves.map((c) => reach(c, tgt));
  const base = reaches[0];
  const rows = runs.map((r, i) => ({
    name: r.name,
    reach: reaches[i],
    stepSpeedup: base.steps !== null && reaches[i].steps ? base.steps / reaches[i].steps! : null,
    flopSpeedup: base.flops !== null && reaches[i].flops ? base.flops / reaches[i].flops! : null,
  }));
  return { target: tgt, rows };
}

function fmtFlops(x: number | null): string {
  if (x === null) return 'never';
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${x.toFixed(x < 10 ? 2 : 1)}${units[i]}`;
}

/** A plain-text table for terminals and reports. */
export function formatComparison(c: { target: number; rows: ComparisonRow[] }, metric: string): string {
  const pct = (v: number) => (metric.includes('/') && v <= 1 ? `${(v * 100).toFixed(2)}%` : v.toFixed(4));
  const head = ['run', `final ${metric}`, 'steps to target', 'x fewer steps', 'FLOPs to target', 'x fewer FLOPs'];
  // each crossing with the evaluations it lies between; in the first interval only a bound is known
  const base = c.rows[0]?.reach;
  const at = (r: Reach) => (r.steps === null || !r.interval ? 'never' : r.bound ? `<= ${r.interval.steps[1]} (first interval)` : `${r.steps.toFixed(0)} (in ${r.interval.steps[0]}-${r.interval.steps[1]})`);
  // against a bound only a bound: the baseline's interval start (the least it needed) over the
  // row's interval end (the most); a baseline that crossed in its first interval gives no ratio
  const ratio = (r: ComparisonRow, kind: 'steps' | 'flops', plain: number | null) => {
    if (plain === null || !r.reach.interval || !base?.interval) return '-';
    if (r === c.rows[0]) return '1.00';
    if (base.bound) return '-';
    if (!r.reach.bound) return plain.toFixed(2);
    const hi = r.reach.interval[kind][1];
    return hi > 0 ? `>= ${(base.interval[kind][0] / hi).toFixed(2)}` : '-';
  };
  const fewer = (r: ComparisonRow) => ratio(r, 'steps', r.stepSpeedup);
  const fewerFlops = (r: ComparisonRow) => ratio(r, 'flops', r.flopSpeedup);
  const body = c.rows.map((r) => [
    r.name,
    pct(r.reach.final),
    at(r.reach),
    fewer(r),
    r.reach.bound && r.reach.interval ? `<= ${fmtFlops(r.reach.interval.flops[1])}` : fmtFlops(r.reach.flops),
    fewerFlops(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [`target: ${metric} >= ${pct(c.target)} (the first run's final value unless given)`, line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * The fixed models the runs evaluated on `set` (their reference, pretrained baselines: 'baseline'
 * events), once each: what the learners' numbers are measured against.
 */
export function fixedModelLines(runs: { name: string; events: RunEvent[] }[], set: string, metric: string): string[] {
  const pct = (v: number) => (metric.includes('/') && v <= 1 ? `${(v * 100).toFixed(2)}%` : v.toFixed(4));
  const seen = new Map<string, string>();
  for (const r of runs) {
    for (const e of r.events) {
      if (e.type !== 'baseline' || e.set !== set || !(metric in e.metrics)) continue;
      const key = `${e.model}\u0000${e.description}`;
      if (!seen.has(key)) seen.set(key, `  ${e.model} (${e.description}${e.model === 'reference' ? `, ${r.name}'s` : ''}): ${metric} ${pct(e.metrics[metric])} on ${e.examples} examples`);
    }
  }
  return seen.size ? [`fixed models on ${set}:`, ...seen.values()] : [];
}

/** Every (set, metric) some run evaluated, in first-seen order: what a comparison can be on. */
export function evalMetrics(events: RunEvent[][]): { set: string; metric: string }[] {
  const seen = new Map<string, { set: string; metric: string }>();
  for (const list of events) for (const e of list) if (e.type === 'eval') for (const metric of Object.keys(e.metrics)) seen.set(`${e.set}\u0000${metric}`, { set: e.set, metric });
  return [...seen.values()];
}

export interface ComparisonTableRow {
  dir: string;
  name: string;
  /** null: this run has no evaluation of the metric. */
  reach: Reach | null;
  stepSpeedup: number | null;
  flopSpeedup: number | null;
}

/**
 * compareRuns for a table that shows every run whatever it has: a run without the metric gets a
 * row that says so instead of failing the comparison. The first run is the baseline; the target
 * is its final value.
 */
export function comparisonTable(runs: { dir: string; name: string; events: RunEvent[] }[], set: string, metric: string): { target: number | null; rows: ComparisonTableRow[] } {
  const curves = runs.map((r) => evalCurve(r.events, set, metric));
  const target = curves[0]?.length ? curves[0][curves[0].length - 1].value : null;
  const reaches = curves.map((c) => (c.length && target !== null ? reach(c, target) : null));
  const base = reaches[0];
  const rows = runs.map((r, i) => {
    const x = reaches[i];
    return {
      dir: r.dir,
      name: r.name,
      reach: x,
      stepSpeedup: base?.steps && x?.steps ? base.steps / x.steps : null,
      flopSpeedup: base?.flops && x?.flops ? base.flops / x.flops : null,
    };
  });
  return { target, rows };
}
