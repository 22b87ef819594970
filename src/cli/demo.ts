// The main job: JEST against uniform on real image-text data that ships with npm packages.
//   1. a reference model trained (uniform) on the curated emoji set (Google + Twitter, CLDR labels);
//   2. two learners on the raw pool (iconify icons + emoji with noisy captions): uniform, and JEST
//      (learnability, filter ratio 0.8, 16 chunks) steered by that reference;
//   3. evaluation on an emoji style never trained on (fluent-emoji-flat), each image ranked
//      against every label (zero-shot), and a table: steps and FLOPs each learner needs to reach
//      uniform's final accuracy.
import * as path from 'node:path';
import { DEFAULT_EXPERIMENT, type Experiment } from '../config/experiment';
import type { SourceSpec } from '../data/sources/registry';
import { compareRuns, evalCurve, formatComparison } from '../runs/compare';
import type { RunStartEvent, StepEvent } from '../runs/events';
import { newRunDir } from '../runs/folder';
import { readRun } from '../runs/reader';
import { runTraining, type TrainResult } from '../train/loop';
import { thisMachine, writeDemoReport, type DemoReport } from './demo-report';
import { ProgressBar } from './progress';

export interface DemoOptions {
  runsRoot: string;
  /** Learner and reference steps. */
  steps: number;
  /** Icons in the raw pool. */
  poolIcons: number;
  /** Held-out images to evaluate on. */
  evalMax: number;
  evalEvery: number;
  threads: number;
  cacheRoot?: string;
  out?: NodeJS.WriteStream;
}

export const DEMO_DEFAULTS: DemoOptions = { runsRoot: 'runs', steps: 1000, poolIcons: 20000, evalMax: 1500, evalEvery: 100, threads: 0 };
export const DEMO_QUICK: Partial<DemoOptions> = { steps: 300, poolIcons: 5000, evalMax: 600, evalEvery: 50 };

const METRIC = 'zero-shot/top5';
const EVAL_SET = 'emoji, held-out style (fluent-emoji-flat)';

export function demoExperiments(o: DemoOptions, referenceRun: string): { reference: Experiment; uniform: Experiment; jest: Experiment } {
  const base = structuredClone(DEFAULT_EXPERIMENT);
  const curated: SourceSpec = { kind: 'builtin', name: 'emoji' } as SourceSpec;
  // The same pool as examples/jest-icons.jest.json.
  const pool: SourceSpec = {
    kind: 'concat',
    sources: [
      { kind: 'builtin', name: 'icons', max: o.poolIcons },
      // the curated vendors again, but with a quarter of the captions wrong and some vague:
      // raw web data is like this, and the reference should steer selection away from it
      { kind: 'noisy', source: { kind: 'builtin', name: 'emoji' }, mismatchFraction: 0.25, vagueFraction: 0.1, seed: 1 },
    ],
  };
  const common: Experiment = {
    ...base,
    model: { imageSize: 16, patchSizes: [4, 8], width: 64, depth: 1, heads: 4, mlpRatio: 4, embedDim: 64, vocabSize: 8192, seqLen: 8 },
    optimizer: { ...base.optimizer, lr: 2e-3, warmupSteps: Math.min(100, Math.round(o.steps / 10)), schedule: 'cosine' },
    training: { batchSize: 64, steps: o.steps, seed: 0 },
    runtime: { device: 'cpu', threads: o.threads },
    // denser early, where JEST crosses uniform's final accuracy: its crossing then lies in a 20-step interval
    evaluation: { every: o.evalEvery, steps: Array.from({ length: Math.floor(Math.min(300, o.steps) / 20) + 1 }, (_, i) => i * 20), reference: true, baselines: [] },
    snapshotEvery: o.evalEvery,
    checkpointEvery: o.evalEvery * 5,
    data: {
      train: pool,
      curated,
      eval: [{ name: EVAL_SET, source: { kind: 'builtin', name: 'emoji-heldout' } as SourceSpec, tasks: ['zero-shot'], max: o.evalMax, sample: 'random', templates: ['{}'] }],
      maxTrainExamples: null,
      tokenizer: null,
    },
    reference: null,
  };
  return {
    reference: { ...common, name: 'reference-emoji', data: { ...common.data, train: curated }, selection: { ...base.selection, method: 'uniform' } },
    uniform: { ...common, name: 'uniform', selection: { ...base.selection, method: 'uniform' } },
    jest: {
      ...common,
      name: 'jest',
      selection: { ...base.selection, method: 'jest', score: 'learnability', filterRatio: 0.8, chunks: 16 },
      reference: { run: referenceRun, encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true },
    },
  };
}

