// The npm command line that installs the built-in datasets (extension/runs/datasets.ts runs it).
// vscode-free, so the exact command is unit-tested on every platform's rules.
import type { SpawnOptions } from 'node:child_process';

/**
 * How to run npm to install `packages` into `dir`. No path is ever on a command line: npm installs
 * into the folder it runs in (cwd) once that folder has a package.json (installDatasets writes
 * one), so on Windows, where npm.cmd must go through cmd.exe (Node refuses to spawn a .cmd file
 * without a shell), the shell sees only fixed flags and pinned package names, never a folder name
 * with spaces, & or % in it.
 */
export function npmInstall(platform: NodeJS.Platform, dir: string, packages: readonly string[]): { command: string; args: string[]; options: SpawnOptions } {
  for (const p of packages) if (!/^[@a-z0-9][\w.@/-]*$/i.test(p)) throw new Error(`not a pinned package name: ${p}`);
  const win = platform === 'win32';
  return {
    command: win ? 'npm.cmd' : 'npm',
    args: ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', ...packages],
    options: { cwd: dir, shell: win, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true },
  };
}
