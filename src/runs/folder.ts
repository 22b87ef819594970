// The run folder: the source of truth for a run, append-only.
//   config.json       the resolved experiment (defaults applied)
//   run.json          id, name, creation time, engine version
//   status.json       the latest status (rewritten atomically)
//   metrics.jsonl     one event per line (runs/events.ts)
//   batches/          selection snapshots: step-000050.json
//   checkpoints/      latest.ckpt + the checkpointKeep - 1 before it, step-NNNNNN.ckpt (runs/checkpoints.ts)
//   models/           exported encoders, tokenizer.json
//   lock              while a trainer writes the folder: its process identity (runs/lock.ts)
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVENT_SCHEMA_VERSION, eventsBeforeResume, NewEvent, parseEvent, RunEvent, RunStatus } from './events';

export const RUN_FILES = {
  config: 'config.json',
  run: 'run.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  batches: 'batches',
  checkpoints: 'checkpoints',
  models: 'models',
  /** the engine's human log (stderr), appended by the CLI: read after a window reload */
  log: 'log.txt',
} as const;

export interface RunInfo {
  id: string;
  name: string;
  createdAt: string;
  engine: string;
}

export interface StatusFile {
  status: RunStatus;
  step: number;
  totalSteps: number;
  message?: string;
  pid?: number;
  /** When the process `pid` started, as the OS reports it (runs/process-identity.ts): pid + started identify the engine. */
  started?: string;
  updatedAt: string;
}

/** Write a file atomically: temporary file, then rename (readers never see half a file). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new Error(`could not write ${file}: ${err.message}${err.code === 'ENOSPC' ? ' (the disk is full: free some space and resume the run)' : ''}`);
  }
}

/** A fresh folder name under `root`: <name>-<yyyymmdd-hhmmss>[-n]. */
export function newRunDir(root: string, name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
  let dir = path.join(root, `${safe}-${stamp}`);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.join(root, `${safe}-${stamp}-${i}`);
  return dir;
}

export class RunWriter {
  private metricsFd: number;
  /** metrics.jsonl's length after the last whole line: a failed append is cut back to it. */
  private metricsSize: number;
  private listeners: ((e: RunEvent) => void)[] = [];

  private constructor(
    readonly dir: string,
    readonly info: RunInfo,
  ) {
    this.metricsFd = fs.openSync(path.join(dir, RUN_FILES.metrics), 'a');
    this.metricsSize = fs.fstatSync(this.metricsFd).size;
  }

  /** A new run folder with its resolved config. */
  static create(dir: string, name: string, config: unknown, engineVersion: string): RunWriter {
    if (fs.existsSync(path.join(dir, RUN_FILES.run))) throw new Error(`${dir} already holds a run: resume it (jest-studio resume ${dir}), or choose another folder`);
    for (const sub of [RUN_FILES.batches, RUN_FILES.checkpoints, RUN_FILES.models]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const info: RunInfo = { id: randomUUID(), name, createdAt: new Date().toISOString(), engine: engineVersion };
    writeFileAtomic(path.join(dir, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
    writeFileAtomic(path.join(dir, RUN_FILES.run), JSON.stringify(info, null, 2) + '\n');
    return new RunWriter(dir, info);
  }

  /** Reopen an existing run folder to append (resume). */
  static reopen(dir: string): RunWriter {
    let info: RunInfo;
    try {
      info = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.run), 'utf8')) as RunInfo;
    } catch {
      throw new Error(`${dir} is not a run folder (no readable run.json)`);
    }
    for (const sub of [RUN_FILES.batches, RUN_FILES.checkpoints, RUN_FILES.models]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    return new RunWriter(dir, info);
  }

  /**
   * Before a resume appends: cut metrics.jsonl back to the resume point of `step` (events.ts
   * eventsBeforeResume; null: a restart from step 0), which also drops a torn last line (a write
   * cut short by a kill or a full disk). Returns how many events were dropped.
   */
  truncateToResumePoint(step: number | null, evaluatedAt: number | null = null): number {
    const file = this.path(RUN_FILES.metrics);
    const bytes = fs.readFileSync(file);
    // line ends, so that an event index maps to a byte offset; a last line without its newline is torn
    const ends: number[] = [];
    const events: RunEvent[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(0x0a); nl >= 0; start = nl + 1, nl = bytes.indexOf(0x0a, start)) {
      const e = parseEvent(bytes.subarray(start, nl).toString('utf8'));
      if (!e) continue;
      events.push(e);
      ends.push(nl + 1);
    }
    const keep = eventsBeforeResume(events, step, evaluatedAt);
    const size = keep === 0 ? 0 : ends[keep - 1];
    if (size !== bytes.length) {
      // by path: on Windows a file opened for appending cannot be truncated through that handle
      fs.truncateSync(file, size);
      this.metricsSize = size;
    }
    return events.length - keep;
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  onEvent(fn: (e: RunEvent) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Append one event to metrics.jsonl as one whole line. A write cut short (a full disk, an I/O
   * error) is cut back off, so the file never holds a torn line, and reported as an error.
   */
  emit(event: NewEvent): RunEvent {
    const e = { v: EVENT_SCHEMA_VERSION, time: Date.now(), ...event } as RunEvent;
    const line = Buffer.from(JSON.stringify(e) + '\n');
    try {
      for (let off = 0; off < line.length; ) off += fs.writeSync(this.metricsFd, line, off, line.length - off);
      this.metricsSize += line.length;
    } catch (err) {
      try {
        fs.truncateSync(this.path(RUN_FILES.metrics), this.metricsSize); // by path: see truncateToResumePoint
      } catch {
        // the file stays as it is; a resume repairs its tail
      }
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`could not append to ${this.path(RUN_FILES.metrics)}: ${(err as Error).message}${code === 'ENOSPC' ? ' (the disk is full: free some space, then resume the run)' : ''}`);
    }
    for (const fn of this.listeners) fn(e);
    return e;
  }

  setStatus(status: StatusFile): void {
    writeFileAtomic(this.path(RUN_FILES.status), JSON.stringify(status, null, 2) + '\n');
  }

  /**
   * The last resort of a run failing on a full disk, where the atomic write (a second file) cannot
   * get the space: overwrite status.json in place, reusing its own blocks. Not atomic, so only then.
   */
  setStatusInPlace(status: StatusFile): void {
    const file = this.path(RUN_FILES.status);
    // no longer than the block the file already has (4 KiB, the smallest common file-system block;
    // a longer file's own size), so that the write needs no new space; a longer message is cut
    let text = JSON.stringify(status) + '\n';
    const room = Math.max(fs.statSync(file).size, 4096);
    if (Buffer.byteLength(text) > room && status.message) {
      const over = Buffer.byteLength(text) - room;
      text = JSON.stringify({ ...status, message: status.message.slice(0, Math.max(0, status.message.length - over - 1)) }) + '\n';
    }
    const fd = fs.openSync(file, 'r+');
    try {
      fs.writeSync(fd, text, 0);
      fs.ftruncateSync(fd, Buffer.byteLength(text));
    } finally {
      fs.closeSync(fd);
    }
  }

  close(): void {
    try {
      fs.closeSync(this.metricsFd);
    } catch {
      // already closed
    }
  }
}
