// The main job's result as files, not only terminal text: report.json (every number, for scripts
// and for the README) and report.md (the same, readable), in the demo's own runs folder, with the
// machine they were measured on. The README quotes report.md, so its numbers have one source.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatComparison, type ComparisonRow } from '../runs/compare';
import { writeFileAtomic } from '../runs/folder';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntime: string;
}

export interface DemoReport {
  /** ISO time the demo started. */
  startedAt: string;
  machine: Machine;
  settings: { steps: number; poolIcons: number; evalMax: number; evalEvery: number; threads: number };
  evalSet: string;
  metric: string;
  runs: Record<'reference' | 'uniform' | 'jest', { dir: string; seconds: number; msPerStep: number; final: number }>;
  comparison: { target: number; rows: ComparisonRow[] };
  flops: { jestTrain: number; jestLearnerScoring: number; jestReferenceScoring: number; referencePerExample: number; referenceCache: number; referenceTraining: number };
  seconds: number;
}

export function thisMachine(): Machine {
  let ortVersion = 'unknown';
  try {
    ortVersion = (JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // a bundled engine without the package.json beside it
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntime: ortVersion,
  };
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const gflop = (x: number) => `${(x / 1e9).toFixed(1)} GFLOP`;

/** One sentence on the headline comparison, true in each case: reached faster, reached (no ratio), or not reached. */
function verdict(r: DemoReport, uniform: ComparisonRow, jest: ComparisonRow): string {
  const target = `uniform's final ${r.metric} (${pct(r.comparison.target)})`;
  if (jest.reach.steps === null) return `JEST did not reach ${target} within ${r.settings.steps} steps; it ended at ${pct(jest.reach.final)}.`;
  if (jest.stepSpeedup === null || jest.flopSpeedup === null) {
    return `JEST reached ${target} at step ${jest.reach.steps.toFixed(0)}, uniform at step ${uniform.reach.steps?.toFixed(0)} (no ratio: a target reached at step 0 says nothing); JEST ended at ${pct(jest.reach.final)}.`;
  }
  // the crossing is only known to lie between two evaluations: say which, and give a bound when
  // it is the first interval (the line from the near-chance step-0 score says nothing there)
  const iv = jest.reach.interval!;
  if (jest.reach.bound && uniform.reach.interval) {
    // only a bound: the least uniform can have needed (its interval's start) over the most JEST can have
    const u = uniform.reach.interval;
    return `JEST reached ${target} by step ${iv.steps[1]} (its first evaluation interval, so only a bound: at least ${(u.steps[0] / iv.steps[1]).toFixed(1)}x fewer steps and ${(u.flops[0] / iv.flops[1]).toFixed(2)}x fewer FLOPs, scoring and reference counted), and ended at ${pct(jest.reach.final)}.`;
  }
  return `JEST reached ${target} in ${jest.stepSpeedup.toFixed(1)}x fewer steps and ${jest.flopSpeedup.toFixed(2)}x fewer FLOPs (scoring and reference counted; its crossing is interpolated between the evaluations at steps ${iv.steps[0]} and ${iv.steps[1]}), and ended at ${pct(jest.reach.final)}.`;
}

/** The reference embedding cache, amortised (as in the table) and charged to this one run. */
function cacheLine(r: DemoReport, uniform: ComparisonRow, jest: ComparisonRow): string {
  const c = r.flops.referenceCache;
  const amortised = `Reference embedding cache: ${gflop(c)} once (${(c / r.flops.referencePerExample).toFixed(0)} pool examples); amortised over the runs that share it, as in the table above`;
  if (jest.reach.flops === null || uniform.reach.flops === null || !c) return `${amortised}.`;
  const charged = jest.reach.flops + c;
  const ratio = uniform.reach.flops / charged;
  const vs = ratio >= 1 ? `${ratio.toFixed(2)}x fewer than uniform's` : `${(1 / ratio).toFixed(2)}x more than uniform's`;
  return `${amortised}; charged to this one run, JEST's FLOPs to target are ${gflop(charged)}, ${vs}.`;
}

export function reportMarkdown(r: DemoReport): string {
  const m = r.machine;
  const [uniform, jest] = r.comparison.rows;
  const lines = [
    `# JEST Studio demo: JEST against uniform`,
    '',
    `Measured ${r.startedAt} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${m.os}; Node ${m.node}, onnxruntime-node ${m.onnxruntime}).`,
    `Settings: ${r.settings.steps} steps per run, ${r.settings.poolIcons} icons in the raw pool, ${r.settings.evalMax} held-out images, evaluation every ${r.settings.evalEvery} steps and every 20 up to step 300 (where crossings happen), ${r.settings.threads || 'all'} threads.`,
    '',
    `## Held-out zero-shot (${r.evalSet})`,
    '',
    '```',
    formatComparison(r.comparison, r.metric),
    '```',
    '',
    verdict(r, uniform, jest),
    '',
    '## Cost',
    '',
    '| run | wall time (with its evaluations and any data preparation) | ms per step | final ' + r.metric + ' |',
    '|---|---|---|---|',
    ...(['reference', 'uniform', 'jest'] as const).map((k) => `| ${k} | ${r.runs[k].seconds.toFixed(0)} s | ${r.runs[k].msPerStep.toFixed(1)} | ${pct(r.runs[k].final)} |`),
    '',
    `JEST FLOPs: training ${gflop(r.flops.jestTrain)}, learner scoring ${gflop(r.flops.jestLearnerScoring)}, reference scoring ${gflop(r.flops.jestReferenceScoring)} (reference embeddings cached: ${(r.flops.referencePerExample / 1e6).toFixed(2)} MFLOP per pool example, once).`,
    cacheLine(r, uniform, jest),
    `Reference training: ${gflop(r.flops.referenceTraining)}; charged to this one JEST run it adds ${((r.flops.referenceTraining / (r.flops.jestTrain + r.flops.jestLearnerScoring + r.flops.jestReferenceScoring)) * 100).toFixed(0)}% to its FLOPs; amortised over many runs it tends to 0.`,
    `Total ${r.seconds.toFixed(0)} s. uniform final ${pct(uniform.reach.final)}.`,
    '',
    `Runs: ${Object.values(r.runs).map((x) => `\`${x.dir}\``).join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}

/** Writes report.json and report.md into `dir`; returns their paths. */
export function writeDemoReport(dir: string, r: DemoReport): { json: string; md: string } {
  const json = path.join(dir, 'report.json');
  const md = path.join(dir, 'report.md');
  writeFileAtomic(json, JSON.stringify(r, null, 2) + '\n');
  writeFileAtomic(md, reportMarkdown(r));
  return { json, md };
}
