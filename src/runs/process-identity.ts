// Who a pid is. A run folder's status.json names the engine's pid, but a pid alone is not an
// identity: after the engine exits (or the machine reboots) the number is reused, and a folder from
// a cloned repository can name any pid at all. So the engine also records when its process
// started, as the OS reports it, and whoever signals that pid first asks the OS again: same pid AND
// same start means the same process. The start token is read the same way on both sides (here),
// so it compares exactly; its format is opaque to everyone else.
//   Linux:   /proc/<pid>/stat field 22 (start time in clock ticks since boot) + the boot id
//   macOS/BSD: `ps -o lstart= -p <pid>` (the start time to the second)
//   Windows: PowerShell's Get-Process StartTime (file time, 100 ns)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Opaque: compare for equality only. */
  started: string;
}

let bootId: string | undefined;

function linuxStart(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // no such process (or /proc hides it)
  }
  // the command name (field 2) is in parentheses and may hold spaces or ')': split after the last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 (starttime) is rest[19]
  const ticks = rest[19];
  if (!ticks || !/^\d+$/.test(ticks)) return undefined;
  if (rest[0] === 'Z') return undefined; // a zombie has exited: nothing left to stop
  bootId ??= readBootId();
  return `linux:${bootId}:${ticks}`;
}

function readBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'no-boot-id';
  }
}

function psStart(pid: number): string | undefined {
  // LC_ALL=C: lstart is written in the locale's words, and every reader must get the same token
  const r = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000, env: { ...process.env, LC_ALL: 'C' } });
  const out = r.status === 0 ? r.stdout.trim() : '';
  return out ? `ps:${out.replace(/\s+/g, ' ')}` : undefined;
}

function windowsStart(pid: number): string | undefined {
  const r = spawnSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToFileTimeUtc()`], {
    encoding: 'utf8',
    timeout: 15_000,
    windowsHide: true,
  });
  const out = r.status === 0 ? r.stdout.trim() : '';
  return /^\d+$/.test(out) ? `win:${out}` : undefined;
}

/** The start token of the process with this pid now, or undefined when no such process runs (or the OS will not say). */
export function processStart(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') return linuxStart(pid);
  if (process.platform === 'win32') return windowsStart(pid);
  return psStart(pid);
}

let own: ProcessIdentity | undefined;

/** This process's identity (computed once: on Windows and macOS it costs a process spawn). */
export function ownIdentity(): ProcessIdentity {
  own ??= { pid: process.pid, started: processStart(process.pid) ?? `unknown:${process.pid}:${Date.now()}` };
  return own;
}

/** Is the process this identity names still the one running under its pid? */
export function isSameProcess(id: { pid?: unknown; started?: unknown } | null | undefined): boolean {
  if (!id || typeof id.pid !== 'number' || typeof id.started !== 'string' || id.started.startsWith('unknown:')) return false;
  const now = processStart(id.pid);
  return now !== undefined && now === id.started;
}

/** Does any process have this pid (signal 0; EPERM: one we may not signal, but it exists)? */
export function pidExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
