// The built-in sets come from npm packages that are devDependencies (kept out of the extension's
// VSIX). When one is missing, say exactly which command installs it.

import * as path from 'path';

export const DATA_PACKAGES = {
  emojiDatasource: 'emoji-datasource@16.0.0',
  emojibase: 'emojibase-data@17.0.0',
} as const;

export class MissingPackageError extends Error {
  constructor(
    readonly what: string,
    readonly installCommand: string,
  ) {
    super(`npm packages for ${what} are not installed. Run:\n  ${installCommand}\n(in the jest-studio folder; they are devDependencies, so "npm ci" without --omit=dev installs them too)`);
  }
}

const SEARCH_PATHS = [process.cwd(), __dirname];

/** Absolute folder of an installed package, or undefined. */
export function packageDir(name: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: SEARCH_PATHS }));
  } catch {
    return undefined;
  }
}

export function requirePackageDir(name: string, what: string, installCommand: string): string {
  const dir = packageDir(name);
  if (!dir) throw new MissingPackageError(what, installCommand);
  return dir;
}

export function packageVersion(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(dir, 'package.json')) as { version: string }).version;
}
