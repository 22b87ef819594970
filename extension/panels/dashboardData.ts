// Engine events -> the dashboard's columns (protocol/dashboard.ts MetricTable). Pure and
// vscode-free: the panel keeps one RunTables per shown run, feeds it every new event, and posts
// either everything (full state) or only the rows the last ingest added (a delta).
import type { EvalEvent, RunEvent, StepEvent } from '../../src/runs/events';
import { STEP_SERIES, type MetricTable, type StepSeries } from '../../protocol/dashboard';
import { GrowingTable } from '../../protocol/metricTable';

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
  // every step series exists from the start so the webview's charts have stable keys
  private readonly steps = new GrowingTable(undefined, STEP_SERIES);
  private readonly evals = new GrowingTable();
  /** How many store events this has seen: lets the panel notice a run that was re-read from disk. */
  events = 0;
  runId: string | undefined;
  /** Per step row: when the engine wrote the event and when this host received it (ms since epoch), for the latency. */
  private readonly written: number[] = [];
  private readonly received: number[] = [];
  /** Rows already posted to the webview. */
  private sentSteps = 0;
  private sentEvals = 0;

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
    this.sentSteps = this.steps.length;
    this.sentEvals = this.evals.length;
    return { steps: this.steps.table(), evals: this.evals.table() };
  }

  /** Everything, without touching what counts as sent (the CSV export). */
  peek(): { steps: MetricTable; evals: MetricTable } {
    return { steps: this.steps.table(), evals: this.evals.table() };
  }

  /** Rows not yet sent, or null when there are none. */
  delta(): { steps: MetricTable; evals: MetricTable; writtenAt?: number; receivedAt?: number } | null {
    if (this.sentSteps === this.steps.length && this.sentEvals === this.evals.length) return null;
    // timed by the OLDEST step in the delta: the one that waited longest (the coalescing window included)
    const timed = this.sentSteps < this.steps.length;
    const d = { steps: this.steps.table(this.sentSteps), evals: this.evals.table(this.sentEvals), ...(timed ? { writtenAt: this.written[this.sentSteps], receivedAt: this.received[this.sentSteps] } : {}) };
    this.sentSteps = this.steps.length;
    this.sentEvals = this.evals.length;
    return d;
  }

  /** Finite points per series (no copies: asked for by the test command only). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of this.steps.columns.keys()) out[k] = this.steps.finite(k);
    for (const k of this.evals.columns.keys()) out[`eval:${k}`] = this.evals.finite(k);
    return out;
  }
}

/** A plain number (what a spreadsheet reads as a number, never as a formula). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * One text cell of the CSV. Run names, folders and eval set names come from files anyone can
 * write, and a spreadsheet runs a cell that starts with = + - @ (or a tab / CR before one) as a
 * formula (CSV injection): such a cell gets a leading ' so it stays text. A cell that is a plain
 * number (-0.5) cannot be a formula and stays as it is. Quoted when it holds a quote, comma or
 * line break.
 */
export function csvCell(s: string): string {
  const guarded = /^[=+\-@\t\r]/.test(s) && !NUMBER.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Long-form CSV (run, table, step, flops, metric, value): one shape for every series, spreadsheet-friendly. */
export function metricsCsv(runs: { name: string; dir: string; steps: MetricTable; evals: MetricTable }[]): string {
  const lines = ['run,dir,table,step,flops,metric,value'];
  const q = csvCell;
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
