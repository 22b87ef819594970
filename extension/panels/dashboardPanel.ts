// The dashboard panel: one per window. It overlays the chosen runs' metrics; the truth is the
// RunStore (fed by the run manager and the folder reader). The webview gets the full state when it
// says it is ready (first load, after a reload, after being hidden: without
// retainContextWhenHidden the page is rebuilt then), and coalesced deltas while it is visible.
// Finished runs' histories stay on disk until the dashboard shows them: it loads (and holds) each
// shown run before building its tables, and releases it when it stops showing it.
// Opened on an experiment (its CodeLens) it follows that experiment's runs only; opened by Compare
// Runs it also sends a comparison table of every shown run against the first one picked.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/runs/events';
import type { IpcMessage } from '../../protocol/base';
import {
  DASHBOARD_VIEW_TYPE,
  DidAppendMetricsNotification,
  DidChangeComparisonNotification,
  DidChangeRunListNotification,
  DidChangeStateNotification,
  ExportRequest,
  MAX_RUNS,
  OpenStepCommand,
  PROTOCOL_VERSION,
  ReadyCommand,
  SetComparisonMetricCommand,
  SetRunsCommand,
  validateComparisonMetric,
  validateExport,
  validateOpenStep,
  validateSetRuns,
  type ComparisonState,
  type ExportParams,
  type MetricsDelta,
  type RunData,
  type RunListItem,
} from '../../protocol/dashboard';
import type { RunStore } from '../runs/store';
import { pickOrder } from '../commands/pickOrder';
import { panelLog, webviewOptions } from './common';
import { buildComparison, readRunConfig } from './comparison';
import { RunTables, metricsCsv } from './dashboardData';
import { HeldRuns } from './heldRuns';
import { PanelBase, PanelRegistry } from './panelBase';
import { followedRuns } from './runChoice';

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
/** The comparison is recomputed (whole histories) at most this often while compared runs evaluate. */
const COMPARE_MS = 1000;

/** What a dashboard shows. */
export interface DashboardChoice {
  /** These runs; absent or empty: follow the newest runs (of `experiment` when given) as they start. */
  dirs?: string[];
  /** Only this experiment's runs (none yet: the page says so). */
  experiment?: string | null;
  /** Compare Runs: a table of every shown run against dirs[0], the baseline. */
  compare?: boolean;
}

export interface DashboardPostSummary {
  runDirs: string[];
  /** Finite points per series per run, counted when asked. */
  points: Record<string, Record<string, number>>;
  fullStates: number;
  deltas: number;
}

const panels = new PanelRegistry<DashboardPanel>();
/** One dashboard per window. */
const KEY = 'window';

export class DashboardPanel extends PanelBase {
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

  private readonly tables = new Map<string, RunTables>();
  private readonly held: HeldRuns;
  private dirs: string[];
  /** Opened without a choice of runs: follow the store's newest runs until the user picks. */
  private auto: boolean;
  /** Opened on this experiment: auto follows its runs only. */
  private experiment: string | null = null;
  /** Opened by Compare Runs: dirs[0] is the baseline. */
  private comparing = false;
  /** The metric the page chose for the comparison (else the default). */
  private compareMetric: string | undefined;
  /** What the page was last sent: its metric keys are the ones it may choose. */
  private comparison: ComparisonState | null = null;
  /** config.json per compared run (read once: a run's config does not change). */
  private readonly configs = new Map<string, unknown>();
  private compareTimer: NodeJS.Timeout | undefined;
  /** Counts full states asked for: one whose histories finished loading after a newer ask is dropped. */
  private fullGeneration = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private runListTimer: NodeJS.Timeout | undefined;

