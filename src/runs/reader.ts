// Reading run folders: whole (finished runs, runs started from a terminal or before a window
// reload) and live (a tailer that follows metrics.jsonl as the trainer appends to it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunEvent, parseEvent } from './events';
import { RUN_FILES, RunInfo, StatusFile } from './folder';

export interface RunRecord {
  dir: string;
  info: RunInfo;
  config: unknown;
  status: StatusFile | null;
  events: RunEvent[];
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** A run folder's status.json, or null when it has none that reads. */
export function readStatus(dir: string): StatusFile | null {
  return readJson<StatusFile>(path.join(dir, RUN_FILES.status));
}

export function isRunDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.run));
}

export function readRun(dir: string): RunRecord {
  const info = readJson<RunInfo>(path.join(dir, RUN_FILES.run));
  if (!info) throw new Error(`${dir} is not a run folder (no readable run.json)`);
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, RUN_FILES.metrics), 'utf8');
  } catch {
    // a run that has not logged yet
  }
  const events = text.split('\n').map(parseEvent).filter((e): e is RunEvent => e !== null);
  return { dir, info, config: readJson(path.join(dir, RUN_FILES.config)), status: readStatus(dir), events };
}

/** Run folders under `root` (directly, or in a group folder one level down), newest first. */
export function listRuns(root: string): string[] {
  const runs: string[] = [];
  for (const dir of subfolders(root)) {
    if (isRunDir(dir)) runs.push(dir);
    // one level of grouping: `jest-studio demo` and `npm run bench:jest` keep their runs in a folder of their own
    else for (const inner of subfolders(dir)) if (isRunDir(inner)) runs.push(inner);
  }
  return runs.sort((a, b) => fs.statSync(path.join(b, RUN_FILES.run)).mtimeMs - fs.statSync(path.join(a, RUN_FILES.run)).mtimeMs);
}

function subfolders(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/**
 * Follows metrics.jsonl: reads what was appended since the last poll, holds a partial last line
 * until it is complete, and hands complete events to `onEvents`. Polling (not fs.watch) because it
 * behaves the same on every platform and on network and remote file systems.
 */
export class RunTailer {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;
  private reading = false;

  constructor(
    readonly dir: string,
    private readonly onEvents: (events: RunEvent[]) => void,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref?.();
    return this;
  }

  /** Read whatever is new now (also called by the timer). */
  poll(): void {
    if (this.reading) return;
    this.reading = true;
    try {
      const file = path.join(this.dir, RUN_FILES.metrics);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        return;
      }
      if (size < this.offset) {
        // truncated or replaced: start over
        this.offset = 0;
        this.partial = Buffer.alloc(0);
      }
      if (size === this.offset) return;
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.alloc(size - this.offset);
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        this.offset += n;
        // Split on the last newline BYTE, so a multi-byte character cut by a read stays whole.
        const bytes = Buffer.concat([this.partial, buf.subarray(0, n)]);
        const end = bytes.lastIndexOf(0x0a);
        this.partial = Buffer.from(bytes.subarray(end + 1));
        if (end < 0) return;
        const lines = bytes.subarray(0, end).toString('utf8').split('\n');
        const events = lines.map(parseEvent).filter((e): e is RunEvent => e !== null);
        if (events.length) this.onEvents(events);
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      this.reading = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
