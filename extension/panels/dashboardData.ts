// Engine events -> the dashboard's columns (protocol/dashboard.ts MetricTable). Pure and
// vscode-free: the panel keeps one RunTables per shown run, feeds it every new event, and posts
// either everything (full state) or only the rows the last ingest added (a delta).
import type { EvalEvent, RunEvent, StepEvent } from '../../src/runs/events';
import { STEP_SERIES, type MetricTable, type StepSeries } from '../../protocol/dashboard';

/** A column that grows by doubling, so appending a live run's events stays amortised O(1). */
class Column {
  private data = new Float64Array(64);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  at(i: number): number {
    return this.data[i];
  }

  /** A copy of rows [from, length): posted messages must not alias arrays that keep growing. */
  slice(from = 0): Float64Array {
    return this.data.slice(from, this.length);
  }
}

class GrowingTable {
  readonly step = new Column();
  readonly flops = new Column();
  readonly columns = new Map<string, Column>();
  rows = 0;

  /** Append one row; a key seen for the first time gets NaN for every earlier row. */
  push(step: number, flops: number, values: Record<string, number>): void {
    for (const k of Object.keys(values)) {
      if (!this.columns.has(k)) {
        const c = new Column();
        for (let i = 0; i < this.rows; i++) c.push(NaN);
        this.columns.set(k, c);
      }
    }
    this.step.push(step);
    this.flops.push(flops);
    for (const [k, c] of this.columns) c.push(k in values ? values[k] : NaN);
    this.rows++;
  }

  table(from = 0): MetricTable {
    const columns: Record<string, Float64Array> = {};
    for (const [k, c] of this.columns) columns[k] = c.slice(from);
    return { step: this.step.slice(from), flops: this.flops.slice(from), columns };
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

/** The step-table row of one step event: every STEP_SERIES key, NaN where the event has no value. */
export function stepRow(e: StepEvent): Record<StepSeries, number> {
  const s = e.selection;
  const row: Record<StepSeries, number> = {
    loss: num(e.loss),
    lr: num(e.lr),
    gradNorm: num(e.gradNorm),
    examplesPerSecond: num(e.examplesPerSecond),
    'ms.total': num(e.ms?.total),
    'ms.data': num(e.ms?.data),
    'ms.scoring': num(e.ms?.scoring),
    'ms.selection': num(e.ms?.selection),
    'ms.train': num(e.ms?.train),
    'selection.selectedScore': num(s?.selectedScore),
    'selection.randomScore': num(s?.randomScore),
    'selection.noisyFraction': s && typeof s.selectedNoisy === 'number' && s.selected > 0 ? s.selectedNoisy / s.selected : NaN,
    'selection.learnerLoss': num(s?.selectedLearnerLoss),
    'selection.referenceLoss': num(s?.selectedReferenceLoss),
  };
  return row;
}

export function evalRow(e: EvalEvent): Record<string, number> {
  const row: Record<string, number> = {};
  for (const [k, v] of Object.entries(e.metrics)) row[`${e.set}/${k}`] = num(v);
  return row;
}

export class RunTables {
  private readonly steps = new GrowingTable();
  private readonly evals = new GrowingTable();
  /** How many store events this has seen: lets the panel notice a run that was re-read from disk. */
  events = 0;
  runId: string | undefined;
  /** Per step row: when the engine wrote the event and when this host received it (ms since epoch), for the latency. */
  private readonly written = new Column();
  private readonly received = new Column();
  /** Rows already posted to the webview. */
  private sentSteps = 0;
  private sentEvals = 0;

  constructor() {
    // every step series exists from the start so the webview's charts have stable keys
    for (const k of STEP_SERIES) this.steps.columns.set(k, new Column());
  }

  ingest(events: readonly RunEvent[]): void {
    for (const e of events) {
      this.events++;
      if (e.type === 'step') {
        this.steps.push(e.step, num(e.flops?.total), stepRow(e));
        this.written.push(e.time);
        this.received.push(Date.now());
      }
      else if (e.type === 'eval') this.evals.push(e.step, num(e.flops?.total), evalRow(e));
      else if (e.type === 'run-start') this.runId = e.runId;
    }
  }

  /** Everything, and mark it all as sent. */
  full(): { steps: MetricTable; evals: MetricTable } {
    this.sentSteps = this.steps.rows;
    this.sentEvals = this.evals.rows;
    return { steps: this.steps.table(), evals: this.evals.table() };
  }

  /** Everything, without touching what counts as sent (the CSV export). */
  peek(): { steps: MetricTable; evals: MetricTable } {
    return { steps: this.steps.table(), evals: this.evals.table() };
  }

  /** Rows not yet sent, or null when there are none. */
  delta(): { steps: MetricTable; evals: MetricTable; writtenAt?: number; receivedAt?: number } | null {
    if (this.sentSteps === this.steps.rows && this.sentEvals === this.evals.rows) return null;
    // timed by the OLDEST step in the delta: the one that waited longest (the coalescing window included)
    const timed = this.sentSteps < this.steps.rows;
    const d = { steps: this.steps.table(this.sentSteps), evals: this.evals.table(this.sentEvals), ...(timed ? { writtenAt: this.written.at(this.sentSteps), receivedAt: this.received.at(this.sentSteps) } : {}) };
    this.sentSteps = this.steps.rows;
    this.sentEvals = this.evals.rows;
    return d;
  }

  /** Points per series, for the test command and the docs' numbers. */
  /** Finite points per series (no copies: asked for by the test command only). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, c] of this.steps.columns) out[k] = countFinite(c);
    for (const [k, c] of this.evals.columns) out[`eval:${k}`] = countFinite(c);
    return out;
  }
}

function countFinite(c: Column): number {
  let n = 0;
  for (let i = 0; i < c.length; i++) if (Number.isFinite(c.at(i))) n++;
  return n;
}

/** Long-form CSV (run, table, step, flops, metric, value): one shape for every series, spreadsheet-friendly. */
export function metricsCsv(runs: { name: string; dir: string; steps: MetricTable; evals: MetricTable }[]): string {
  const lines = ['run,dir,table,step,flops,metric,value'];
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const r of runs) {
    for (const [table, t] of [['step', r.steps], ['eval', r.evals]] as const) {
      for (const [metric, col] of Object.entries(t.columns)) {
        for (let i = 0; i < col.length; i++) {
          if (!Number.isFinite(col[i])) continue;
          lines.push(`${q(r.name)},${q(r.dir)},${table},${t.step[i]},${t.flops[i]},${q(metric)},${col[i]}`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}