  static createOrShow(ctx: vscode.ExtensionContext, store: RunStore, choice: DashboardChoice = {}): DashboardPanel {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    return panels.showOrCreate(
      KEY,
      (p) => {
        p.reveal(column);
        // nothing asked for (the palette, the status bar's live runs): keep what it shows
        if (choice.dirs?.length || choice.experiment) p.choose(choice);
      },
      () => new DashboardPanel(vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'JEST Dashboard', column, webviewOptions(ctx)), ctx, store, choice),
    );
  }

  /** From the serializer: a panel VS Code kept across a reload, with the choice the webview saved. */
  static revive(panel: vscode.WebviewPanel, ctx: vscode.ExtensionContext, store: RunStore, choice: DashboardChoice): void {
    panels.revive(KEY, () => {
      panel.webview.options = webviewOptions(ctx);
      return new DashboardPanel(panel, ctx, store, choice);
    });
  }

  private constructor(
    panel: vscode.WebviewPanel,
    ctx: vscode.ExtensionContext,
    private readonly store: RunStore,
    choice: DashboardChoice,
  ) {
    super(panel, ctx, { bundle: 'dashboard', protocol: PROTOCOL_VERSION, ready: ReadyCommand, logName: 'dashboard', registry: panels, key: KEY });
    this.held = new HeldRuns(store);
    this.auto = !choice.dirs?.length;
    this.experiment = choice.experiment ?? null;
    this.comparing = Boolean(choice.compare) && !this.auto;
    this.dirs = (this.auto ? this.followed() : [...new Set(choice.dirs)]).slice(0, MAX_RUNS);
    store.onDidAppendEvents((e) => this.onEvents(e.dir, e.events), null, this.disposables);
    store.onDidChangeRuns(() => this.onRunsChanged(), null, this.disposables);
  }

  /** What auto follows: the newest runs, or every run (up to MAX_RUNS) of the experiment it was opened on. */
  private followed(): string[] {
    return followedRuns(this.store.list(), this.experiment, this.experiment === null ? DEFAULT_RUNS : MAX_RUNS);
  }

  /** A new choice (a command asked for runs, an experiment, a comparison). */
  choose(choice: DashboardChoice): void {
    const auto = !choice.dirs?.length;
    this.experiment = choice.experiment ?? null;
    this.comparing = Boolean(choice.compare) && !auto;
    this.compareMetric = undefined;
    this.setRuns(auto ? this.followed() : choice.dirs!, auto);
  }

  /** Replace the shown runs (Compare Runs, the run picker); `auto` keeps following new runs. */
  setRuns(dirs: string[], auto: boolean): void {
    this.auto = auto;
    this.dirs = [...new Set(dirs)].slice(0, MAX_RUNS);
    for (const d of [...this.tables.keys()]) if (!this.dirs.includes(d)) this.tables.delete(d);
    this.held.keepOnly(this.dirs);
    if (this.ready) void this.postFull();
  }

  private knownDirs(): Set<string> {
    return new Set(this.store.list().map((r) => r.dir));
  }

  protected onReady(): void {
    void this.postFull();
  }

  protected onMessage(msg: IpcMessage): void {
    if (SetRunsCommand.is(msg)) {
      const { dirs } = validateSetRuns(msg.params, this.knownDirs());
      // the user picked runs: no longer following an experiment; a comparison keeps its order (the
      // page lists runs in the store's order), so the baseline stays first while it is shown
      this.experiment = null;
      this.setRuns(this.comparing ? pickOrder(this.dirs, dirs) : dirs, false);
    } else if (SetComparisonMetricCommand.is(msg)) {
      // only a metric the host offered (the compared runs' own evaluations)
      this.compareMetric = validateComparisonMetric(msg.params, this.comparison?.metrics.map((m) => m.key) ?? []).metric;
      void this.postComparison();
    } else if (OpenStepCommand.is(msg)) {
      // only runs this dashboard shows (and that the store still knows)
      const { dir, step } = validateOpenStep(msg.params, new Set(this.dirs.filter((d) => this.store.get(d))));
      void vscode.commands.executeCommand('jestStudio.inspectBatches', dir, step);
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
  }

  private onEvents(dir: string, events: RunEvent[]): void {
    if (!this.dirs.includes(dir)) return;
    const t = this.tables.get(dir);
    if (!t) return; // not built yet: the next full state loads the run and reads the store
    // The tables were built from the whole history (held in memory), so their count plus these
    // must be the store's. Not so when the store re-read the folder (upsert): its history is then
    // a new one, possibly back on disk (not loaded, count 0). Either way: start this run over.
    if (!this.store.isLoaded(dir) || t.events + events.length !== this.store.eventCount(dir)) {
      this.tables.delete(dir);
      if (this.ready) void this.postFull();
      return;
    }
    t.ingest(events);
    // a new evaluation may move a compared run's reach (or the baseline's final value, the target)
    if (this.comparing && !this.compareTimer && events.some((e) => e.type === 'eval')) this.compareTimer = setTimeout(() => void this.postComparison(), COMPARE_MS);
    // hidden: keep ingesting (cheap) but post nothing; the page asks for the full state when shown
    if (this.ready && this.panel.visible && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), COALESCE_MS);
  }

  private onRunsChanged(): void {
    if (this.auto) {
      // a run started (or read from disk) after the dashboard opened joins it
      const newest = this.followed();
      // compared as sets: the store's order changes as runs go live and finish
      if ([...newest].sort().join('\n') !== [...this.dirs].sort().join('\n')) return this.setRuns(newest, true);
    }
    if (!this.ready) return;
    // a run the dashboard was asked for may only now have been read from its folder
    if (this.dirs.some((d) => !this.tables.has(d) && this.store.get(d) && !this.held.hasFailed(d))) void this.postFull();
    else this.runListTimer ??= setTimeout(() => {
      this.runListTimer = undefined;
      if (this.ready && this.panel.visible) this.post(DidChangeRunListNotification.create({ available: this.available() }));
    }, RUN_LIST_MS);
  }

  /** The run's tables; built once its history is loaded (before that, empty and not kept). */
  private tablesFor(dir: string): RunTables {
    let t = this.tables.get(dir);
    if (!t) {
      t = new RunTables();
      if (!this.held.isReady(dir)) return t;
      t.ingest(this.store.events(dir));
      this.tables.set(dir, t);
    }
    return t;
  }

  /** Load the shown runs' histories (a finished run's stays on disk until shown). */
  private async load(): Promise<void> {
    try {
      await this.held.hold(this.dirs);
    } catch (err) {
      panelLog().warn(`dashboard: could not read a run's events: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private available(): RunListItem[] {
    return this.store.list().map((r) => ({ dir: r.dir, name: r.name, status: r.status, step: r.step, totalSteps: r.totalSteps, live: r.live }));
  }

  private async postFull(): Promise<void> {
    const generation = ++this.fullGeneration;
    await this.load();
    const comparison = await this.compare();
    // a newer full state is on its way, or the page went away while the histories were read
    if (generation !== this.fullGeneration || this.disposed || !this.ready) return;
    this.comparison = comparison;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const runs: RunData[] = [];
    for (const dir of this.dirs) {
      const s = this.store.get(dir);
      if (!s) continue;
      const t = this.tablesFor(dir);
      runs.push({ dir, id: t.runId ?? dir, name: s.name, status: s.status, ...t.full() });
    }
    this.post(DidChangeStateNotification.create({ runs, available: this.available(), experiment: this.experiment, comparison }));
    DashboardPanel.posts.fullStates++;
    DashboardPanel.lastPoster = this;
  }

  /**
   * The comparison of the shown runs (the baseline first) from their whole histories, which the
   * dashboard holds while it shows them (load): null unless opened by Compare Runs with two or more.
   */
  private async compare(): Promise<ComparisonState | null> {
    if (!this.comparing) return null;
    const shown = this.dirs.filter((d) => this.store.get(d));
    for (const d of shown) if (!this.configs.has(d)) this.configs.set(d, await readRunConfig(d));
    return buildComparison(
      shown.map((dir) => ({ dir, name: this.store.get(dir)?.name ?? dir, events: this.store.events(dir), config: this.configs.get(dir) })),
      this.compareMetric,
    );
  }

  private async postComparison(): Promise<void> {
    clearTimeout(this.compareTimer);
    this.compareTimer = undefined;
    const comparison = await this.compare();
    if (this.disposed || !this.ready) return;
    this.comparison = comparison;
    // hidden: the full state carries it when the page is back
    if (this.panel.visible) this.post(DidChangeComparisonNotification.create({ comparison }));
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
      await this.load();
      const runs = this.dirs.filter((d) => this.store.get(d)).map((dir) => ({ dir, name: this.store.get(dir)!.name, ...this.tablesFor(dir).peek() }));
      bytes = Buffer.from(metricsCsv(runs), 'utf8');
    }
    if (target.scheme === 'file') await fs.writeFile(target.fsPath, bytes);
    else await vscode.workspace.fs.writeFile(target, bytes);
    return target.scheme === 'file' ? target.fsPath : target.toString();
  }

  protected override onDispose(): void {
    clearTimeout(this.flushTimer);
    clearTimeout(this.runListTimer);
    clearTimeout(this.compareTimer);
    this.held.releaseAll();
  }
}
