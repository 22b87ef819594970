// Containment checks for files a panel serves or reads on a webview's behalf. The webview never
// sends a path; the host builds paths from a known run folder plus a name it generated itself
// (step-000050.json) or read from the engine's own file. These checks are the second fence: after
// symlinks are resolved, the file must still lie inside the run folder.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when `candidate` is `root` or lies below it (lexically, after normalisation). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Like isInside, but with symlinks resolved on both sides; false when either does not exist. */
export function isInsideReal(root: string, candidate: string): boolean {
  try {
    return isInside(fs.realpathSync(root), fs.realpathSync(candidate));
  } catch {
    return false;
  }
}

/** A bare file name (no separators, no `..`), as the engine writes into its own JSON. */
export function isBareFileName(name: unknown, pattern: RegExp): name is string {
  return typeof name === 'string' && name.length < 256 && name === path.basename(name) && name !== '..' && name !== '.' && pattern.test(name);
}
