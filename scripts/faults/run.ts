// npm run test:faults: the run folder under a hostile drive, with real processes and real files.
// Each case drives the engine's own CLI (train, resume) the way a user's terminal or the editor
// does, breaks something (kill -9 at seeded random points or inside a checkpoint write, a full
// tmpfs, a second trainer, a torn metrics line, a corrupt checkpoint), and then checks that the
// run continues to exactly what an uninterrupted run with the same seed logs, event for event,
// and that no temporary file is left behind. Prints a table of cases x outcome; exits 1 if any
// case failed. The disk-full case mounts a 20 MB tmpfs, so it needs root: without root it is
// reported as skipped, and under CI (CI or JEST_REQUIRE_FAULTS set) a skip is a failure.
//
//   npm run test:faults [-- --seed N] [--only NAME]
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readCheckpointHeader } from '../../src/runtime/checkpoint';
import { checkpointStep, loadRunCheckpoint } from '../../src/runs/checkpoints';
import { readRun } from '../../src/runs/reader';
import { Rng } from '../../src/util/rng';
import { comparable } from '../../test/helpers/comparable';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli.js');
const { values: opts } = parseArgs({ options: { seed: { type: 'string', default: '1' }, only: { type: 'string' } }, strict: true });
const rng = new Rng(Number(opts.seed) >>> 0);
const requireAll = Boolean(process.env.CI && process.env.CI !== 'false') || process.env.JEST_REQUIRE_FAULTS === '1';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-faults-'));
const CACHE = path.join(WORK, 'cache');
const STEPS = 120;
const env = { ...process.env, JEST_STUDIO_CACHE: CACHE };

// ---------------------------------------------------------------- the experiment
const CLASSES = ['red', 'green', 'blue', 'yellow'].flatMap((colour) => ['circle', 'square', 'triangle', 'cross'].map((shape) => ({ colour, shape })));
const TINY = { imageSize: 16, patchSizes: [4, 8], width: 64, depth: 1, heads: 4, mlpRatio: 2, embedDim: 32, vocabSize: 64, seqLen: 4 };
function experimentFile(name: string, over: Record<string, unknown>): string {
  const e = {
    name,
    data: {
      train: { kind: 'synthetic', n: 3000, seed: 2, mismatchFraction: 0.5, vagueFraction: 0.1, classes: CLASSES },
      curated: { kind: 'synthetic', n: 1000, seed: 1, classes: CLASSES },
      eval: [{ name: 'held-out', source: { kind: 'synthetic', n: 300, seed: 3, classes: CLASSES }, tasks: ['zero-shot'] }],
    },
    model: TINY,
    optimizer: { lr: 3e-3, warmupSteps: 10 },
    training: { batchSize: 32, steps: STEPS, seed: 1 },
    selection: { method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 4 },
    runtime: { device: 'cpu', threads: 1 },
    evaluation: { every: 40 },
    snapshotEvery: 30,
    checkpointEvery: 10,
    ...over,
  };
  const file = path.join(WORK, `${name}.jest.json`);
  fs.writeFileSync(file, JSON.stringify(e, null, 2));
  return file;
}

