// The run manager: one engine CLI child process per run (several at once), its events into the
// RunStore, its log into an output channel, stop (SIGTERM: the engine stops after the current step
// with a checkpoint; SIGKILL after a grace period), and a run that dies saying why. Runs outlive
// the window: on reload the children keep training and FolderRuns follows them from their folders.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/runs/events';
import { RUN_FILES, newRunDir } from '../../src/runs/folder';
import { forkCli, pidStopTarget, stopProcess } from './child';
import { lockHolder, RunLockedError } from '../../src/runs/lock';
import { hasAnyCheckpoint } from '../../src/runs/checkpoints';
import { ResumeResync } from './resync';
import { readEvents } from './scan';
import type { RunStore } from './store';

/** How long a stopping run may take to finish its step and write its checkpoint before SIGKILL. */
export const STOP_GRACE_MS = 30_000;
const STDERR_TAIL = 12;

interface OwnedRun {
  dir: string;
  name: string;
  child: ChildProcess;
  stderrTail: string[];
  stopRequested: boolean;
  killTimer?: NodeJS.Timeout;
  lastStatusMessage?: string;
}

export interface RunEndInfo {
  dir: string;
  name: string;
  status: 'finished' | 'stopped' | 'failed';
  /** Why it failed: the engine's own message, else the exit code and the last stderr lines. */
  reason?: string;
}

export class RunManager implements vscode.Disposable {
  private readonly owned = new Map<string, OwnedRun>();
  private readonly outputs = new Map<string, vscode.OutputChannel>();
  /** Runs known only by pid that were asked to stop: their SIGKILL timers. */
  private readonly pidStops = new Map<string, NodeJS.Timeout>();
  private readonly ended = new vscode.EventEmitter<RunEndInfo>();
  readonly onDidEndRun = this.ended.event;

  constructor(
    private readonly store: RunStore,
    /** The engine's CLI script (dist/cli.js packaged, out/src/cli.js in a checkout). */
    private readonly cliPath: string,
  ) {}

  /** Start `train` on an experiment file (already validated and saved). Returns the run folder. */
  start(file: string, name: string, runsRoot: string, extraArgs: string[] = [], runDir?: string): string {
    const dir = runDir ?? newRunDir(runsRoot, name);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    this.launch(dir, name, ['train', file, '--run-dir', dir, ...extraArgs], path.dirname(file));
    return dir;
  }

  /** Continue a stopped (or failed) run from its latest checkpoint. */
  async resume(dir: string, extraArgs: string[] = []): Promise<void> {
    if (this.owned.has(dir)) throw new Error(`${path.basename(dir)} is already running`);
    // a trainer outside this window (a terminal) holds the folder: the engine would refuse it too,
    // but the user should hear who holds it before anything starts
    const holder = lockHolder(dir);
    if (holder) throw new RunLockedError(dir, holder);
    if (!hasAnyCheckpoint(dir)) {
      throw new Error(`${path.basename(dir)} has no checkpoint to resume from (checkpoints/ is empty): resume it from a terminal to start it again from step 0 (jest-studio resume ${dir}), or start a new run`);
    }
    const name = this.store.get(dir)?.name ?? path.basename(dir);
    // the resumed run appends to its history: the panels following it need what came before
    const previous = this.store.has(dir) ? await this.store.loadEvents(dir) : [];
    this.store.release(dir);
    if (this.owned.has(dir)) throw new Error(`${path.basename(dir)} is already running`);
    this.launch(dir, name, ['resume', dir, ...extraArgs], path.dirname(dir), previous, new ResumeResync());
  }

  private launch(dir: string, name: string, args: string[], cwd: string, previous: RunEvent[] = [], resync?: ResumeResync): void {
    const out = this.output(dir, name);
    out.appendLine(`[${new Date().toISOString()}] jest-studio ${args.join(' ')}`);
    this.store.upsert(dir, { name, status: 'starting', live: true, events: previous, loader: () => readEvents(dir), createdAt: this.store.has(dir) ? undefined : Date.now() });
    const stderrTail: string[] = [];
    // handlers fire only after fork() returns, so `run` is always set when they read it
    let run: OwnedRun | undefined;
    const child = forkCli(this.cliPath, args, cwd, {
      onEvent: (e) => {
        if (!run) return;
        this.note(run, e);
        if (!resync) return this.store.append(run.dir, [e]);
        // a resume: the engine cuts the file back to its checkpoint before it logs anything; the
        // store's copy follows the file once the first event says the cut is done (resync.ts)
        const now = resync.onEvent(e);
        if (now.append.length) this.store.append(run.dir, now.append);
        if (now.reread) {
          const rs = resync;
          void readEvents(dir).then(
            (file) => {
              const { history, append } = rs.settle(file);
              this.store.upsert(dir, { name, status: 'running', live: true, events: history, loader: () => readEvents(dir) });
              if (append.length) this.store.append(dir, append);
            },
            // the file cannot be read: keep what came over IPC
            () => this.store.append(dir, rs.settle([]).append),
          );
        }
      },
      onStderr: (line) => {
        out.appendLine(line);
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
      },
      onExit: (code, signal) => run && this.onExit(run, code, signal),
      onError: (err) => {
        out.appendLine(`could not start the engine: ${err.message}`);
        stderrTail.push(err.message);
      },
    }, { detached: true });
    run = { dir, name, child, stderrTail, stopRequested: false };
    this.owned.set(dir, run);
  }

