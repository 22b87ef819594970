// A pool of decode child processes. Why processes and not worker threads: a native abort (some
// SVGs abort librsvg/resvg) kills the whole process it happens in, worker threads included. A child
// that dies takes only its batch with it; the pool then retries that batch's images one per child,
// so the one image that kills its decoder is found, counted as a 'decoder-crash' and skipped,
// and every other image still decodes.

import { fork, type ChildProcess } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import type { ImageRef, ProblemReason } from '../types';
import type { ChildRequest, ChildResponse } from './child';
import { resizePixels } from './pixels';
import type { DecodeSettings } from './settings';

export type DecodeResult = { ok: true; pixels: Uint8Array } | { ok: false; reason: ProblemReason; detail: string };

export interface DecodePoolOptions {
  /** Child processes; default: CPU count (at least 1, at most 8). */
  workers?: number;
  /** Images per IPC message: amortises the round trip (~0.1 ms) over cheap decodes. */
  batchSize?: number;
  /** A batch that takes longer is treated as a crash (a hung decoder). */
  timeoutMs?: number;
  /** Test hook: children call process.abort() on any input whose path or text contains this. */
  testAbortOn?: string;
  /** The child entry point; default child.js beside this file. For tests and bundlers. */
  childScript?: string;
}

interface Job {
  ref: Exclude<ImageRef, { kind: 'pixels' }>;
  settings: DecodeSettings;
  /** After a crash, a job runs alone so a second crash is pinned on it. */
  alone: boolean;
  resolve: (r: DecodeResult) => void;
  reject: (e: Error) => void;
}

interface Worker {
  proc: ChildProcess;
  jobs: Job[] | undefined; // the batch in flight
  batchId: number;
  timer?: NodeJS.Timeout;
  ready: boolean; // said it loaded sharp: a later death is a crash, an earlier one a failed start
  stderrTail: string;
}

/** Children that exit with an error code before answering once, in a row, before we give up. */
const MAX_STARTUP_FAILURES = 3;

const CHILD_SCRIPT = path.join(__dirname, 'child.js');

export class DecodePool {
  private readonly queue: Job[] = [];
  private readonly workers: Worker[] = [];
  private readonly maxWorkers: number;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private nextBatch = 0;
  private closed = false;
  private startupFailures = 0;
  private broken: Error | undefined;
  /** Child processes that died (crash or timeout) and were replaced. */
  crashes = 0;

