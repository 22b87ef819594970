// The extension's one view of all runs: a summary per run folder, and the whole event history of
// the runs that need it (live ones, and those a panel shows). The run manager (live child
// processes) and the folder reader (runs started before a reload or from a terminal) feed it; the
// tree view, the status bar and the webview panels read it and listen to its two events. It holds
// no truth of its own beyond what the run folders and the engine's event stream say: every number
// shown comes from an engine event.
//
// Histories are loaded on demand (loadEvents, asynchronously) and dropped again when no panel
// holds them (release): a hundred finished runs of 10,000 steps cost a hundred summaries, not a
// few hundred megabytes of events (bench/host.bench.ts).
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/runs/events';
import { applyEvent, type RunSummary } from './summary';

export type { RunSummary } from './summary';

interface Entry {
  summary: RunSummary;
  /** The whole history, or undefined while only the summary is in memory. */
  events: RunEvent[] | undefined;
  /** Reads the whole history from the run folder (runs read from disk). */
  loader?: () => Promise<RunEvent[]>;
  loading?: Promise<RunEvent[]>;
  /** Panels holding the history (loadEvents .. release). */
  holders: number;
  /** Order of the list (ms since the epoch): the run's creation. */
  createdAt: number;
}

export interface UpsertInit {
  name: string;
  status?: RunSummary['status'];
  step?: number;
  totalSteps?: number;
  live: boolean;
  /** The whole history, when the caller has it; else `summary` (+ `loader` for later). */
  events?: RunEvent[];
  /** A summary already folded from the folder (extension/runs/scan.ts): the history stays on disk. */
  summary?: RunSummary;
  loader?: () => Promise<RunEvent[]>;
  createdAt?: number;
}

export class RunStore implements vscode.Disposable {
  private readonly runs = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly appended = new vscode.EventEmitter<{ dir: string; events: RunEvent[] }>();
  private refresher: (() => Promise<void> | void) | undefined;

  /** Fires when a run appears or disappears, or any summary field changes. */
  readonly onDidChangeRuns: vscode.Event<void> = this.changed.event;
  /** Fires with the new events of one run, in order (also for events read from a folder). */
  readonly onDidAppendEvents: vscode.Event<{ dir: string; events: RunEvent[] }> = this.appended.event;

  /** Newest first: live runs, then by creation. */
  list(): RunSummary[] {
    return [...this.runs.values()]
      .sort((a, b) => Number(b.summary.live) - Number(a.summary.live) || b.createdAt - a.createdAt)
      .map((e) => ({ ...e.summary, lastMetrics: { ...e.summary.lastMetrics } }));
  }

  get(dir: string): RunSummary | undefined {
    const e = this.runs.get(dir);
    return e ? { ...e.summary, lastMetrics: { ...e.summary.lastMetrics } } : undefined;
  }

  /**
   * The run's events so far, as far as they are in memory (a copy of the array; the events
   * themselves are shared, do not mutate). Empty for a run whose history is still on disk: a panel
   * calls loadEvents first.
   */
  events(dir: string): RunEvent[] {
    return this.runs.get(dir)?.events?.slice() ?? [];
  }

  /** How many events are in memory for the run (without copying them: panels ask on every append). */
  eventCount(dir: string): number {
    return this.runs.get(dir)?.events?.length ?? 0;
  }

  /** Is the run's whole history in memory? */
  isLoaded(dir: string): boolean {
    return this.runs.get(dir)?.events !== undefined;
  }

  /**
   * The run's whole history, read from its folder if it is not in memory, and kept there until
   * the caller releases it. Each call holds it once more.
   */
  async loadEvents(dir: string): Promise<RunEvent[]> {
    const entry = this.runs.get(dir);
    if (!entry) return [];
    entry.holders++;
    if (entry.events) return entry.events.slice();
    if (!entry.loader) {
      entry.events = [];
      return [];
    }
    entry.loading ??= entry.loader();
    let events: RunEvent[];
    try {
      events = await entry.loading;
    } finally {
      entry.loading = undefined;
    }
    // the entry may have been replaced (a re-read) or removed while the file was read
    if (this.runs.get(dir) !== entry) return this.events(dir);
    if (!entry.events) {
      entry.events = events;
      // the summary from the whole history is exact; keep the folder's word on status and liveness
      const { status, live, name } = entry.summary;
      const s: RunSummary = { dir, name, status: 'unknown', step: 0, totalSteps: entry.summary.totalSteps, lastMetrics: {}, live };
      for (const e of events) applyEvent(s, e);
      entry.summary = { ...s, status, live, name, step: Math.max(s.step, entry.summary.step) };
    }
    return entry.events.slice();
  }

  /** A panel no longer shows the run: once nobody holds it, a run that is not live drops its history. */
  release(dir: string): void {
    const entry = this.runs.get(dir);
    if (!entry) return;
    entry.holders = Math.max(0, entry.holders - 1);
    if (entry.holders === 0 && !entry.summary.live && entry.loader) entry.events = undefined;
  }

  /** Re-read the runs folders (runs started elsewhere, deleted folders). */
  refresh(): Promise<void> {
    return Promise.resolve(this.refresher?.());
  }

  // ------------------------------------------------------------ for the run manager and reader

  /** Who re-reads the folders on refresh() (the extension sets this). */
  setRefresher(fn: () => Promise<void> | void): void {
    this.refresher = fn;
  }

  /** Add a run (or reset it, e.g. on re-reading its folder). */
  upsert(dir: string, init: UpsertInit): void {
    const old = this.runs.get(dir);
    const summary: RunSummary = init.summary
      ? { ...init.summary, dir, name: init.name, live: init.live, lastMetrics: { ...init.summary.lastMetrics } }
      : { dir, name: init.name, status: 'unknown', step: 0, totalSteps: init.totalSteps ?? 0, lastMetrics: {}, live: init.live };
    const events = init.events;
    if (events && !init.summary) for (const e of events) applyEvent(summary, e);
    // the status file (when given) is newer than the last status event of a run that was killed
    if (init.status) summary.status = init.status;
    if (init.step !== undefined) summary.step = Math.max(summary.step, init.step);
    if (init.totalSteps) summary.totalSteps = init.totalSteps;
    const createdAt = init.createdAt ?? old?.createdAt ?? events?.[0]?.time ?? Date.now();
    const holders = old?.holders ?? 0;
    // Listeners saw the old events already: announce only what is new (a re-read folder has the
    // same events plus those appended since).
    const known = old?.events?.length ?? 0;
    const fresh = events ? (events.length >= known ? events.slice(known) : events.slice()) : [];
    this.runs.set(dir, { summary, events: events?.slice(), loader: init.loader, holders, createdAt });
    this.changed.fire();
    if (fresh.length) this.appended.fire({ dir, events: fresh });
  }

  append(dir: string, events: RunEvent[]): void {
    const entry = this.runs.get(dir);
    if (!entry || events.length === 0) return;
    for (const e of events) {
      // a history still on disk gets these when it is read (the engine writes the file first)
      entry.events?.push(e);
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