export async function runDemo(o: DemoOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  const t0 = Date.now();
  const log = (m: string) => out.write(`  ${m}\n`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // one folder for the demo: its three runs and its report (readers list runs one folder down)
    const root = newRunDir(o.runsRoot, 'demo');
    const dirs = { reference: path.join(root, 'reference-emoji'), uniform: path.join(root, 'uniform'), jest: path.join(root, 'jest') };
    const startedAt = new Date().toISOString();
    const seconds: Record<string, number> = {};
    const exps = demoExperiments(o, dirs.reference);
    const results: Record<string, TrainResult> = {};
    const stages: [keyof typeof dirs, string][] = [
      ['reference', '1/3 reference: uniform on the curated emoji set'],
      ['uniform', '2/3 learner: uniform on the raw pool'],
      ['jest', '3/3 learner: JEST (learnability, f = 0.8, 16 chunks) on the raw pool'],
    ];
    for (const [key, title] of stages) {
      out.write(`\n${title}\n  run folder: ${dirs[key]}\n`);
      const bar = new ProgressBar(key);
      const started = Date.now();
      results[key] = await runTraining(exps[key], { runDir: dirs[key], resume: false, signal: stop.signal, log, cacheRoot: o.cacheRoot, onEvent: (e) => bar.onEvent(e) });
      seconds[key] = (Date.now() - started) / 1000;
      if (results[key].status !== 'finished') {
        out.write(`\n${key} ${results[key].status}${results[key].message ? `: ${results[key].message}` : ''}\n`);
        return results[key].status === 'stopped' ? 130 : 1;
      }
    }

    const runs = (['uniform', 'jest'] as const).map((k) => ({ name: k, events: readRun(dirs[k]).events }));
    const table = compareRuns(runs, EVAL_SET, METRIC);
    out.write(`\nHeld-out zero-shot (${EVAL_SET}), ${o.evalMax} images ranked against every label:\n`);
    out.write(formatComparison(table, METRIC) + '\n');

    // What selection cost and what the reference cost, both ways.
    const jestEvents = readRun(dirs.jest).events;
    const steps = jestEvents.filter((e): e is StepEvent => e.type === 'step');
    const last = steps[steps.length - 1];
    const refEvents = readRun(dirs.reference).events;
    const refSteps = refEvents.filter((e): e is StepEvent => e.type === 'step');
    const start = jestEvents.find((e): e is RunStartEvent => e.type === 'run-start')!;
    const uniformSteps = runs[0].events.filter((e): e is StepEvent => e.type === 'step');
    const ms = (xs: StepEvent[]) => xs.slice(10).reduce((s, x) => s + x.ms.total, 0) / Math.max(1, xs.length - 10);
    const finalOf = (events: typeof jestEvents) => evalCurve(events, EVAL_SET, METRIC).at(-1)?.value ?? NaN;
    const report: DemoReport = {
      startedAt,
      machine: thisMachine(),
      settings: { steps: o.steps, poolIcons: o.poolIcons, evalMax: o.evalMax, evalEvery: o.evalEvery, threads: o.threads },
      evalSet: EVAL_SET,
      metric: METRIC,
      runs: {
        reference: { dir: dirs.reference, seconds: seconds.reference, msPerStep: ms(refSteps), final: finalOf(refEvents) },
        uniform: { dir: dirs.uniform, seconds: seconds.uniform, msPerStep: ms(uniformSteps), final: finalOf(runs[0].events) },
        jest: { dir: dirs.jest, seconds: seconds.jest, msPerStep: ms(steps), final: finalOf(jestEvents) },
      },
      comparison: table,
      flops: {
        jestTrain: last.flops.train,
        jestLearnerScoring: last.flops.learnerScoring,
        jestReferenceScoring: last.flops.referenceScoring,
        referencePerExample: start.flopsPerStep.referencePerExample,
        referenceCache: last.flops.referenceCache ?? 0,
        referenceTraining: refSteps[refSteps.length - 1].flops.total,
      },
      seconds: (Date.now() - t0) / 1000,
    };
    const g = (x: number) => `${(x / 1e9).toFixed(1)} GFLOP`;
    const f = report.flops;
    out.write(
      `\nJEST FLOPs: training ${g(f.jestTrain)}, learner scoring ${g(f.jestLearnerScoring)}, reference scoring ${g(f.jestReferenceScoring)}` +
        ` (reference embeddings cached: ${(f.referencePerExample / 1e6).toFixed(2)} MFLOP per pool example, once).\n` +
        `Reference training: ${g(f.referenceTraining)}; charged to this one JEST run it adds ${((f.referenceTraining / last.flops.total) * 100).toFixed(0)}% to its FLOPs, amortised over many runs it tends to 0.\n` +
        `Wall-clock per step: uniform ${report.runs.uniform.msPerStep.toFixed(1)} ms, JEST ${report.runs.jest.msPerStep.toFixed(1)} ms. Total ${report.seconds.toFixed(0)} s.\n`,
    );
    const files = writeDemoReport(root, report);
    out.write(`Report: ${files.md} (and report.json)\nCompare again any time: jest-studio compare ${dirs.uniform} ${dirs.jest}\n`);
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export function demoOptions(flags: Record<string, string | boolean>): DemoOptions {
  const o: DemoOptions = { ...DEMO_DEFAULTS, ...(flags.quick ? DEMO_QUICK : {}) };
  const num = (k: string, into: keyof DemoOptions) => {
    if (flags[k] === undefined) return;
    const v = Number(flags[k]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number, got ${String(flags[k])}`);
    (o as unknown as Record<string, number>)[into] = v;
  };
  num('steps', 'steps');
  num('pool-icons', 'poolIcons');
  num('eval-max', 'evalMax');
  num('eval-every', 'evalEvery');
  num('threads', 'threads');
  if (typeof flags.runs === 'string') o.runsRoot = flags.runs;
  o.runsRoot = path.resolve(o.runsRoot);
  return o;
}
