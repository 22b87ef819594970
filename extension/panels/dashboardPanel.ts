// The dashboard panel: one per window. It overlays the chosen runs' metrics; the truth is the
// RunStore (fed by the run manager and the folder reader). The webview gets the full state when it
// says it is ready (first load, after a reload, after being hidden: without
// retainContextWhenHidden the page is rebuilt then), and coalesced deltas while it is visible.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/runs/events';
import { isIpcMessage, validateReady } from '../../protocol/base';
import {
  DASHBOARD_VIEW_TYPE,
  DidAppendMetricsNotification,
  DidChangeRunListNotification,
  DidChangeStateNotification,
  ExportRequest,
  MAX_RUNS,
  ReadyCommand,
  SetRunsCommand,
  validateExport,
  validateSetRuns,
  type ExportParams,
  type MetricsDelta,
  type RunData,
  type RunListItem,
} from '../../protocol/dashboard';
import type { RunStore } from '../runs/store';
import { logRefused, pageHtml, webviewOptions } from './common';
import { RunTables, metricsCsv } from './dashboardData';

/**
 * Deltas within this window go out as one message. 16 ms (one per frame) backed VS Code's webview
 * channel up by 15 s p50 in the UI test when a run streamed 130 steps a second (code-server, 2
 * cores); at 40 ms the channel carries at most 25 messages a second whatever the step rate
 * (with the page's 75 ms live redraws of the charts on screen: p95 188-209 ms end to end in the same test, docs/extension.md).
 */
const COALESCE_MS = 40;
/** Shown when the dashboard opens without a choice of runs. */
const DEFAULT_RUNS = 8;
/** The run picker's list (step counts change with every event) is refreshed at most this often. */
const RUN_LIST_MS = 1000;

export interface DashboardPostSummary {
  runDirs: string[];
  /** Finite points per series per run, counted when asked. */
  points: Record<string, Record<string, number>>;
  fullStates: number;
  deltas: number;
}

export class DashboardPanel implements vscode.Disposable {
  static current: DashboardPanel | undefined;
  private static posts = { fullStates: 0, deltas: 0 };
  private static lastPoster: DashboardPanel | undefined;

  /**
   * What the dashboard has posted, for the jestStudio._test.dashboardState command. Counted here,
   * on request: counting every series on every post would put O(rows) work on the live path.
   */
  static lastPosted(): DashboardPostSummary {
    const p = DashboardPanel.lastPoster;
    const points: Record<string, Record<string, number>> = {};
    if (p) for (const [dir, t] of p.tables) points[dir] = t.counts();
    return { runDirs: p ? [...p.tables.keys()] : [], points, ...DashboardPanel.posts };
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly tables = new Map<string, RunTables>();
  private dirs: string[];
  /** Opened without a choice of runs: follow the store's newest runs until the user picks. */
  private auto: boolean;
  private ready = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private runListTimer: NodeJS.Timeout | undefined;

  static createOrShow(ctx: vscode.ExtensionContext, store: RunStore, runDirs?: string[]): DashboardPanel {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal(column);
      if (runDirs?.length) DashboardPanel.current.setRuns(runDirs, false);
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'JEST Dashboard', column, webviewOptions(ctx));
    DashboardPanel.current = new DashboardPanel(panel, ctx, store, runDirs);
    return DashboardPanel.current;
  }

  /** From the serializer: a panel VS Code kept across a reload, with the run list the webview saved. */
  static revive(panel: vscode.WebviewPanel, ctx: vscode.ExtensionContext, store: RunStore, runDirs: string[]): void {
    DashboardPanel.current?.dispose();
    panel.webview.options = webviewOptions(ctx);
    DashboardPanel.current = new DashboardPanel(panel, ctx, store, runDirs);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    ctx: vscode.ExtensionContext,
    private readonly store: RunStore,
    runDirs: string[] | undefined,
  ) {
    this.auto = !runDirs?.length;
    this.dirs = (runDirs?.length ? runDirs : this.newestRuns()).slice(0, MAX_RUNS);
    panel.webview.html = pageHtml(ctx, panel.webview, 'dashboard', 'JEST Dashboard');
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.onDidChangeViewState(
      () => {
        // hidden: the page is torn down; it asks again (ready) when it is rebuilt
        if (!panel.visible) this.ready = false;
      },
      null,
      this.disposables,
    );
    panel.webview.onDidReceiveMessage((m) => this.onMessage(m), null, this.disposables);
    store.onDidAppendEvents((e) => this.onEvents(e.dir, e.events), null, this.disposables);
    store.onDidChangeRuns(() => this.onRunsChanged(), null, this.disposables);
  }

  private newestRuns(): string[] {
    return this.store.list().slice(0, DEFAULT_RUNS).map((r) => r.dir);
  }

  /** Replace the shown runs (Compare Runs, the run picker); `auto` keeps following new runs. */
  setRuns(dirs: string[], auto: boolean): void {
    this.auto = auto;
    this.dirs = [...new Set(dirs)].slice(0, MAX_RUNS);
    for (const d of [...this.tables.keys()]) if (!this.dirs.includes(d)) this.tables.delete(d);
    if (this.ready) this.postFull();
  }