  /** What an event tells the run's output channel and its failure reason. */
  private note(run: OwnedRun, e: RunEvent): void {
    if (e.type === 'status') {
      this.output(run.dir, run.name).appendLine(`status: ${e.status} at step ${e.step}${e.message ? `: ${e.message}` : ''}`);
      if (e.message) run.lastStatusMessage = e.message;
    } else if (e.type === 'log') {
      run.lastStatusMessage = e.level === 'error' ? e.message : run.lastStatusMessage;
    }
  }

  private onExit(run: OwnedRun, code: number | null, signal: NodeJS.Signals | null): void {
    if (run.killTimer) clearTimeout(run.killTimer);
    this.owned.delete(run.dir);
    const out = this.output(run.dir, run.name);
    const summary = this.store.get(run.dir);
    let status: RunEndInfo['status'];
    let reason: string | undefined;
    if (code === 0) status = 'finished';
    else if (code === 130 || (run.stopRequested && (signal === 'SIGKILL' || signal === 'SIGTERM'))) status = 'stopped';
    else {
      status = 'failed';
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = run.stderrTail.filter((l) => !l.startsWith('jest-studio ')).slice(-3).join(' | ');
      reason = `the engine ${how}${run.lastStatusMessage ? `: ${run.lastStatusMessage}` : last ? `; last output: ${last}` : ''}`;
    }
    out.appendLine(`[${new Date().toISOString()}] ${status}${reason ? `: ${reason}` : ''}${signal ? ` (signal ${signal})` : code !== null ? ` (exit code ${code})` : ''}`);
    // the process may have died before writing its final status (a kill, a native crash)
    const patch: { live: boolean; status?: RunEndInfo['status'] } = { live: false };
    if (!summary || summary.status !== status) patch.status = status;
    this.store.patch(run.dir, patch);
    this.ended.fire({ dir: run.dir, name: run.name, status, reason });
  }

  /**
   * Ask a run to stop after its current step (with a checkpoint); SIGKILL after the grace period.
   * Resolves with why nothing was stopped, or undefined when the stop is under way.
   */
  stop(dir: string): string | undefined {
    const run = this.owned.get(dir);
    if (run) {
      if (run.stopRequested) return undefined;
      run.stopRequested = true;
      this.output(dir, run.name).appendLine('stop requested: finishing the current step and writing a checkpoint');
      run.child.kill('SIGTERM');
      run.killTimer = setTimeout(() => {
        this.output(dir, run.name).appendLine(`still running ${STOP_GRACE_MS / 1000} s after the stop request: killing it (resume starts from the last checkpoint)`);
        run.child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      return undefined;
    }
    // A run this window did not start (a terminal, or before a reload): only its folder says which
    // process writes it, and a folder can come from anywhere.
    if (this.pidStops.has(dir)) return undefined;
    const why = pidStopTarget(dir, vscode.workspace.isTrusted);
    if (typeof why === 'string') return why;
    const id = why;
    const result = stopProcess(id, STOP_GRACE_MS, () =>
      this.output(dir).appendLine(`still running ${STOP_GRACE_MS / 1000} s after the stop request: killed it (resume starts from the last checkpoint)`),
    );
    if (!result.stopping) return `${path.basename(dir)} was not stopped: ${result.why}`;
    this.output(dir).appendLine(`stop requested (pid ${id.pid}): finishing the current step and writing a checkpoint`);
    this.pidStops.set(dir, result.timer);
    setTimeout(() => this.pidStops.delete(dir), STOP_GRACE_MS + 1000).unref();
    return undefined;
  }

  isOwned(dir: string): boolean {
    return this.owned.has(dir);
  }

  ownedDirs(): string[] {
    return [...this.owned.keys()];
  }

  /** The run's log channel ("JEST: <run folder>"), created on first use. */
  output(dir: string, name = path.basename(dir)): vscode.OutputChannel {
    let ch = this.outputs.get(dir);
    if (!ch) {
      ch = vscode.window.createOutputChannel(`JEST: ${path.basename(dir) || name}`);
      this.outputs.set(dir, ch);
    }
    return ch;
  }

  hasOutput(dir: string): boolean {
    return this.outputs.has(dir);
  }

  /** The run's log channel, filled from the run folder's log.txt when this window did not start the run. */
  showLog(dir: string): void {
    const fresh = !this.outputs.has(dir);
    const ch = this.output(dir);
    if (fresh) {
      try {
        ch.append(fs.readFileSync(path.join(dir, RUN_FILES.log), 'utf8'));
      } catch {
        ch.appendLine(`no log in ${path.join(dir, RUN_FILES.log)} (runs from before log.txt existed, or started with --run-dir elsewhere)`);
      }
    }
    ch.show(true);
  }

  /**
   * On window close or reload the runs go on (the engine ignores the closed channel); the reloaded
   * window finds them live from their status.json pid, follows their events and can stop them.
   */
  dispose(): void {
    for (const run of this.owned.values()) {
      if (run.killTimer) clearTimeout(run.killTimer);
      if (run.child.connected) run.child.disconnect();
      run.child.unref();
    }
    for (const t of this.pidStops.values()) clearTimeout(t);
    for (const ch of this.outputs.values()) ch.dispose();
    this.ended.dispose();
  }
}
