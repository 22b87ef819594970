// Temporary files and folders a writer renames into place when it is done (`<target>.tmp-<pid>`,
// `<target>.partial-<pid>`): a process killed mid-write leaves them behind, up to a checkpoint's
// size each. Whoever writes there next removes those whose writer is gone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidExists } from '../runs/process-identity';

const TEMPORARY = /\.(tmp|partial)-(\d+)$/;

/**
 * Remove the temporary files and folders (`*.tmp-<pid>`, `*.partial-<pid>`) that a process killed
 * mid-write left in `dir`: those whose writer is gone. With `all` (a run folder whose lock this
 * process holds, so nobody else writes there) every one but this process's own, and but a lock
 * being taken (lock.tmp-<pid> of a live contender). Returns what was removed.
 */
export function removeStaleTemporaries(dir: string, all = false): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMPORARY.exec(n);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid) continue;
    if ((!all || n.startsWith('lock.')) && pidExists(pid)) continue;
    try {
      fs.rmSync(path.join(dir, n), { recursive: true, force: true });
      removed.push(n);
    } catch {
      // housekeeping: a leftover we cannot remove now (held open elsewhere) is tried again next time
    }
  }
  return removed;
}
