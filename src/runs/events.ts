// The run's event stream: one JSON object per line of metrics.jsonl, and the same objects over
// the child process's IPC channel to the extension. Versioned: a reader refuses a newer major.
//
// Every number a user sees is computed in the engine and written here; the UI only renders it.

export const EVENT_SCHEMA_VERSION = 1;

/** FLOPs so far, split the way the paper counts them (scoring included in comparisons). */
export interface FlopLedger {
  train: number;
  learnerScoring: number;
  referenceScoring: number;
  /** train + learnerScoring + referenceScoring: the reference embedding cache amortised (over many runs, its share tends to 0). */
  total: number;
  /**
   * The one-off cost of the reference embedding cache this run scores from (examples cached x the
   * reference's forward FLOPs per example), whether this run built it or found it built: add it to
   * `total` to charge the cache to this one run. 0 when the reference scores online. Absent in runs
   * logged before it existed.
   */
  referenceCache?: number;
}

export interface SelectionStats {
  method: string;
  score: string;
  superBatch: number;
  selected: number;
  /** Σ of the score sub-matrix of the selected batch, per selected example. */
  selectedScore: number;
  /** The same for a uniformly random batch of the same size (expectation), per example. */
  randomScore: number;
  /** Mean learner / reference per-pair loss on the diagonal of the selected batch (when scored). */
  selectedLearnerLoss?: number;
  selectedReferenceLoss?: number;
  /** Of the selected examples, how many the data marks as noisy (synthetic / noisy sources). */
  selectedNoisy?: number;
}

interface Base {
  v: number;
  /** Milliseconds since the epoch. */
  time: number;
}

export interface RunStartEvent extends Base {
  type: 'run-start';
  runId: string;
  name: string;
  device: string;
  deviceNote: string;
  parameters: number;
  /** FLOPs of one train step, one learner scoring pass, one reference pass per example. */
  flopsPerStep: { train: number; learnerScoring: number; referencePerExample: number };
  resumedFrom: number | null;
  totalSteps: number;
  /** The reference scoring this run (absent without one): what it is and where its t', b came from. */
  reference?: {
    description: string;
    imageSize: number;
    tPrime: number;
    bias: number;
    /** trained | given | graph | config | fitted (jest/reference.ts ReferenceScale). */
    scaleSource: string;
    scaleDetail: string;
  };
}

export interface StepEvent extends Base {
  type: 'step';
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  flops: FlopLedger;
  /** Wall-clock of this step, and its parts. */
  ms: { total: number; data: number; scoring: number; selection: number; train: number };
  examplesPerSecond: number;
  selection?: SelectionStats;
}

export interface EvalEvent extends Base {
  type: 'eval';
  step: number;
  flops: FlopLedger;
  set: string;
  /** e.g. 'zero-shot/top1', 'zero-shot/top5', 'i2t/r1', 'i2t/r5', 't2i/r1', 't2i/r5' (fractions in [0,1]). */
  metrics: Record<string, number>;
  examples: number;
}

/** A fixed model (the reference, a pretrained baseline) evaluated once on a held-out set. */
export interface BaselineEvent extends Base {
  type: 'baseline';
  /** "reference", or the baseline's name from evaluation.baselines. */
  model: string;
  description: string;
  set: string;
  metrics: Record<string, number>;
  examples: number;
}

export interface SnapshotEvent extends Base {
  type: 'snapshot';
  step: number;
  /** Relative to the run folder. */
  file: string;
}

export interface CheckpointEvent extends Base {
  type: 'checkpoint';
  step: number;
  file: string;
  reason: 'periodic' | 'final' | 'signal' | 'before-failure';
}

export type RunStatus = 'starting' | 'running' | 'finished' | 'failed' | 'stopped';

export interface StatusEvent extends Base {
  type: 'status';
  status: RunStatus;
  step: number;
  message?: string;
}

export interface LogEvent extends Base {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type RunEvent = RunStartEvent | StepEvent | EvalEvent | BaselineEvent | SnapshotEvent | CheckpointEvent | StatusEvent | LogEvent;

export type Payload<E extends RunEvent> = Omit<E, 'v' | 'time'>;
export type NewEvent =
  | Payload<RunStartEvent>
  | Payload<StepEvent>
  | Payload<EvalEvent>
  | Payload<BaselineEvent>
  | Payload<SnapshotEvent>
  | Payload<CheckpointEvent>
  | Payload<StatusEvent>
  | Payload<LogEvent>;

const TYPES = new Set(['run-start', 'step', 'eval', 'baseline', 'snapshot', 'checkpoint', 'status', 'log']);

/** Parse one line; null for a blank or partial line (a tailer may see a line being written). */
export function parseEvent(line: string): RunEvent | null {
  const t = line.trim();
  if (!t) return null;
  let e: unknown;
  try {
    e = JSON.parse(t);
  } catch {
    return null;
  }
  if (typeof e !== 'object' || e === null) return null;
  const ev = e as { v?: unknown; type?: unknown };
  if (typeof ev.v !== 'number' || typeof ev.type !== 'string' || !TYPES.has(ev.type)) return null;
  if (Math.floor(ev.v) > EVENT_SCHEMA_VERSION) {
    throw new Error(`metrics event schema v${ev.v} is newer than this JEST Studio (v${EVENT_SCHEMA_VERSION}): update the extension`);
  }
  return e as RunEvent;
}

/**
 * How many of a run's events come before the point a resume from `step` continues from: a resume
 * re-does everything after its checkpoint (the steps, evaluations and snapshots an interrupted
 * stretch logged past it), so those events are dropped there rather than left twice for readers.
 * The point is just after the `checkpoint` event of that step, or, where the trainer died between
 * writing the checkpoint and logging it, just after that step's `step` event, and after that
 * step's evaluations too when the checkpoint records them as done (`evaluatedAt`: a final or a
 * stop checkpoint, taken after them). `step` null (a run restarted from step 0, having no
 * checkpoint): none is kept.
 */
export function eventsBeforeResume(events: readonly RunEvent[], step: number | null, evaluatedAt: number | null = null): number {
  if (step === null) return 0;
  let afterStep = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'checkpoint' && e.step === step) return i + 1;
    if (afterStep < 0 && e.type === 'step' && e.step === step) afterStep = i + 1;
  }
  // the checkpoint holds evaluatedAt = step: the evaluations logged right after the step are not redone
  if (afterStep >= 0 && evaluatedAt === step) while (afterStep < events.length && events[afterStep].type === 'eval' && (events[afterStep] as EvalEvent).step === step) afterStep++;
  // neither logged (a checkpoint of step 0 whose event was lost): nothing past it to drop
  return afterStep >= 0 ? afterStep : events.length;
}
