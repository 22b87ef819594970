// One engine CLI process: forked with an IPC channel, so run events arrive as typed messages
// (src/cli.ts eventSink: { kind: 'run-event', event }) while stderr carries the human log.
// A crash, a native fault or a kill of the child never takes the editor down.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../src/runs/events';
import { RUN_FILES, type StatusFile } from '../../src/runs/folder';
import { isSameProcess, pidExists, type ProcessIdentity } from '../../src/runs/process-identity';

/** What src/cli.ts sends over the IPC channel. */
export interface RunEventMessage {
  kind: 'run-event';
  event: RunEvent;
}

export function isRunEventMessage(m: unknown): m is RunEventMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { kind?: unknown; event?: unknown };
  return o.kind === 'run-event' && typeof o.event === 'object' && o.event !== null && typeof (o.event as { type?: unknown }).type === 'string';
}

export interface ChildHandlers {
  onEvent(e: RunEvent): void;
  /** One line of stderr (progress-bar redraws split on \r become lines too). */
  onStderr(line: string): void;
  onStdout?(text: string): void;
  /** code null when killed by a signal. */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  /** The process could not be started at all. */
  onError(err: Error): void;
}

/** Set once in activate(): what every engine process gets on top of the host's environment (JEST_STUDIO_DATASETS). */
let engineEnvironment: Record<string, string> = {};
export function setEngineEnvironment(env: Record<string, string>): void {
  engineEnvironment = { ...env };
}

/**
 * Engine processes run below normal priority (nice 10; "below normal" on Windows). Training is
 * background work: when the CPU is contended, the editor (extension host, renderer, the
 * dashboard's messages) goes first, and on an idle machine a lowered process still gets every
 * core. onnxruntime's worker threads are created later, by the already-lowered main thread, and
 * inherit the priority from it.
 */
export const ENGINE_PRIORITY = os.constants.priority.PRIORITY_BELOW_NORMAL;

/**
 * fork(cli, args): node executes the CLI; ELECTRON_RUN_AS_NODE lets an Electron host's binary do it
 * too. `detached` (runs): the child leads its own process group, so it outlives the window that
 * started it (the CLI keeps going when its IPC channel and pipes close: src/cli.ts).
 */
export function forkCli(cliPath: string, args: string[], cwd: string, h: ChildHandlers, opts: { detached?: boolean } = {}): ChildProcess {
  const child = fork(cliPath, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...engineEnvironment, ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '0' },
    execArgv: [],
    detached: opts.detached ?? false,
  });
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, ENGINE_PRIORITY);
    } catch {
      // not permitted here (e.g. a policy that forbids it): the run goes on at normal priority
    }
  }
  let pending = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split(/\r?\n|\r/);
    pending = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) h.onStderr(p);
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => h.onStdout?.(chunk));
  child.on('message', (m) => {
    if (isRunEventMessage(m)) h.onEvent(m.event);
  });
  child.on('error', h.onError);
  child.on('exit', (code, signal) => {
    if (pending.trim()) h.onStderr(pending);
    pending = '';
    h.onExit(code, signal);
  });
  return child;
}

/** Is a process with this pid alive (signal 0 probes without sending anything)? */
/** Does a process with this pid exist (src/runs/process-identity.ts pidExists)? */
export function pidAlive(pid: number | undefined): boolean {
  return pid !== undefined && pidExists(pid);
}

/**
 * Is the engine this identity names still running? Where asking the OS is cheap (Linux: one /proc
 * read) the start time is compared too, so a reused pid reads as the run having ended; elsewhere
 * (a process spawn per ask) the probe is pid-only and the identity is checked when it matters,
 * before any signal (stopProcess).
 */
export function stillRunning(id: ProcessIdentity): boolean {
  return process.platform === 'linux' ? isSameProcess(id) : pidAlive(id.pid);
}

export type StopResult = { stopping: true; timer: NodeJS.Timeout } | { stopping: false; why: string };

/**
 * Stop a run this window only knows from its folder (started before a reload, or from a terminal):
 * SIGTERM (the engine finishes its step and writes a checkpoint), then SIGKILL if it is still
 * running after `graceMs`. Each signal goes only to the process the identity names: the pid must
 * still belong to a process that started when the engine recorded, so a reused pid, or a
 * status.json copied from another machine or crafted in a cloned repository, signals nothing.
 */
export function stopProcess(id: ProcessIdentity, graceMs: number, onKill: () => void): StopResult {
  if (!isSameProcess(id)) {
    return pidAlive(id.pid)
      ? { stopping: false, why: `pid ${id.pid} now belongs to another process (the engine that wrote status.json has exited, or the folder came from elsewhere): nothing was signalled` }
      : { stopping: false, why: 'its engine process has already exited' };
  }
  try {
    process.kill(id.pid, 'SIGTERM');
  } catch {
    return { stopping: false, why: 'its engine process has already exited' };
  }
  const timer = setTimeout(() => {
    if (!isSameProcess(id)) return;
    try {
      process.kill(id.pid, 'SIGKILL');
      onKill();
    } catch {
      // it exited between the check and the kill
    }
  }, graceMs);
  timer.unref();
  return { stopping: true, timer };
}

/**
 * The identity to signal for a run folder this window did not start, or why there is none. An
 * untrusted workspace never gets a pid-based stop: its status.json is the folder's word only.
 */
export function pidStopTarget(dir: string, trusted: boolean): ProcessIdentity | string {
  const name = path.basename(dir);
  let s: StatusFile;
  try {
    s = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.status), 'utf8')) as StatusFile;
  } catch {
    return `${name} has no readable status.json, so no live process is known to write it: nothing to stop`;
  }
  if (s.status !== 'running' && s.status !== 'starting') return `${name} is not running (its status is ${s.status}): nothing to stop`;
  if (!trusted) {
    return `${name} was not started in this window, and this workspace is not trusted: JEST Studio signals no process a folder names until you trust the workspace (or stop the run where it was started)`;
  }
  if (typeof s.pid !== 'number' || typeof s.started !== 'string') {
    return `${name}'s status.json names no process identity (written by an older JEST Studio, or not by the engine): stop it where it was started (Ctrl-C in its terminal)`;
  }
  return { pid: s.pid, started: s.started };
}
