// The extension's one view of all runs: a summary per run folder plus every event so far. The
// run manager (live child processes) and the folder reader (runs started before a reload or from a
// terminal) feed it; the tree view, the status bar and the webview panels read it and listen to
// its two events. It holds no truth of its own beyond what the run folders and the engine's event
// stream say: every number shown comes from an engine event.
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/runs/events';
import { applyEvent, type RunSummary } from './summary';

export type { RunSummary } from './summary';

interface Entry {
  summary: RunSummary;
  events: RunEvent[];
}

export class RunStore implements vscode.Disposable {
  private readonly runs = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly appended = new vscode.EventEmitter<{ dir: string; events: RunEvent[] }>();
  private refresher: (() => void) | undefined;

  /** Fires when a run appears or disappears, or any summary field changes. */
  readonly onDidChangeRuns: vscode.Event<void> = this.changed.event;
  /** Fires with the new events of one run, in order (also for events read from a folder). */
  readonly onDidAppendEvents: vscode.Event<{ dir: string; events: RunEvent[] }> = this.appended.event;

  /** Newest first: live runs, then by the time of their first event. */
  list(): RunSummary[] {
    const first = (e: Entry) => e.events[0]?.time ?? 0;
    return [...this.runs.values()]
      .sort((a, b) => Number(b.summary.live) - Number(a.summary.live) || first(b) - first(a))
      .map((e) => ({ ...e.summary, lastMetrics: { ...e.summary.lastMetrics } }));
  }

  get(dir: string): RunSummary | undefined {
    const e = this.runs.get(dir);
    return e ? { ...e.summary, lastMetrics: { ...e.summary.lastMetrics } } : undefined;
  }

  /** Every event of the run so far (a copy of the array; the events themselves are shared, do not mutate). */
  events(dir: string): RunEvent[] {
    return this.runs.get(dir)?.events.slice() ?? [];
  }

  /** How many events the run has (without copying them: panels ask on every append). */
  eventCount(dir: string): number {
    return this.runs.get(dir)?.events.length ?? 0;
  }

  /** Re-read the runs folders (runs started elsewhere, deleted folders). */
  refresh(): void {
    this.refresher?.();
  }

  // ------------------------------------------------------------ for the run manager and reader

  /** Who re-reads the folders on refresh() (the run manager sets this). */
  setRefresher(fn: () => void): void {
    this.refresher = fn;
  }

  /** Add a run (or reset it to these events, e.g. on re-reading its folder). */
  upsert(dir: string, init: { name: string; status?: RunSummary['status']; step?: number; totalSteps?: number; live: boolean; events?: RunEvent[] }): void {
    const summary: RunSummary = { dir, name: init.name, status: init.status ?? 'unknown', step: 0, totalSteps: init.totalSteps ?? 0, lastMetrics: {}, live: init.live };
    const events = init.events ?? [];
    for (const e of events) applyEvent(summary, e);
    // the status file (when given) is newer than the last status event of a run that was killed
    if (init.status) summary.status = init.status;
    if (init.step !== undefined) summary.step = Math.max(summary.step, init.step);
    // Listeners saw the old events already: announce only what is new (a re-read folder has the
    // same events plus those appended since).
    const known = this.runs.get(dir)?.events.length ?? 0;
    const fresh = events.length >= known ? events.slice(known) : events.slice();
    this.runs.set(dir, { summary, events: events.slice() });
    this.changed.fire();
    if (fresh.length) this.appended.fire({ dir, events: fresh });
  }

  append(dir: string, events: RunEvent[]): void {
    const entry = this.runs.get(dir);
    if (!entry || events.length === 0) return;
    for (const e of events) {
      entry.events.push(e);
      applyEvent(entry.summary, e);
    }
    this.appended.fire({ dir, events });
    this.changed.fire();
  }

  /** Change what the events cannot say: liveness, or a status the process never wrote (it died). */
  patch(dir: string, p: Partial<Pick<RunSummary, 'status' | 'live' | 'name'>>): void {
    const entry = this.runs.get(dir);
    if (!entry) return;
    Object.assign(entry.summary, p);
    this.changed.fire();
  }

  has(dir: string): boolean {
    return this.runs.has(dir);
  }

  remove(dir: string): void {
    if (this.runs.delete(dir)) this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.appended.dispose();
  }
}
