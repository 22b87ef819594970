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
import * as os from 'node:os';
import { ownIdentity, pidExists, processStart, type ProcessIdentity } from './process-identity';

export const LOCK_FILE = 'lock';
const BREAK_FILE = 'lock.break';

interface LockContent extends ProcessIdentity {
  /** What holds it (train, resume), for the loser's message. */
  command: string;
  since: string;
  /** The machine it runs on: a run folder on a shared drive can be locked from another one. */
  host?: string;
}

/**
 * Is the lock's owner alive? Only a definite "no" makes a lock stale: the same pid with another
 * start time, or no such pid. Where the start time cannot be read (no /proc, ps or PowerShell
 * failing or too slow, an owner that could not read its own), a pid that exists counts as alive.
 * A lock from another machine cannot be checked from here at all, so it counts as alive.
 */
function ownerAlive(c: LockContent): boolean {
  if (c.host !== undefined && c.host !== os.hostname()) return true;
  if (c.started.startsWith('unknown:')) return pidExists(c.pid);
  const now = processStart(c.pid);
  return now === undefined ? pidExists(c.pid) : now === c.started;
}

function howToStop(pid: number): string {
  return process.platform === 'win32'
    ? 'Ctrl-C in its terminal or Stop Run in the editor (it writes a checkpoint)'
    : `Ctrl-C in its terminal, Stop Run in the editor, or kill -TERM ${pid} (it writes a checkpoint)`;
}

/** Another live trainer holds the folder. */
export class RunLockedError extends Error {
  override name = 'RunLockedError';
  constructor(
    readonly dir: string,
    readonly holder: LockContent,
  ) {
    const elsewhere = holder.host !== undefined && holder.host !== os.hostname();
    super(
      elsewhere
        ? `${dir} is in use by a trainer on another machine, ${holder.host} (pid ${holder.pid}, "${holder.command}" since ${holder.since}): ` +
            `two trainers cannot write one run folder. Stop it there, then resume. If that machine is gone, delete ${path.join(dir, LOCK_FILE)}.`
        : `${dir} is in use by a live trainer (pid ${holder.pid}, "${holder.command}" since ${holder.since}): ` +
            `two trainers cannot write one run folder. Stop it first (${howToStop(holder.pid)}), then resume.`,
    );
  }
}

function readLock(file: string): LockContent | null | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // held open by someone (antivirus, EBUSY) or not ours to read: never taken for a stale lock
    throw new Error(`cannot read the run folder's lock ${file} (${(e as Error).message}): check its permissions, or whether another program holds it`);
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
  return c && c !== 'unreadable' && ownerAlive(c) ? c : null;
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
  const me: LockContent = { ...ownIdentity(), command, since: new Date().toISOString(), host: os.hostname() };
  const body = JSON.stringify(me) + '\n';
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(file, body)) return held(dir, file, body);
    const c = readLock(file);
    if (c === null) continue; // released between our create and our read: try again
    if (c !== 'unreadable' && ownerAlive(c)) throw new RunLockedError(dir, c);
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
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the lock itself is what matters; the next trainer removes a leftover (util/temporaries.ts)
    }
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
  if (!tryCreate(breaker, JSON.stringify({ ...ownIdentity(), command: 'break', since: new Date().toISOString(), host: os.hostname() }) + '\n')) {
    // Another contender is breaking it (for microseconds). Only a breaker that has been there for
    // seconds and whose owner is gone was left by a contender that died mid-break.
    const b = readLock(breaker);
    if (b !== null && !youngerThan(breaker, 2000) && (b === 'unreadable' || !ownerAlive(b))) fs.rmSync(breaker, { force: true });
    else sleep(5 + Math.floor(Math.random() * 20));
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