  constructor(private readonly options: DecodePoolOptions = {}) {
    this.maxWorkers = Math.max(1, Math.min(8, options.workers ?? os.cpus().length));
    this.batchSize = Math.max(1, options.batchSize ?? 16);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /**
   * Decode one image to settings.size^2 * 3 RGB bytes. Bad input resolves as { ok: false }; it
   * rejects only when the decoder cannot run at all.
   */
  decode(ref: ImageRef, settings: DecodeSettings): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(new Error('DecodePool used after close()'));
    if (this.broken) return Promise.reject(this.broken);
    if (ref.kind === 'pixels') {
      // Already in memory: resample here, no child round trip needed.
      return Promise.resolve({ ok: true, pixels: resizePixels(ref.data, ref.width, ref.height, ref.channels, settings) });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ ref, settings, alone: false, resolve, reject });
      this.dispatch();
    });
  }

  /** Stop the children. Pending jobs resolve as crashes so no caller hangs. */
  async close(): Promise<void> {
    this.closed = true;
    const inFlight = this.workers.flatMap((w) => w.jobs ?? []);
    for (const job of [...this.queue.splice(0), ...inFlight]) job.resolve({ ok: false, reason: 'decoder-crash', detail: 'decode pool closed' });
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((done) => {
            if (w.proc.exitCode !== null || w.proc.signalCode !== null) return done();
            w.proc.once('exit', () => done());
            w.proc.kill();
          }),
      ),
    );
    this.workers.length = 0;
  }

  private spawn(): Worker {
    const env = { ...process.env };
    if (this.options.testAbortOn) env.JEST_STUDIO_TEST_ABORT_ON = this.options.testAbortOn;
    else delete env.JEST_STUDIO_TEST_ABORT_ON;
    const proc = fork(this.options.childScript ?? CHILD_SCRIPT, [], {
      serialization: 'advanced', // Uint8Array crosses without base64
      execArgv: [], // not the parent's --test or --inspect flags
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const worker: Worker = { proc, jobs: undefined, batchId: -1, ready: false, stderrTail: '' };
    // Keep the end of stderr: shown only if children cannot start at all.
    proc.stderr?.on('data', (d: Buffer) => (worker.stderrTail = (worker.stderrTail + d.toString()).slice(-2000)));
    proc.on('message', (msg: ChildResponse | { ready: true }) => {
      if ('ready' in msg) {
        worker.ready = true;
        this.startupFailures = 0;
      } else this.onResponse(worker, msg);
    });
    proc.on('exit', (code, signal) => this.onExit(worker, code, signal));
    this.workers.push(worker);
    return worker;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let worker = this.workers.find((w) => w.jobs === undefined);
      if (!worker) {
        if (this.workers.length >= this.maxWorkers) return;
        worker = this.spawn();
      }
      const jobs = this.queue[0].alone ? this.queue.splice(0, 1) : this.takeBatch();
      worker.jobs = jobs;
      worker.batchId = this.nextBatch++;
      const w = worker;
      w.timer = setTimeout(() => w.proc.kill('SIGKILL'), this.timeoutMs);
      const request: ChildRequest = { batch: w.batchId, settings: jobs[0].settings, refs: jobs.map((j) => j.ref) };
      w.proc.send(request);
    }
  }

  /** Consecutive non-isolated jobs with identical settings (one settings object per message). */
  private takeBatch(): Job[] {
    const first = this.queue[0];
    let n = 1;
    while (n < this.batchSize && n < this.queue.length && !this.queue[n].alone && this.queue[n].settings === first.settings) n++;
    return this.queue.splice(0, n);
  }

  private onResponse(worker: Worker, msg: ChildResponse): void {
    if (!worker.jobs || msg.batch !== worker.batchId) return;
    clearTimeout(worker.timer);
    const jobs = worker.jobs;
    worker.jobs = undefined;
    jobs.forEach((job, i) => {
      const r = msg.results[i];
      job.resolve(r.ok ? { ok: true, pixels: new Uint8Array(r.pixels) } : { ok: false, reason: r.reason, detail: r.detail });
    });
    this.dispatch();
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(worker.timer);
    this.workers.splice(this.workers.indexOf(worker), 1);
    const jobs = worker.jobs;
    worker.jobs = undefined;
    if (this.closed || !jobs) return;
    if (!worker.ready) {
      // Died before loading its decoder: no image is to blame. Retry with a fresh child a few
      // times, then report that decoding cannot run (missing child.js, broken sharp install).
      if (++this.startupFailures >= MAX_STARTUP_FAILURES) {
        this.broken = new Error(`the image decoder process cannot start (${signal ?? `exit code ${code}`}). Check that sharp is installed ("npm ci") and that ${this.options.childScript ?? CHILD_SCRIPT} exists.\n${worker.stderrTail.trim()}`);
        for (const job of [...jobs, ...this.queue.splice(0)]) job.reject(this.broken);
        return;
      }
      this.queue.unshift(...jobs);
      this.dispatch();
      return;
    }
    this.crashes++;
    if (jobs.length === 1) {
      const how = signal === 'SIGKILL' ? `timed out after ${this.timeoutMs} ms` : `decoder process died (${signal ?? `exit code ${code}`})`;
      jobs[0].resolve({ ok: false, reason: 'decoder-crash', detail: how });
    } else {
      // Someone in this batch killed the decoder: rerun each image alone, first in line.
      for (const job of jobs) job.alone = true;
      this.queue.unshift(...jobs);
    }
    this.dispatch();
  }
}