// ---------------------------------------------------------------- processes
interface Proc {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function cli(args: string[], extraEnv: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

const train = (exp: string, dir: string, extraEnv?: Record<string, string>) => cli(['train', exp, '--run-dir', dir], extraEnv);
const resume = (dir: string) => cli(['resume', dir]);

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The last step metrics.jsonl has logged (0 before the first). */
function loggedStep(dir: string): number {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
  } catch {
    return 0;
  }
  const m = [...text.matchAll(/"type":"step","step":(\d+)/g)];
  return m.length ? Number(m[m.length - 1][1]) : 0;
}

async function killAt(p: Proc, dir: string, step: number): Promise<void> {
  await waitFor(`step ${step} in ${path.basename(dir)}`, () => loggedStep(dir) >= step || p.child.exitCode !== null);
  if (p.child.exitCode !== null) throw new Error(`the trainer exited (code ${p.child.exitCode}) before step ${step}: ${(await p.exited).stderr.split('\n').slice(-3).join(' | ')}`);
  p.child.kill('SIGKILL');
  await p.exited;
}

async function finish(p: Proc): Promise<void> {
  const r = await p.exited;
  assert.equal(r.code, 0, `exited with ${r.code ?? r.signal}: ${r.stderr.split('\n').slice(-4).join(' | ')}`);
}

// ---------------------------------------------------------------- what must hold
let straight: { events: unknown[]; params: string } | undefined;

function paramsHash(dir: string): string {
  const h = readCheckpointHeader(path.join(dir, 'checkpoints', 'latest.ckpt'));
  if (!h) throw new Error(`${dir}: no readable latest checkpoint`);
  return h.sha256;
}

/** The resumed run equals the uninterrupted one: every step, evaluation and snapshot, and the final parameters. */
function assertExact(dir: string): string {
  const r = readRun(dir);
  assert.equal(r.status?.status, 'finished', `status ${r.status?.status}: ${r.status?.message ?? ''}`);
  const got = comparable(r.events);
  const steps = got.filter((x) => (x as { t: string }).t === 'step').length;
  assert.equal(steps, STEPS, `${steps} step events for ${STEPS} steps (duplicated or missing rows)`);
  assert.deepEqual(got, straight!.events, 'the metrics differ from the uninterrupted run');
  assert.equal(paramsHash(dir), straight!.params, 'the final parameters differ from the uninterrupted run');
  const text = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
  assert.ok(text.endsWith('\n'), 'metrics.jsonl ends mid-line');
  for (const line of text.slice(0, -1).split('\n')) JSON.parse(line);
  return `${steps} steps, ${got.length - steps} evals/snapshots equal`;
}

/** No *.tmp-<pid> or *.partial-<pid> anywhere under these folders. */
function assertNoLeftovers(...dirs: string[]): void {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (/\.(tmp|partial)-\d+$/.test(e.name) || e.name === 'lock.break') found.push(path.relative(WORK, p));
      if (e.isDirectory()) walk(p);
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(d);
  assert.deepEqual(found, [], `temporary files left: ${found.join(', ')}`);
}

// ---------------------------------------------------------------- the cases
const run = (name: string) => path.join(WORK, 'runs', name);
let EXP = '';
const REF = run('reference');

const CASES: { name: string; needsRoot?: boolean; fn: () => Promise<string> }[] = [
  {
    name: 'kill -9 at 3 seeded random steps, resume each time',
    fn: async () => {
      const dir = run('kill-random');
      const points = [0, 1, 2].map(() => 5 + rng.int((STEPS - 10))).sort((a, b) => a - b);
      let p = train(EXP, dir);
      for (const at of points) {
        await killAt(p, dir, at);
        p = resume(dir);
      }
      await finish(p);
      assertNoLeftovers(dir, CACHE);
      return `killed at steps ${points.join(', ')}; ${assertExact(dir)}`;
    },
  },
  {
    name: 'kill -9 inside a checkpoint write',
    fn: async () => {
      const dir = run('kill-in-write');
      // each checkpoint write is held open half-way (header written, payload not) for 400 ms
      const p = train(EXP, dir, { JEST_STUDIO_TEST_CHECKPOINT_PAUSE_MS: '400' });
      const ck = path.join(dir, 'checkpoints');
      const firstAfter = 5 + rng.int(60);
      const tmp = await waitFor('a checkpoint write in progress', () => loggedStep(dir) >= firstAfter && fs.existsSync(path.join(ck, 'latest.ckpt')) && fs.readdirSync(ck).find((n) => /^latest\.ckpt\.tmp-\d+$/.test(n)));
      p.child.kill('SIGKILL');
      await p.exited;
      assert.ok(fs.existsSync(path.join(ck, tmp)), 'killed inside the write: its temporary file is there');
      const kept = await loadRunCheckpoint(dir);
      assert.ok(kept && kept.skipped.length === 0, 'the previous checkpoint reads back whole');
      const at = kept.checkpoint.state.step;
      await finish(resume(dir));
      assertNoLeftovers(dir, CACHE);
      return `killed writing the checkpoint after step ${at}; ${assertExact(dir)}; ${tmp} removed`;
    },
  },
  {
    name: 'kill -9 before the first checkpoint, then resume',
    fn: async () => {
      const dir = run('kill-early');
      const exp = experimentFile('faults-late-checkpoint', { checkpointEvery: 1000, reference: { run: REF } });
      const at = 5 + rng.int(40);
      const p = train(exp, dir);
      await killAt(p, dir, at);
      assert.equal(fs.readdirSync(path.join(dir, 'checkpoints')).length, 0, 'no checkpoint was written');
      const r = resume(dir);
      await finish(r);
      assert.match((await r.exited).stderr, /no checkpoint yet .* starting again from step 0 with the stored config/);
      assertNoLeftovers(dir, CACHE);
      return `killed at step ${at}; resume restarted from 0; ${assertExact(dir)}`;
    },
  },
  {
    name: 'a 20 MB tmpfs run folder filled mid-run, then space freed',
    needsRoot: true,
    fn: async () => {
      const mnt = path.join(WORK, 'tmpfs');
      fs.mkdirSync(mnt);
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mnt], { encoding: 'utf8' });
      if (m.status !== 0) throw new Error(`mount -t tmpfs failed: ${m.stderr.trim()}`);
      try {
        const dir = path.join(mnt, 'run');
        const p = train(EXP, dir);
        const at = 20 + rng.int(60);
        await waitFor(`step ${at}`, () => loggedStep(dir) >= at);
        // fill the drive to the last byte
        const filler = path.join(mnt, 'filler');
        const fd = fs.openSync(filler, 'w');
        for (let chunk = 1 << 20; chunk >= 1; ) {
          try {
            fs.writeSync(fd, Buffer.alloc(chunk));
          } catch {
            chunk >>= 1;
          }
        }
        fs.closeSync(fd);
        const r = await p.exited;
        assert.equal(r.code, 1, `the trainer exited with ${r.code ?? r.signal}`);
        // which write meets the full drive first depends on the moment: each must say so plainly
        const why = /(could not [^\n]*|[^\n]*ENOSPC[^\n]*|[^\n]*No space left[^\n]*)(the disk is full: free some space[^\n]*)|not enough free space for checkpoint [^\n]* it needs [\d.]+ MB, [\d.]+ MB is free[^\n]*/.exec(r.stderr);
        assert.ok(why, `no clear disk-full error in: ${r.stderr.split('\n').filter((l) => !l.includes('ETA')).slice(-3).join(' | ')}`);
        const kept = await loadRunCheckpoint(dir);
        assert.ok(kept && kept.skipped.length === 0, 'the previous checkpoint reads back whole');
        const full = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
        assert.ok(full.endsWith('\n'), 'no torn line was left by the failed append');
        // status.json says failed with the reason, even on a drive too full for a second file (the
        // last resort overwrites it in place)
        const st = readRun(dir).status;
        assert.ok(/^failed: .*(disk is full|free space)/.test(`${st?.status}: ${st?.message}`), `status.json says ${st?.status}: ${st?.message}`);
        fs.rmSync(filler);
        await finish(resume(dir));
        assertNoLeftovers(dir, CACHE);
        return `filled after step ${at}: "${why[0].slice(0, 60)}..."; status failed with the reason; checkpoint of step ${kept.checkpoint.state.step} intact; ${assertExact(dir)}`;
      } finally {
        spawnSync('umount', ['-l', mnt]);
      }
    },
  },
  {
    name: 'resume while the trainer is alive: refused',
    fn: async () => {
      const dir = run('resume-live');
      const p = train(EXP, dir);
      await waitFor('step 10', () => loggedStep(dir) >= 10);
      const r = await resume(dir).exited;
      assert.equal(r.code, 1, `the second trainer exited with ${r.code}`);
      assert.match(r.stderr, new RegExp(`is in use by a live trainer \\(pid ${p.child.pid}, "train" since .*kill -TERM ${p.child.pid}`));
      await finish(p);
      assertNoLeftovers(dir, CACHE);
      return `refused naming pid ${p.child.pid}; the live run went on: ${assertExact(dir)}`;
    },
  },
  {
    name: 'two trainers started at once into one folder: exactly one runs',
    fn: async () => {
      const dir = run('two-at-once');
      const [a, b] = [train(EXP, dir), train(EXP, dir)];
      const results = await Promise.all([a.exited, b.exited]);
      const codes = results.map((r) => r.code).sort();
      assert.deepEqual(codes, [0, 1], `exit codes ${codes.join(', ')}`);
      const loser = results.find((r) => r.code === 1)!;
      assert.match(loser.stderr, /is in use by a live trainer \(pid \d+/);
      const starts = readRun(dir).events.filter((e) => e.type === 'run-start').length;
      assert.equal(starts, 1, `${starts} run-start events`);
      assertNoLeftovers(dir, CACHE);
      return `one finished, one refused; ${assertExact(dir)}`;
    },
  },
  {
    name: 'a torn metrics tail is repaired on resume',
    fn: async () => {
      const dir = run('torn-tail');
      const at = 15 + rng.int(60);
      await killAt(train(EXP, dir), dir, at);
      fs.appendFileSync(path.join(dir, 'metrics.jsonl'), `{"v":1,"time":${Date.now()},"type":"step","step":${at + 1},"loss":0.`);
      await finish(resume(dir));
      assertNoLeftovers(dir, CACHE);
      return `killed at step ${at}, a half line appended; ${assertExact(dir)}`;
    },
  },
  {
    name: 'a corrupt latest checkpoint falls back to the previous one',
    fn: async () => {
      const dir = run('corrupt-latest');
      const p = train(EXP, dir);
      const at = 25 + rng.int(60);
      await waitFor(`step ${at}`, () => loggedStep(dir) >= at);
      p.child.kill('SIGTERM');
      const stopped = await p.exited;
      assert.equal(stopped.code, 130, `the stopped trainer exited with ${stopped.code}`);
      const latest = path.join(dir, 'checkpoints', 'latest.ckpt');
      const before = checkpointStep(latest);
      const bytes = fs.readFileSync(latest);
      bytes[bytes.length - 100] ^= 0x40;
      fs.writeFileSync(latest, bytes);
      const r = resume(dir);
      await finish(r);
      const fallback = /checkpoints\/latest\.ckpt cannot be read \(.*checksum.*\): resuming from (checkpoints\/step-\d+\.ckpt)/.exec((await r.exited).stderr) ?? /cannot be read \(.*\): resuming from (\S+)/.exec(JSON.stringify(readRun(dir).events));
      assert.ok(fallback, 'the resume says it fell back, and to which file');
      assertNoLeftovers(dir, CACHE);
      return `stopped at ${before}, latest corrupted, resumed from ${fallback[1]}; ${assertExact(dir)}`;
    },
  },
];

