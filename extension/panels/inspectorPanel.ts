// The batch inspector: one panel per run folder. It shows one selection snapshot at a time; the
// contact sheet PNG is served from the run's batches/ folder, the only folder besides media/ in
// this panel's localResourceRoots. It holds its run's history in the store while open.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../src/runs/folder';
import type { ErrorResponse, IpcMessage } from '../../protocol/base';
import {
  DidChangeStateNotification,
  DidChangeStepsNotification,
  INSPECTOR_VIEW_TYPE,
  PROTOCOL_VERSION,
  ReadyCommand,
  SelectStepRequest,
  validateSelectStep,
  type Snapshot,
} from '../../protocol/inspector';
import type { RunStore } from '../runs/store';
import { logRefused, panelLog, webviewOptions } from './common';
import { HeldRuns } from './heldRuns';
import { PanelBase, PanelRegistry } from './panelBase';
import { listSnapshotSteps, nearestStep, readSnapshot } from './snapshots';

const panels = new PanelRegistry<InspectorPanel>();

export class InspectorPanel extends PanelBase {
  private readonly held: HeldRuns;
  private steps: number[] = [];
  /** The step asked for (a command, a dashboard click, the restored state): shown as its nearest snapshot. */
  private step: number | undefined;

  static createOrShow(ctx: vscode.ExtensionContext, store: RunStore, runDir: string, step?: number): InspectorPanel {
    return panels.showOrCreate(
      runDir,
      (p) => {
        p.reveal();
        if (step !== undefined) p.show(step);
      },
      () => {
        const name = store.get(runDir)?.name ?? path.basename(runDir);
        const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, `Batches: ${name}`, vscode.ViewColumn.Active, InspectorPanel.options(ctx, runDir));
        return new InspectorPanel(panel, ctx, store, runDir, step);
      },
    );
  }

  static revive(panel: vscode.WebviewPanel, ctx: vscode.ExtensionContext, store: RunStore, runDir: string, step?: number): void {
    panels.revive(runDir, () => {
      panel.webview.options = InspectorPanel.options(ctx, runDir);
      return new InspectorPanel(panel, ctx, store, runDir, step);
    });
  }

  private static options(ctx: vscode.ExtensionContext, runDir: string) {
    return webviewOptions(ctx, [vscode.Uri.file(path.join(runDir, RUN_FILES.batches))]);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    ctx: vscode.ExtensionContext,
    private readonly store: RunStore,
    private readonly runDir: string,
    step: number | undefined,
  ) {
    super(panel, ctx, { bundle: 'inspector', protocol: PROTOCOL_VERSION, ready: ReadyCommand, logName: 'batch inspector', registry: panels, key: runDir });
    this.step = step;
    this.held = new HeldRuns(store);
    store.onDidAppendEvents(
      (e) => {
        if (e.dir === this.runDir && e.events.some((ev) => ev.type === 'snapshot')) void this.refreshSteps();
      },
      null,
      this.disposables,
    );
  }

  protected onReady(): void {
    void this.postFull();
  }

  protected onMessage(msg: IpcMessage): void {
    if (SelectStepRequest.is(msg)) {
      const { step } = validateSelectStep(msg.params);
      void this.select(step, msg.id ?? 0);
    } else {
      throw new Error('unknown method');
    }
  }

  /** Show the snapshot nearest to `step` (a command or a dashboard click asked for it). */
  show(step: number): void {
    this.step = step;
    if (this.ready) void this.postFull();
  }

  private async load(step: number): Promise<Snapshot> {
    // only steps the host itself listed from the folder
    if (!this.steps.includes(step)) this.steps = await listSnapshotSteps(this.runDir);
    if (!this.steps.includes(step)) throw new Error(`no snapshot for step ${step}`);
    const { snapshot } = await readSnapshot(this.runDir, step);
    const uri = this.panel.webview.asWebviewUri(vscode.Uri.file(snapshot.sheet.file)).toString();
    return { ...snapshot, sheet: { uri, columns: snapshot.sheet.columns, cell: snapshot.sheet.cell } };
  }

  private async postFull(): Promise<void> {
    try {
      // the run's history, held while the panel is open (the store keeps finished runs' on disk)
      await this.held.hold([this.runDir]);
    } catch (err) {
      panelLog().warn(`batch inspector: could not read the events of ${this.runDir}: ${(err as Error)?.message ?? String(err)}`);
    }
    this.steps = await listSnapshotSteps(this.runDir);
    const step = (this.step !== undefined ? nearestStep(this.steps, this.step) : undefined) ?? this.steps[this.steps.length - 1];
    let snapshot: Snapshot | null = null;
    if (step !== undefined) {
      try {
        snapshot = await this.load(step);
        this.step = step;
      } catch (err) {
        logRefused('batch inspector', { method: 'load' }, err);
      }
    }
    const runName = this.store.get(this.runDir)?.name ?? path.basename(this.runDir);
    void this.panel.webview.postMessage(DidChangeStateNotification.create({ runDir: this.runDir, runName, steps: this.steps, snapshot }));
  }

  private async select(step: number, id: number): Promise<void> {
    let answer: { snapshot: Snapshot } | ErrorResponse;
    try {
      answer = { snapshot: await this.load(step) };
      this.step = step;
    } catch (err) {
      answer = { error: (err as Error).message };
    }
    void this.panel.webview.postMessage(SelectStepRequest.completion.create(answer, id));
  }

  private async refreshSteps(): Promise<void> {
    this.steps = await listSnapshotSteps(this.runDir);
    if (this.panel.visible) void this.panel.webview.postMessage(DidChangeStepsNotification.create({ steps: this.steps }));
  }

  protected override onDispose(): void {
    this.held.releaseAll();
  }
}
