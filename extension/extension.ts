// JEST Studio's extension host side. Activation is lazy and light: it wires the run store, the
// run manager (engine CLI child processes), the runs view, the status bar and the authoring
// helpers. It never loads onnxruntime-node or sharp: the engine runs in child processes, and
// this side only reads run folders and the experiment file's text.
// first: its timestamp marks the start of loading this extension's modules
import { loadStartedAt } from './timing';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ExperimentCodeLens } from './authoring/codelens';
import { ExperimentDiagnostics } from './authoring/diagnostics';
import { registerCommands } from './commands';
import { runsRoots, SECTION } from './config';
import type { Services } from './context';
import { extensionLog } from './log';
import { registerPanelSerializers } from './panels';
import { setEngineEnvironment } from './runs/child';
import { datasetsEnvironment, isMissingDatasets } from './runs/datasets';
import { FolderRuns } from './runs/folders';
import { RunManager } from './runs/manager';
import { hasAnyCheckpoint } from '../src/runs/checkpoints';
import { RunStore } from './runs/store';
import { RunsTreeProvider } from './views/runsTree';
import { RunContextKeys } from './views/contextKeys';
import { RunStatusBar } from './views/statusBar';
import { showError } from './notify';

/** What activate() returns: for other extensions and for the extension tests. */
export interface JestStudioApi {
  store: RunStore;
  manager: RunManager;
  runsTree: RunsTreeProvider;
  statusBar: RunStatusBar;
  contextKeys: RunContextKeys;
  diagnostics: ExperimentDiagnostics;
  /**
   * Milliseconds: evaluating the extension's modules, then VS Code's own work before it calls
   * activate() (creating the extension context, its storage), then activate() itself. The
   * extension's cost is loadMs + activateMs (budget: 150 ms); waitMs is the host's.
   */
  activation: { loadMs: number; waitMs: number; activateMs: number };
}

/** The engine's command line: bundled next to the extension in a VSIX (scripts/package.ts), compiled under out/ in a checkout. */
function engineCli(ctx: vscode.ExtensionContext): string {
  const bundled = ctx.asAbsolutePath(path.join('dist', 'cli.js'));
  return path.basename(__dirname) === 'dist' ? bundled : ctx.asAbsolutePath(path.join('out', 'src', 'cli.js'));
}

export function activate(ctx: vscode.ExtensionContext): JestStudioApi {
  const t0 = performance.now();
  const store = new RunStore();
  const cliPath = engineCli(ctx);
  setEngineEnvironment(datasetsEnvironment(ctx));
  const manager = new RunManager(store, cliPath);
  const folders = new FolderRuns(store, manager, runsRoots);
  store.setRefresher(() => folders.scan(true));
  const diagnostics = new ExperimentDiagnostics();
  const services: Services = {
    ctx,
    store,
    manager,
    folders,
    diagnostics,
    cliPath,
  };
  const runsTree = new RunsTreeProvider(store);
  // multi-select: pick runs in the tree, then Compare Runs on them (their context menu, or the view's title button)
  const runsView = vscode.window.createTreeView('jestStudio.runs', { treeDataProvider: runsTree, showCollapseAll: true, canSelectMany: true });
  services.runsSelection = () => runsView.selection;
  const statusBar = new RunStatusBar(store);
  const contextKeys = new RunContextKeys(store);
  ctx.subscriptions.push(
    store,
    manager,
    folders,
    diagnostics,
    runsTree,
    statusBar,
    contextKeys,
    runsView,
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.jest.json' }, new ExperimentCodeLens()),
    ...registerCommands(services),
    manager.onDidEndRun((r) => {
      const name = path.basename(r.dir);
      if (r.status === 'failed' && isMissingDatasets(r.reason)) {
        void showError(`Run ${name} needs the built-in datasets, which are not installed yet.`, 'Install Built-in Datasets', 'Show Log').then((p) => {
          if (p === 'Show Log') manager.showLog(r.dir);
          if (p) void vscode.commands.executeCommand('jestStudio.installDatasets');
        });
      } else if (r.status === 'failed') {
        // Resume only where there is a checkpoint to resume from (the palette and the tree ask the same)
        const actions = hasAnyCheckpoint(r.dir) ? ['Show Log', 'Resume'] : ['Show Log'];
        void showError(`Run ${name} failed: ${r.reason ?? 'no reason given'}.`, ...actions).then((p) => {
          if (p === 'Show Log') manager.showLog(r.dir);
          if (p === 'Resume') void vscode.commands.executeCommand('jestStudio.resumeRun', r.dir);
        });
      } else if (r.status === 'finished') {
        void vscode.window.showInformationMessage(`Run ${name} finished.`, 'Open Dashboard').then((p) => p && vscode.commands.executeCommand('jestStudio.openDashboard', r.dir));
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.runsFolder`)) {
        folders.watch();
        folders.scan(true);
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      folders.watch();
      folders.scan();
    }),
  );
  registerPanelSerializers(ctx, store);
  // read the run folders after activation returns: activation stays fast with many runs
  setTimeout(() => folders.scan(), 0);
  const activation = { loadMs: modulesLoadedAt - loadStartedAt, waitMs: t0 - modulesLoadedAt, activateMs: performance.now() - t0 };
  extensionLog().info(`modules evaluated in ${activation.loadMs.toFixed(1)} ms, VS Code called activate() ${activation.waitMs.toFixed(1)} ms later, activated in ${activation.activateMs.toFixed(1)} ms`);
  return { store, manager, runsTree, statusBar, contextKeys, diagnostics, activation };
}

export function deactivate(): void {
  // ctx.subscriptions dispose everything; runs go on in their own processes (see RunManager.dispose)
}

// the last line of this module's evaluation: every import above has been evaluated by now
const modulesLoadedAt = performance.now();