// ---------------------------------------------------------------- main
async function main(): Promise<number> {
  const t0 = Date.now();
  process.stdout.write(`fault injection in ${WORK} (seed ${opts.seed})\n`);
  // the reference the JEST runs score against, and the uninterrupted run every case must equal
  const ref = REF;
  await finish(train(experimentFile('faults-reference', { data: { train: { kind: 'synthetic', n: 1000, seed: 1, classes: CLASSES }, eval: [] }, selection: { method: 'uniform' }, training: { batchSize: 32, steps: 60, seed: 1 } }), ref));
  EXP = experimentFile('faults', { reference: { run: ref } });
  const base = run('uninterrupted');
  await finish(train(EXP, base));
  straight = { events: comparable(readRun(base).events), params: paramsHash(base) };
  process.stdout.write(`setup (reference + uninterrupted run): ${((Date.now() - t0) / 1000).toFixed(1)} s\n\n`);

  const isRoot = process.getuid?.() === 0;
  const rows: { name: string; outcome: string; detail: string; s: string }[] = [];
  for (const c of CASES) {
    if (opts.only && !c.name.includes(opts.only)) continue;
    const t = Date.now();
    let outcome: string;
    let detail: string;
    if (c.needsRoot && !isRoot) {
      outcome = requireAll ? 'FAIL' : 'skip';
      detail = 'needs root to mount a tmpfs';
    } else {
      try {
        detail = await c.fn();
        outcome = 'pass';
      } catch (e) {
        outcome = 'FAIL';
        detail = (e as Error).message.split('\n')[0];
      }
    }
    rows.push({ name: c.name, outcome, detail, s: ((Date.now() - t) / 1000).toFixed(1) });
    process.stdout.write(`${outcome.padEnd(4)}  ${c.name}: ${detail}\n`);
  }

  const w = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`\n${'case'.padEnd(w)}  outcome  seconds\n${'-'.repeat(w)}  -------  -------\n`);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${r.outcome.padEnd(7)}  ${r.s.padStart(7)}\n`);
  const failed = rows.filter((r) => r.outcome === 'FAIL').length;
  process.stdout.write(`\n${rows.length - failed} of ${rows.length} cases passed${failed ? `, ${failed} FAILED` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  if (!failed) fs.rmSync(WORK, { recursive: true, force: true });
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`test:faults: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
