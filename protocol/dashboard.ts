// The dashboard's message contract (host <-> webview/dashboard). Metrics travel as columns of
// Float64Array: pre-sorted by step, cheap to structured-clone (VS Code transfers typed arrays
// without JSON), and exactly what the webview's min-max decimation scans.
import {
  IpcCommand,
  IpcNotification,
  IpcRequest,
  MAX_STEP,
  MessageError,
  expectArray,
  expectInteger,
  expectKeys,
  expectKnownRunDir,
  expectObject,
  expectOneOf,
  expectString,
  type ErrorResponse,
  type ReadyParams,
} from './base';

export const DASHBOARD_VIEW_TYPE = 'jestStudio.dashboard';
/**
 * Bumped whenever a message of this contract changes shape (protocol/base.ts readyAction).
 * 2: the optimizer chart, step/open. 3: the comparison table, the experiment filter.
 */
export const PROTOCOL_VERSION = 3;
const scope = 'dashboard';

/** Step-event columns, named after the event field they come from. */
export const STEP_SERIES = [
  'loss',
  'lr',
  'gradNorm',
  'examplesPerSecond',
  'ms.total',
  'ms.data',
  'ms.scoring',
  'ms.selection',
  'ms.train',
  'selection.selectedScore',
  'selection.randomScore',
  /** selectedNoisy / selected: the share of the chosen batch the data marks as noisy. */
  'selection.noisyFraction',
  'selection.learnerLoss',
  'selection.referenceLoss',
] as const;
export type StepSeries = (typeof STEP_SERIES)[number];

/** Columns aligned by index, sorted by step; NaN where an event lacks a value (a gap in the line). */
export interface MetricTable {
  step: Float64Array;
  /** Total FLOPs so far (training + scoring), the paper's compute axis. */
  flops: Float64Array;
  /** Step tables: the keys of STEP_SERIES; eval tables: `<set>/<metric>`, e.g. `held-out/zero-shot/top1`. */
  columns: Record<string, Float64Array>;
}

export type RunStatusName = 'starting' | 'running' | 'finished' | 'failed' | 'stopped' | 'died' | 'unknown';

export interface RunListItem {
  dir: string;
  name: string;
  status: RunStatusName;
  step: number;
  totalSteps: number;
  live: boolean;
}

export interface RunData {
  dir: string;
  /** The engine's run id when the run-start event is there, else the folder: hashed for a stable colour. */
  id: string;
  name: string;
  status: RunStatusName;
  steps: MetricTable;
  evals: MetricTable;
}

// ------------------------------------------------------------------ webview -> host

export const ReadyCommand = new IpcCommand<ReadyParams>(scope, 'ready');

export interface SetRunsParams {
  dirs: string[];
}
/** Show these runs (checkboxes in the run list). */
export const SetRunsCommand = new IpcCommand<SetRunsParams>(scope, 'runs/set');

