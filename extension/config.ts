// The extension's settings (contributes.configuration in package.json) and the paths derived from them.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SECTION = 'jestStudio';

export interface Settings {
  /** Overrides the experiment's runtime.device when not 'experiment'. */
  device: 'experiment' | 'auto' | 'cpu' | 'cuda' | 'webgpu';
  /** Overrides runtime.threads when > 0. */
  threads: number;
}

export function settings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, null);
  return {
    device: c.get<Settings['device']>('device', 'experiment'),
    threads: c.get<number>('threads', 0),
  };
}

/** jestStudio.runsFolder as it applies to a resource (it is resource-scoped: each folder may have its own). */
function runsFolderFor(uri: vscode.Uri | null): string {
  return vscode.workspace.getConfiguration(SECTION, uri).get<string>('runsFolder', 'runs') || 'runs';
}

/** Every runs folder: one per workspace folder (absolute settings may name the same one twice). */
export function runsRoots(): string[] {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => path.resolve(f.uri.fsPath, runsFolderFor(f.uri)));
  return [...new Set(roots)];
}

/** The runs folder for an experiment file: its workspace folder's, else next to the file. */
export function runsRootFor(file: string): string {
  const uri = vscode.Uri.file(file);
  const ws = vscode.workspace.getWorkspaceFolder(uri);
  return path.resolve(ws ? ws.uri.fsPath : path.dirname(file), runsFolderFor(uri));
}

/** CLI flags from the settings that override the experiment file. */
export function overrideFlags(): string[] {
  const s = settings();
  const flags: string[] = [];
  if (s.device !== 'experiment') flags.push('--device', s.device);
  // train and resume both take these (the CLI refuses a flag a command would ignore)
  if (s.threads > 0) flags.push('--threads', String(s.threads));
  return flags;
}
