// Reading run folders for the editor without reading whole histories: a window with a hundred
// long runs must start as fast as one with none. A run's summary (what the tree and the status bar
// show) comes from run.json, status.json and the TAIL of metrics.jsonl, read backwards only until
// the latest step event and the latest evaluation of every held-out set are found; the whole
// history is read (asynchronously) only when a panel shows the run. vscode-free, so the host's
// start is measured in bench/host.bench.ts and tested under node.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseEvent, type RunEvent } from '../../src/runs/events';
import { RUN_FILES, type RunInfo, type StatusFile } from '../../src/runs/folder';
import { applyEvent, type RunSummary } from './summary';

/** Read backwards this much at a time: ~100 step events. */
const TAIL_CHUNK = 64 * 1024;

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function isRunDir(dir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, RUN_FILES.run));
    return true;
  } catch {
    return false;
  }
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/** Run folders under `root`, directly or one group folder down (as src/runs/reader.ts listRuns), in no order. */
export async function listRunDirs(root: string): Promise<string[]> {
  const found = await Promise.all(
    (await subfolders(root)).map(async (dir) => {
      if (await isRunDir(dir)) return [dir];
      const inner = await subfolders(dir);
      const runs = await Promise.all(inner.map(async (d) => ((await isRunDir(d)) ? d : null)));
      return runs.filter((d): d is string => d !== null);
    }),
  );
  return found.flat();
}

export interface RunHead {
  info: RunInfo;
  status: StatusFile | null;
  /** The held-out sets the run evaluates (config.json), so the tail read knows when it has them all. */
  evalSets: string[];
  /** When the run was created (ms since the epoch): the order the tree lists runs in. */
  createdAt: number;
}

/** run.json, status.json and config.json: null while run.json is missing or half written. */
export async function readRunHead(dir: string): Promise<RunHead | null> {
  const [info, status, config] = await Promise.all([
    readJson<RunInfo>(path.join(dir, RUN_FILES.run)),
    readJson<StatusFile>(path.join(dir, RUN_FILES.status)),
    readJson<{ data?: { eval?: { name?: unknown }[] } }>(path.join(dir, RUN_FILES.config)),
  ]);
  if (!info || typeof info.name !== 'string') return null;
  const evalSets = Array.isArray(config?.data?.eval) ? config.data.eval.map((s) => s?.name).filter((n): n is string => typeof n === 'string') : [];
  const created = Date.parse(info.createdAt);
  return { info, status, evalSets, createdAt: Number.isFinite(created) ? created : 0 };
}

/**
 * The events at the end of metrics.jsonl that a summary needs: read backwards from the end, a
 * chunk at a time, until the latest step event and an evaluation of each of `evalSets` (at least
 * one evaluation when none are named) have been seen, or the file's start. In file order.
 */
export async function readTailEvents(dir: string, evalSets: readonly string[]): Promise<RunEvent[]> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path.join(dir, RUN_FILES.metrics), 'r');
  } catch {
    return []; // a run that has not logged yet
  }
  try {
    const size = (await fh.stat()).size;
    let end = size;
    let carry = Buffer.alloc(0); // the end of a line whose start lies in an earlier chunk
    const tail: RunEvent[] = []; // newest first while reading
    let sawStep = false;
    let sawEval = false;
    const missingSets = new Set(evalSets);
    const done = () => sawStep && (evalSets.length ? missingSets.size === 0 : sawEval);
    while (end > 0 && !done()) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      end = start;
      const bytes = Buffer.concat([buf, carry]);
      // A line is whole when a newline precedes it or it starts the file; what comes before the
      // first newline here is the end of a line that starts in an earlier chunk.
      const nl = start === 0 ? -1 : bytes.indexOf(0x0a);
      if (start > 0 && nl < 0) {
        carry = bytes; // one line longer than a chunk: keep reading into it
        continue;
      }
      carry = Buffer.from(bytes.subarray(0, nl + 1));
      const lines = bytes.subarray(nl + 1).toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const e = parseEvent(lines[i]);
        if (!e) continue;
        tail.push(e);
        if (e.type === 'step') sawStep = true;
        else if (e.type === 'eval') {
          sawEval = true;
          missingSets.delete(e.set);
        }
      }
    }
    return tail.reverse();
  } finally {
    await fh.close();
  }
}

/** A summary from the folder alone, as folding every event would give it (test/host/scan.test.ts checks that). */
export async function readRunSummary(dir: string, head: RunHead): Promise<RunSummary> {
  const st = head.status;
  const s: RunSummary = { dir, name: head.info.name, status: 'unknown', step: 0, totalSteps: st?.totalSteps ?? 0, lastMetrics: {}, live: false };
  for (const e of await readTailEvents(dir, head.evalSets)) applyEvent(s, e);
  if (st) {
    s.status = st.status;
    s.step = Math.max(s.step, st.step);
    s.totalSteps = st.totalSteps || s.totalSteps;
  }
  s.name = head.info.name;
  return s;
}

/** The whole history, for a panel that shows the run. */
export async function readEvents(dir: string): Promise<RunEvent[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, RUN_FILES.metrics), 'utf8');
  } catch {
    return [];
  }
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    const e = parseEvent(line);
    if (e) events.push(e);
  }
  return events;
}
