// One engine CLI process: forked with an IPC channel, so run events arrive as typed messages
// (src/cli.ts eventSink: { kind: 'run-event', event }) while stderr carries the human log.
// A crash, a native fault or a kill of the child never takes the editor down.
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import type { RunEvent } from '../../src/runs/events';

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
export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stop a run this window only knows by pid (started before a reload, or from a terminal): SIGTERM
 * (the engine finishes its step and writes a checkpoint), then SIGKILL if it is still alive after
 * `graceMs`, and only if `stillOurs()` says the pid still belongs to that run (pids are reused).
 * Returns null when the process was already gone.
 */
export function stopPid(pid: number, graceMs: number, stillOurs: () => boolean, onKill: () => void): NodeJS.Timeout | null {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return null; // it exited after the caller looked, or is not ours to signal
  }
  const timer = setTimeout(() => {
    if (!pidAlive(pid) || !stillOurs()) return;
    try {
      process.kill(pid, 'SIGKILL');
      onKill();
    } catch {
      // it exited between the probe and the kill
    }
  }, graceMs);
  timer.unref();
  return timer;
}
