// The built-in sets come from npm packages that are devDependencies (kept out of the extension's
// VSIX, ~120 MB). They are found next to the engine (a checkout after `npm ci`), in the working
// folder, or in the folder named by JEST_STUDIO_DATASETS (the extension installs them there with
// "JEST: Install Built-in Datasets"). When one is missing, say exactly which command installs it.

import * as path from 'path';

export const DATA_PACKAGES = {
  emojiDatasource: 'emoji-datasource@16.0.0',
  emojibase: 'emojibase-data@17.0.0',
} as const;

/** Every package a built-in set reads, pinned (a test keeps this equal to package.json's devDependencies). */
export const BUILTIN_DATA_PACKAGES = [
  DATA_PACKAGES.emojiDatasource,
  DATA_PACKAGES.emojibase,
  '@iconify-json/fluent@1.2.60',
  '@iconify-json/fluent-emoji-flat@1.2.6',
  '@iconify-json/material-symbols@1.2.98',
  '@iconify-json/mdi@1.2.3',
  '@iconify-json/mingcute@1.2.8',
  '@iconify-json/ph@1.2.2',
  '@iconify-json/ri@1.2.10',
  '@iconify-json/tabler@1.2.41',
] as const;

/** "name@version" as pinned above, or the bare name for a package we do not pin. */
export function pinned(name: string): string {
  return BUILTIN_DATA_PACKAGES.find((p) => p.slice(0, p.lastIndexOf('@')) === name) ?? name;
}

/** A folder whose node_modules/ holds the built-in sets' packages (set by the extension for its runs). */
export const DATASETS_ENV = 'JEST_STUDIO_DATASETS';

/** The command that installs these packages where the engine will look. */
export function installAdvice(packages: readonly string[]): string {
  const dir = process.env[DATASETS_ENV];
  if (dir) return `run "JEST: Install Built-in Datasets" in VS Code, or:\n  npm install --prefix "${dir}" --no-save ${packages.join(' ')}`;
  return `npm install --save-dev ${packages.join(' ')}\n(in the jest-studio folder; they are devDependencies, so "npm ci" without --omit=dev installs them too)`;
}

export class MissingPackageError extends Error {
  constructor(
    readonly what: string,
    readonly installCommand: string,
  ) {
    super(`npm packages for ${what} are not installed. To install them, ${installCommand}`);
  }
}

function searchPaths(): string[] {
  const datasets = process.env[DATASETS_ENV];
  return [process.cwd(), ...(datasets ? [path.resolve(datasets)] : []), __dirname];
}

/** Absolute folder of an installed package, or undefined. */
export function packageDir(name: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: searchPaths() }));
  } catch {
    return undefined;
  }
}

export function requirePackageDir(name: string, what: string, packages: readonly string[]): string {
  const dir = packageDir(name);
  if (!dir) throw new MissingPackageError(what, installAdvice(packages));
  return dir;
}

export function packageVersion(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(dir, 'package.json')) as { version: string }).version;
}
