// The panels' public face for the rest of the extension: open each webview, and bring them back
// after a window reload. Everything else in this folder is private to it.
import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, MAX_RUNS } from '../../protocol/dashboard';
import { HYPERPARAMETERS_VIEW_TYPE } from '../../protocol/hyperparameters';
import { INSPECTOR_VIEW_TYPE, MAX_STEP } from '../../protocol/inspector';
import type { RunStore } from '../runs/store';
import { panelLog } from './common';
import { DashboardPanel } from './dashboardPanel';
import { HyperparametersPanel } from './hyperparametersPanel';
import { InspectorPanel } from './inspectorPanel';
import { restoredDashboard, restoredDocumentUri, restoredInspector } from './restore';

/**
 * `runDirs`: the runs to show (none: follow the newest, or with `experiment` that experiment's,
 * as they start); `compare`: Compare Runs' table of every run against runDirs[0].
 */
export function openDashboard(ctx: vscode.ExtensionContext, store: RunStore, runDirs?: string[], opts: { experiment?: string; compare?: boolean } = {}): void {
  DashboardPanel.createOrShow(ctx, store, { dirs: runDirs, ...opts });
}

export function openBatchInspector(ctx: vscode.ExtensionContext, store: RunStore, runDir: string, step?: number): void {
  InspectorPanel.createOrShow(ctx, store, runDir, step);
}

export function openHyperparameterPanel(ctx: vscode.ExtensionContext, document: vscode.TextDocument): void {
  HyperparametersPanel.createOrShow(ctx, document);
}

/** Wait (briefly) until the store knows a run folder: after a reload the folders are read asynchronously. */
function whenKnown(store: RunStore, dir: string, timeoutMs = 10_000): Promise<boolean> {
  if (store.get(dir)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const sub = store.onDidChangeRuns(() => {
      if (store.get(dir)) done(true);
    });
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      sub.dispose();
      resolve(ok);
    }
  });
}

/**
 * Serializers so open panels come back after a reload (VS Code activates the extension with
 * onWebviewPanel:<viewType> and hands back the state the webview saved with setState). That state
 * came from a webview, so it is checked like any message; a run folder in it must be one the store
 * knows before a panel reads from it. Also registers jestStudio._test.dashboardState.
 */
export function registerPanelSerializers(ctx: vscode.ExtensionContext, store: RunStore): void {
  ctx.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        // only used as keys into the store: a run the store does not know is simply not shown
        DashboardPanel.revive(panel, ctx, store, restoredDashboard(state, MAX_RUNS));
      },
    }),
    vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        const r = restoredInspector(state, MAX_STEP);
        if (!r || !(await whenKnown(store, r.runDir))) {
          panelLog().info('batch inspector: not restored (its run folder is no longer known)');
          panel.dispose();
          return;
        }
        InspectorPanel.revive(panel, ctx, store, r.runDir, r.step);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(HYPERPARAMETERS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        const uri = restoredDocumentUri(state);
        if (!uri) {
          panel.dispose();
          return;
        }
        try {
          const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true));
          HyperparametersPanel.revive(panel, ctx, document);
        } catch {
          panel.dispose();
        }
      },
    }),
    vscode.commands.registerCommand('jestStudio._test.dashboardState', () => DashboardPanel.lastPosted()),
  );
}
