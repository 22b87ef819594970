// The extension's settings (contributes.configuration in package.json) and the paths derived from them.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SECTION = 'jestStudio';

export interface Settings {
  /** Where runs go, relative to each workspace folder (or absolute). */
  runsFolder: string;
  /** Overrides the experiment's runtime.device when not 'experiment'. */
  device: 'experiment' | 'auto' | 'cpu' | 'cuda' | 'webgpu';
  /** Overrides runtime.threads when > 0. */
  threads: number;
}

export function settings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    runsFolder: c.get<string>('runsFolder', 'runs') || 'runs',
    device: c.get<Settings['device']>('device', 'experiment'),
    threads: c.get<number>('threads', 0),
  };
}

/** Every runs folder: one per workspace folder, or the one absolute folder. */
export function runsRoots(): string[] {
  const { runsFolder } = settings();
  if (path.isAbsolute(runsFolder)) return [runsFolder];
  return (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, runsFolder));
}

/** The runs folder for an experiment file: its workspace folder's, else next to the file. */
export function runsRootFor(file: string): string {
  const { runsFolder } = settings();
  if (path.isAbsolute(runsFolder)) return runsFolder;
  const ws = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  return path.join(ws ? ws.uri.fsPath : path.dirname(file), runsFolder);
}

/** CLI flags from the settings that override the experiment file. */
export function overrideFlags(): string[] {
  const s = settings();
  const flags: string[] = [];
  if (s.device !== 'experiment') flags.push('--device', s.device);
  // the engine's CLI reads --threads from the version that has it on; older ones ignore the flag
  if (s.threads > 0) flags.push('--threads', String(s.threads));
  return flags;
}
