// One trainer per run folder. Two trainers writing one folder interleave their metrics and flip
// status.json between them (a `resume` on a live run used to be accepted), so `train` and `resume`
// first take the folder's lock: the file `lock`, created only if absent (a hard link of a file
// already written, which fails atomically when the lock exists), holding the owner's process
// identity (pid + start time, runs/process-identity.ts).
//
// The lock's content is complete the moment it exists (written aside, then hard-linked in).
// A trainer killed with SIGKILL leaves its lock behind. Such a lock is stale when the OS reports
// no process with that pid AND start time: pid alone is not enough, since a pid is reused (after a
// reboot, or by any later process). Breaking a stale lock is itself serialised by a second such
// file (`lock.break`), so two contenders that both saw the same stale lock cannot both win: the
// one holding lock.break re-reads the lock, removes it only if it still names the dead owner, and
// then creates its own the same way as anyone else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSameProcess, ownIdentity, type ProcessIdentity } from './process-identity';

export const LOCK_FILE = 'lock';
const BREAK_FILE = 'lock.break';

interface LockContent extends ProcessIdentity {
  /** What holds it (train, resume), for the loser's message. */
  command: string;
  since: string;
}

/** Another live trainer holds the folder. */
export class RunLockedError extends Error {
  override name = 'RunLockedError';
  constructor(
    readonly dir: string,
    readonly holder: LockContent,
  ) {
    super(
      `${dir} is in use by a live trainer (pid ${holder.pid}, "${holder.command}" since ${holder.since}): ` +
        `two trainers cannot write one run folder. Stop it first (Ctrl-C in its terminal, Stop Run in the editor, or kill -TERM ${holder.pid}: it writes a checkpoint), then resume.`,
    );
  }
}

function readLock(file: string): LockContent | null | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
  }
  try {
    const c = JSON.parse(text) as LockContent;
    return typeof c.pid === 'number' && typeof c.started === 'string' ? c : 'unreadable';
  } catch {
    // not a lock this code wrote whole (hand-edited, or a file system without hard links cut it short)
    return 'unreadable';
  }
}

/** Who holds the folder's lock now, if a live process does (stale and missing locks: null). */
export function lockHolder(dir: string): LockContent | null {
  const c = readLock(path.join(dir, LOCK_FILE));
  return c && c !== 'unreadable' && isSameProcess(c) ? c : null;
}

export interface RunLock {
  readonly dir: string;
  /** Remove the lock (only if it is still this process's). Idempotent. */
  release(): void;
}

/**
 * Take `dir`'s lock (creating `dir` if needed), or throw RunLockedError naming the live holder.
 * A lock held by this very process (a second acquire) is refused like any other: one trainer per folder.
 */
export function acquireRunLock(dir: string, command: string): RunLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockContent = { ...ownIdentity(), command, since: new Date().toISOString() };
  const body = JSON.stringify(me) + '\n';
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(file, body)) return held(dir, file, body);
    const c = readLock(file);
    if (c === null) continue; // released between our create and our read: try again
    if (c !== 'unreadable' && isSameProcess(c)) throw new RunLockedError(dir, c);
    if (c === 'unreadable' && youngerThan(file, 2000)) {
      sleep(50); // an O_EXCL create (no hard links here) whose owner is still writing it
      continue;
    }
    breakStale(dir, file, c);
  }
  throw new Error(`could not take the lock of ${dir} (${file} keeps changing hands): is something else creating and removing it?`);
}

/**
 * Create `file` holding `body`, only if it does not exist. The body is written to a temporary file
 * first and hard-linked into place (link fails with EEXIST, atomically), so a contender never reads
 * a lock that exists but is still empty. Where the file system has no hard links, O_EXCL create.
 */
function tryCreate(file: string, body: string): boolean {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, body);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new Error(`could not write the run folder's lock ${file}: ${err.message}${err.code === 'ENOSPC' ? ' (the disk is full: free some space)' : ''}`);
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createExclusive(file, body);
    throw new Error(`could not create the run folder's lock ${file}: ${(e as Error).message}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function createExclusive(file: string, body: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`could not create the run folder's lock ${file}: ${(e as Error).message}`);
  }
  try {
    fs.writeFileSync(fd, body);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Remove a lock whose owner is gone, under lock.break so that only one contender does it. */
function breakStale(dir: string, file: string, seen: LockContent | 'unreadable'): void {
  const breaker = path.join(dir, BREAK_FILE);
  if (!tryCreate(breaker, JSON.stringify(ownIdentity()) + '\n')) {
    // another contender is breaking it; if that contender died mid-break, its file is stale too
    const b = readLock(breaker);
    if (b !== null && (b === 'unreadable' || !isSameProcess(b))) fs.rmSync(breaker, { force: true });
    return;
  }
  try {
    const now = readLock(file);
    if (now !== null && JSON.stringify(now) === JSON.stringify(seen)) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function youngerThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function held(dir: string, file: string, body: string): RunLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (fs.readFileSync(file, 'utf8') === body) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  // a process that exits (normally, or by process.exit) without releasing leaves no lock behind
  process.on('exit', release);
  return { dir, release };
}
