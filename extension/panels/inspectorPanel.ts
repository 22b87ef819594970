// The batch inspector: one panel per run folder. It shows one selection snapshot at a time; the
// contact sheet PNG is served from the run's batches/ folder, the only folder besides media/ in
// this panel's localResourceRoots.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../src/runs/folder';
import { isIpcMessage, validateReady, type ErrorResponse } from '../../protocol/base';
import {
  DidChangeStateNotification,
  DidChangeStepsNotification,
  INSPECTOR_VIEW_TYPE,
  ReadyCommand,
  SelectStepRequest,
  validateSelectStep,
  type Snapshot,
} from '../../protocol/inspector';
import type { RunStore } from '../runs/store';
import { logRefused, pageHtml, webviewOptions } from './common';
import { listSnapshotSteps, readSnapshot } from './snapshots';

export class InspectorPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, InspectorPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private steps: number[] = [];
  private step: number | undefined;

  static createOrShow(ctx: vscode.ExtensionContext, store: RunStore, runDir: string, step?: number): InspectorPanel {
    const existing = InspectorPanel.panels.get(runDir);
    if (existing) {
      existing.panel.reveal();
      if (step !== undefined) void existing.select(step, undefined);
      return existing;
    }
    const name = store.get(runDir)?.name ?? path.basename(runDir);
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, `Batches: ${name}`, vscode.ViewColumn.Active, InspectorPanel.options(ctx, runDir));
    const p = new InspectorPanel(panel, ctx, store, runDir, step);
    InspectorPanel.panels.set(runDir, p);
    return p;
  }

  static revive(panel: vscode.WebviewPanel, ctx: vscode.ExtensionContext, store: RunStore, runDir: string, step?: number): void {
    InspectorPanel.panels.get(runDir)?.dispose();
    panel.webview.options = InspectorPanel.options(ctx, runDir);
    InspectorPanel.panels.set(runDir, new InspectorPanel(panel, ctx, store, runDir, step));
  }

  private static options(ctx: vscode.ExtensionContext, runDir: string) {
    return webviewOptions(ctx, [vscode.Uri.file(path.join(runDir, RUN_FILES.batches))]);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    ctx: vscode.ExtensionContext,
    private readonly store: RunStore,
    private readonly runDir: string,
    step: number | undefined,
  ) {
    this.step = step;
    panel.webview.html = pageHtml(ctx, panel.webview, 'inspector', panel.title);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m) => this.onMessage(m), null, this.disposables);
    store.onDidAppendEvents(
      (e) => {
        if (e.dir === this.runDir && e.events.some((ev) => ev.type === 'snapshot')) void this.refreshSteps();
      },
      null,
      this.disposables,
    );
  }

  private onMessage(msg: unknown): void {
    try {
      if (!isIpcMessage(msg)) throw new Error('not a protocol message');
      if (ReadyCommand.is(msg)) {
        validateReady(msg.params);
        void this.postFull();
      } else if (SelectStepRequest.is(msg)) {
        const { step } = validateSelectStep(msg.params);
        void this.select(step, msg.id ?? 0);
      } else {
        throw new Error('unknown method');
      }
    } catch (err) {
      logRefused('batch inspector', msg, err);
    }
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
    this.steps = await listSnapshotSteps(this.runDir);
    const step = this.step !== undefined && this.steps.includes(this.step) ? this.step : this.steps[this.steps.length - 1];
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

  private async select(step: number, id: number | undefined): Promise<void> {
    let answer: { snapshot: Snapshot } | ErrorResponse;
    try {
      answer = { snapshot: await this.load(step) };
      this.step = step;
    } catch (err) {
      answer = { error: (err as Error).message };
    }
    if (id !== undefined) void this.panel.webview.postMessage(SelectStepRequest.completion.create(answer, id));
    else void this.postFull();
  }

  private async refreshSteps(): Promise<void> {
    this.steps = await listSnapshotSteps(this.runDir);
    if (this.panel.visible) void this.panel.webview.postMessage(DidChangeStepsNotification.create({ steps: this.steps }));
  }

  dispose(): void {
    if (InspectorPanel.panels.get(this.runDir) === this) InspectorPanel.panels.delete(this.runDir);
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
