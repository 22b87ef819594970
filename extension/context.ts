// What every command needs, built once in activate().
import type * as vscode from 'vscode';
import type { ExperimentDiagnostics } from './authoring/diagnostics';
import type { FolderRuns } from './runs/folders';
import type { RunManager } from './runs/manager';
import type { RunStore } from './runs/store';

export interface Services {
  ctx: vscode.ExtensionContext;
  store: RunStore;
  manager: RunManager;
  folders: FolderRuns;
  diagnostics: ExperimentDiagnostics;
  /** The engine's command line: dist/cli.js in a packaged extension, out/src/cli.js in a checkout. */
  cliPath: string;
  /** The items selected in the Runs view (set once the view exists). */
  runsSelection?: () => readonly unknown[];
}
