// The dashboard's message contract (host <-> webview/dashboard). Metrics travel as columns of
// Float64Array: pre-sorted by step, cheap to structured-clone (VS Code transfers typed arrays
// without JSON), and exactly what the webview's min-max decimation scans.
import {
  IpcCommand,
  IpcNotification,
  IpcRequest,
  MessageError,
  expectArray,
  expectKeys,
  expectKnownRunDir,
  expectObject,
  expectOneOf,
  expectString,
  type ErrorResponse,
  type ReadyParams,
} from './base';

export const DASHBOARD_VIEW_TYPE = 'jestStudio.dashboard';
export const DASHBOARD_PROTOCOL = 1;
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

export type RunStatusName = 'starting' | 'running' | 'finished' | 'failed' | 'stopped' | 'unknown';

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

export const CHART_IDS = ['loss', 'eval', 'learnability', 'selection', 'throughput'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export type ExportParams = { format: 'png'; chart: ChartId; dataUrl: string } | { format: 'csv' };
export interface ExportResponse {
  /** Where the file went; null when the user cancelled the save dialog. */
  saved: string | null;
}
/** The webview renders the PNG (it owns the canvas); the host writes both files and builds the CSV from its own data. */
export const ExportRequest = new IpcRequest<ExportParams, ExportResponse | ErrorResponse>(scope, 'export');

// ------------------------------------------------------------------ host -> webview

export interface DashboardState {
  runs: RunData[];
  /** Every run this window knows, for the run picker. */
  available: RunListItem[];
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