  private knownDirs(): Set<string> {
    return new Set(this.store.list().map((r) => r.dir));
  }

  private onMessage(msg: unknown): void {
    try {
      if (!isIpcMessage(msg)) throw new Error('not a protocol message');
      if (ReadyCommand.is(msg)) {
        validateReady(msg.params);
        this.ready = true;
        this.postFull();
      } else if (SetRunsCommand.is(msg)) {
        this.setRuns(validateSetRuns(msg.params, this.knownDirs()).dirs, false);
      } else if (ExportRequest.is(msg)) {
        const params = validateExport(msg.params);
        const id = msg.id ?? 0;
        void this.export(params).then(
          (saved) => this.post(ExportRequest.completion.create({ saved }, id)),
          (err: Error) => this.post(ExportRequest.completion.create({ error: err.message }, id)),
        );
      } else {
        throw new Error('unknown method');
      }
    } catch (err) {
      logRefused('dashboard', msg, err);
    }
  }

  private onEvents(dir: string, events: RunEvent[]): void {
    if (!this.dirs.includes(dir)) return;
    const t = this.tables.get(dir);
    if (!t) return; // not built yet: the next full state reads the store
    if (t.events + events.length !== this.store.eventCount(dir)) {
      // the store re-read the folder (upsert): start this run over
      this.tables.delete(dir);
      if (this.ready) this.postFull();
      return;
    }
    t.ingest(events);
    // hidden: keep ingesting (cheap) but post nothing; the page asks for the full state when shown
    if (this.ready && this.panel.visible && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), COALESCE_MS);
  }

  private onRunsChanged(): void {
    if (this.auto) {
      // a run started (or read from disk) after the dashboard opened joins it
      const newest = this.newestRuns();
      // compared as sets: the store's order changes as runs go live and finish
      if ([...newest].sort().join('\n') !== [...this.dirs].sort().join('\n')) return this.setRuns(newest, true);
    }
    if (!this.ready) return;
    // a run the dashboard was asked for may only now have been read from its folder
    if (this.dirs.some((d) => !this.tables.has(d) && this.store.get(d))) this.postFull();
    else this.runListTimer ??= setTimeout(() => {
      this.runListTimer = undefined;
      if (this.ready && this.panel.visible) this.post(DidChangeRunListNotification.create({ available: this.available() }));
    }, RUN_LIST_MS);
  }

  private tablesFor(dir: string): RunTables {
    let t = this.tables.get(dir);
    if (!t) {
      t = new RunTables();
      t.ingest(this.store.events(dir));
      this.tables.set(dir, t);
    }
    return t;
  }

  private available(): RunListItem[] {
    return this.store.list().map((r) => ({ dir: r.dir, name: r.name, status: r.status, step: r.step, totalSteps: r.totalSteps, live: r.live }));
  }

  private postFull(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const runs: RunData[] = [];
    for (const dir of this.dirs) {
      const s = this.store.get(dir);
      if (!s) continue;
      const t = this.tablesFor(dir);
      runs.push({ dir, id: t.runId ?? dir, name: s.name, status: s.status, ...t.full() });
    }
    this.post(DidChangeStateNotification.create({ runs, available: this.available() }));
    DashboardPanel.posts.fullStates++;
    DashboardPanel.lastPoster = this;
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (!this.ready || !this.panel.visible) return;
    const runs: MetricsDelta[] = [];
    for (const [dir, t] of this.tables) {
      const d = t.delta();
      if (d) runs.push({ dir, status: this.store.get(dir)?.status ?? 'unknown', ...d });
    }
    if (!runs.length) return;
    const postedAt = Date.now();
    for (const r of runs) if (r.writtenAt !== undefined) r.postedAt = postedAt;
    this.post(DidAppendMetricsNotification.create({ runs }));
    DashboardPanel.posts.deltas++;
    DashboardPanel.lastPoster = this;
  }

  private post(msg: unknown): void {
    void this.panel.webview.postMessage(msg);
  }

  private async export(p: ExportParams): Promise<string | null> {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = p.format === 'png' ? `jest-${p.chart}.png` : 'jest-metrics.csv';
    const target = await vscode.window.showSaveDialog({
      defaultUri: base ? vscode.Uri.joinPath(base, name) : undefined,
      filters: p.format === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] },
      title: p.format === 'png' ? `Export the ${p.chart} chart` : 'Export the shown runs’ metrics',
    });
    if (!target) return null;
    let bytes: Uint8Array;
    if (p.format === 'png') {
      bytes = Buffer.from(p.dataUrl.slice(p.dataUrl.indexOf(',') + 1), 'base64');
    } else {
      const runs = this.dirs.filter((d) => this.store.get(d)).map((dir) => ({ dir, name: this.store.get(dir)!.name, ...this.tablesFor(dir).peek() }));
      bytes = Buffer.from(metricsCsv(runs), 'utf8');
    }
    if (target.scheme === 'file') await fs.writeFile(target.fsPath, bytes);
    else await vscode.workspace.fs.writeFile(target, bytes);
    return target.scheme === 'file' ? target.fsPath : target.toString();
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    clearTimeout(this.flushTimer);
    clearTimeout(this.runListTimer);
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