export const CHART_IDS = ['loss', 'optimizer', 'eval', 'learnability', 'selection', 'throughput'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface OpenStepParams {
  /** A run the dashboard shows. */
  dir: string;
  /** The step of the clicked point: the host opens the batch inspector there (nearest snapshot). */
  step: number;
}
/** A chart point was clicked: show that run's selection at that step (jestStudio.inspectBatches). */
export const OpenStepCommand = new IpcCommand<OpenStepParams>(scope, 'step/open');

export type ExportParams = { format: 'png'; chart: ChartId; dataUrl: string } | { format: 'csv' };
export interface ExportResponse {
  /** Where the file went; null when the user cancelled the save dialog. */
  saved: string | null;
}
/** The webview renders the PNG (it owns the canvas); the host writes both files and builds the CSV from its own data. */
export const ExportRequest = new IpcRequest<ExportParams, ExportResponse | ErrorResponse>(scope, 'export');

export interface SetComparisonMetricParams {
  /** One of ComparisonState.metrics' keys. */
  metric: string;
}
/** Compare on another eval metric (the select above the comparison table). */
export const SetComparisonMetricCommand = new IpcCommand<SetComparisonMetricParams>(scope, 'comparison/metric/set');

// ------------------------------------------------------------------ host -> webview

/** An eval metric some compared run has: `key` is `<set>/<metric>`, as the eval table's columns. */
export interface ComparisonMetric {
  key: string;
  set: string;
  metric: string;
}

/** One run against the baseline (src/runs/compare.ts comparisonTable, computed by the host). */
export interface ComparisonRow {
  dir: string;
  name: string;
  /** false: the run has no evaluation of the metric (every number below is null). */
  evaluated: boolean;
  final: number | null;
  finalStep: number | null;
  /** Steps / FLOPs to reach the target (interpolated between evaluations); null: not reached. */
  steps: number | null;
  flops: number | null;
  /** The baseline's steps / FLOPs over this run's: how many times fewer; null: not reached. */
  stepSpeedup: number | null;
  flopSpeedup: number | null;
}

/** A field of the runs' config.json that is not the baseline's in some run. */
export interface ConfigDifferenceRow {
  /** Dotted path, e.g. `selection.method`. */
  path: string;
  /** The value in each run (rows' order, the baseline first), as JSON text; null where the run lacks the field. */
  values: (string | null)[];
}

/** Compare Runs: every shown run against the first one picked (the baseline). */
export interface ComparisonState {
  /** The metrics the compared runs evaluated; empty when none did. */
  metrics: ComparisonMetric[];
  /** The chosen metric's key ('' when there is none). */
  metric: string;
  /** The baseline's final value of the metric; null when the baseline has none. */
  target: number | null;
  /** The baseline first. */
  rows: ComparisonRow[];
  config: ConfigDifferenceRow[];
}

export interface DashboardState {
  runs: RunData[];
  /** Every run this window knows, for the run picker. */
  available: RunListItem[];
  /** Opened on one experiment (its CodeLens): only its runs are shown and followed as they start. */
  experiment: string | null;
  /** Opened by Compare Runs: the table of steps and FLOPs to the baseline's accuracy; else null. */
  comparison: ComparisonState | null;
}
/** The full state: sent when the webview says it is ready (first load, and again after being hidden). */
export const DidChangeStateNotification = new IpcNotification<DashboardState>(scope, 'state/didChange');

export interface MetricsDelta {
  dir: string;
  status: RunStatusName;
  /** Rows to append, in step order, after the rows the webview already has. */
  steps: MetricTable;
  evals: MetricTable;
  /** When the engine wrote the oldest step event in these rows (ms since epoch): the page measures event -> chart latency from it. */
  writtenAt?: number;
  /** When the host received that event and when it posted this delta (host clock, ms since epoch): the latency's parts. */
  receivedAt?: number;
  postedAt?: number;
}
export const DidAppendMetricsNotification = new IpcNotification<{ runs: MetricsDelta[] }>(scope, 'metrics/didAppend');

export const DidChangeRunListNotification = new IpcNotification<{ available: RunListItem[] }>(scope, 'runs/didChange');
/** The comparison changed (another metric chosen, a new evaluation of a compared run). */
export const DidChangeComparisonNotification = new IpcNotification<{ comparison: ComparisonState | null }>(scope, 'comparison/didChange');

// ------------------------------------------------------------------ validators (host side)

/** The most runs one dashboard overlays; more would make neither the legend nor the colours readable. */
export const MAX_RUNS = 32;
/** A PNG of a chart canvas at any sane size is far below this (data: URL, base64). */
export const MAX_PNG_DATA_URL = 32 * 1024 * 1024;

export function validateSetRuns(params: unknown, known: ReadonlySet<string>): SetRunsParams {
  const o = expectObject(params, 'runs/set');
  expectKeys(o, ['dirs'], 'runs/set');
  const dirs = expectArray(o.dirs, 'runs/set.dirs', MAX_RUNS).map((d, i) => expectKnownRunDir(d, `runs/set.dirs[${i}]`, known));
  return { dirs: [...new Set(dirs)] };
}

/** `known`: the runs this dashboard shows (not merely any run the window knows). */
export function validateOpenStep(params: unknown, known: ReadonlySet<string>): OpenStepParams {
  const o = expectObject(params, 'step/open');
  expectKeys(o, ['dir', 'step'], 'step/open');
  return { dir: expectKnownRunDir(o.dir, 'step/open.dir', known), step: expectInteger(o.step, 'step/open.step', 0, MAX_STEP) };
}

/** `offered`: the metric keys the host last sent (ComparisonState.metrics). */
export function validateComparisonMetric(params: unknown, offered: readonly string[]): SetComparisonMetricParams {
  const o = expectObject(params, 'comparison/metric/set');
  expectKeys(o, ['metric'], 'comparison/metric/set');
  const metric = expectString(o.metric, 'comparison/metric/set.metric', 400);
  if (!offered.includes(metric)) throw new MessageError('comparison/metric/set.metric: not a metric of the compared runs');
  return { metric };
}

export function validateExport(params: unknown): ExportParams {
  const o = expectObject(params, 'export');
  const format = expectOneOf(o.format, 'export.format', ['png', 'csv'] as const);
  if (format === 'csv') {
    expectKeys(o, ['format'], 'export');
    return { format };
  }
  expectKeys(o, ['format', 'chart', 'dataUrl'], 'export');
  const chart = expectOneOf(o.chart, 'export.chart', CHART_IDS);
  const dataUrl = expectString(o.dataUrl, 'export.dataUrl', MAX_PNG_DATA_URL);
  if (!/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/.test(dataUrl)) throw new MessageError('export.dataUrl: expected a base64 PNG data: URL');
  return { format, chart, dataUrl };
}
