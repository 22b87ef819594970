// The extension host's start with many long runs on disk: what reading the runs folder costs the
// host before the tree can show it, and how long the host cannot answer anything meanwhile.
//   npm run bench:host [-- --runs 100 --steps 10000 --keep]
// Peer, measured in the same run on the same folders: the host as it was before (every run's whole
// metrics.jsonl read synchronously with src/runs/reader.ts, every event kept) against the host now
// (extension/runs/scan.ts, what FolderRuns calls: run.json + status.json + the tail of
// metrics.jsonl, asynchronously; histories stay on disk until a panel asks). Printed: wall time to
// the full list of summaries, the longest event-loop stall (the host's unresponsiveness: the
// extension host is shared by every extension), and the heap kept. Then what opening one run in a
// dashboard costs (its whole history, read asynchronously). No timed assertions: ratios to read.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RunEvent } from '../src/runs/events';
import { listRuns, readRun } from '../src/runs/reader';
import { listRunDirs, readEvents, readRunHead, readRunSummary } from '../extension/runs/scan';
import { applyEvent, type RunSummary } from '../extension/runs/summary';
import { writeRunFolder } from '../test/host/run-folder';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

interface Measured {
  ms: number;
  stallMs: number;
  heapMb: number;
  summaries: RunSummary[];
}

/** Wall time, longest event-loop stall (a 1 ms timer that cannot fire is the host not answering) and heap kept by what `fn` returns. */
async function measure(fn: () => Promise<{ summaries: RunSummary[]; kept: unknown }>): Promise<Measured> {
  const before = heapMb();
  const h = monitorEventLoopDelay({ resolution: 1 });
  // monitorEventLoopDelay misses a stall that starts before its first sample: a ticking timer sees every one
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  h.enable();
  await new Promise((r) => setTimeout(r, 20));
  last = performance.now();
  const t0 = performance.now();
  const { summaries, kept } = await fn();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  worst = Math.max(worst, performance.now() - last);
  clearInterval(ticker);
  h.disable();
  const stallMs = Math.max(worst, h.max / 1e6);
  const heap = heapMb() - before;
  void kept; // held until here so the heap figure includes it
  return { ms, stallMs, heapMb: heap, summaries };
}

/** The host before: src/runs/reader.ts on every folder, synchronously, every event kept (FolderRuns.load as it was). */
async function eager(root: string): Promise<{ summaries: RunSummary[]; kept: unknown }> {
  const kept = new Map<string, RunEvent[]>();
  const summaries: RunSummary[] = [];
  for (const dir of listRuns(root)) {
    const rec = readRun(dir);
    const s: RunSummary = { dir, name: rec.info.name, status: 'unknown', step: 0, totalSteps: rec.status?.totalSteps ?? 0, lastMetrics: {}, live: false };
    for (const e of rec.events) applyEvent(s, e);
    if (rec.status) s.status = rec.status.status;
    kept.set(dir, rec.events);
    summaries.push(s);
  }
  return { summaries, kept };
}

/** The host now: scan.ts, as FolderRuns.scanOnce/load call it. */
async function lazy(root: string): Promise<{ summaries: RunSummary[]; kept: unknown }> {
  const dirs = await listRunDirs(root);
  const summaries = await Promise.all(
    dirs.map(async (dir) => {
      const head = await readRunHead(dir);
      if (!head) throw new Error(`${dir}: no run.json`);
      return readRunSummary(dir, head);
    }),
  );
  return { summaries, kept: summaries };
}

async function main(): Promise<void> {
  const runs = arg('runs', 100);
  const steps = arg('steps', 10_000);
  const root = path.join(os.tmpdir(), `jest-bench-host-${runs}x${steps}`);
  if (!fs.existsSync(path.join(root, 'done'))) {
    fs.rmSync(root, { recursive: true, force: true });
    const t = performance.now();
    for (let i = 0; i < runs; i++) writeRunFolder(root, `run-${String(i).padStart(3, '0')}`, { steps, evalEvery: { 'emoji-heldout': 250, 'icons-heldout': 1000 } });
    fs.writeFileSync(path.join(root, 'done'), '');
    console.log(`wrote ${runs} runs x ${steps} steps in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const bytes = fs.readdirSync(root).filter((d) => d.startsWith('run-')).reduce((n, d) => n + fs.statSync(path.join(root, d, 'metrics.jsonl')).size, 0);
  console.log(`${runs} runs x ${steps} steps: ${(bytes / 2 ** 20).toFixed(0)} MB of metrics.jsonl in ${root}`);

  // warm the page cache for both (the first to read would otherwise pay the disk for the other)
  await lazy(root);
  const before = await measure(() => eager(root));
  const now = await measure(() => lazy(root));

  // both must say the same thing about every run
  const key = (s: RunSummary) => JSON.stringify({ ...s, lastMetrics: Object.fromEntries(Object.entries(s.lastMetrics).sort()) });
  const a = new Map(before.summaries.map((s) => [s.dir, key(s)]));
  let differ = 0;
  for (const s of now.summaries) if (a.get(s.dir) !== key(s)) differ++;
  if (differ || now.summaries.length !== before.summaries.length) throw new Error(`the summaries differ for ${differ} of ${runs} runs`);

  const open = await measure(async () => {
    const events = await readEvents(path.join(root, 'run-000'));
    return { summaries: [], kept: events };
  });

  const row = (name: string, m: Measured) => `| ${name} | ${m.ms.toFixed(0)} | ${m.stallMs.toFixed(0)} | ${m.heapMb.toFixed(1)} |`;
  console.log('\n| host start (runs folder read to every summary) | wall ms | longest stall ms | heap kept MB |');
  console.log('|---|---:|---:|---:|');
  console.log(row('before: every history, synchronously (peer)', before));
  console.log(row('now: summaries from the tails, asynchronously', now));
  console.log(row('now, opening one run in a panel (its history)', open));
  console.log(`\nsummaries identical for all ${runs} runs`);
  console.log(`start: ${(before.ms / now.ms).toFixed(1)}x faster; longest stall: ${(before.stallMs / Math.max(1, now.stallMs)).toFixed(1)}x shorter; heap: ${(before.heapMb / Math.max(0.1, now.heapMb)).toFixed(0)}x smaller${(globalThis as { gc?: unknown }).gc ? '' : ' (run with node --expose-gc for exact heap figures)'}`);
  if (!process.argv.includes('--keep')) fs.rmSync(root, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
