// Before/after for engine changes: another commit's train step against this checkout's, in ONE
// process. Both TrainingSessions stay alive and their steps interleave (A B B A A B ...), so the
// minute-to-minute drift of a shared 2-core VM (10-20%, enough to swamp a 5% change between two
// separate runs) hits both alike. Prints median wall and CPU ms per step, their ratios, and
// whether both trained to bit-identical parameters (they do when a change only reorders work).
//
//   npm run bench:ab -- --ref <git ref> [--sizes small,medium,large] [--steps N] [--spinning]
//
// The ref's tree is exported with `git archive` into .cache/ab/<sha>/ and compiled there with
// this checkout's TypeScript and node_modules (once per sha). Spinning is off by default: two live
// sessions with spinning threads steal each other's cores, which would measure the fight instead.
// Both sides run the models and batches of THIS checkout's bench/step.bench.ts.
import { execFileSync, execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_ADAMW } from '../src/model/adamw';
import { TrainingSession } from '../src/runtime/training-session';
import { SIZES, batchData } from './step.bench';

interface Options {
  ref: string;
  sizes: string[];
  steps: number | null;
  spinning: boolean;
}

type Session = Pick<TrainingSession, 'runTrainStep' | 'getContiguousParameters' | 'release'>;
type SessionClass = { create(o: Parameters<typeof TrainingSession.create>[0]): Promise<Session> };

const ROOT = path.resolve(__dirname, '..', '..');
const STEPS: Record<string, number> = { small: 150, medium: 40, large: 12 };

function parse(argv: string[]): Options {
  const o: Options = { ref: '', sizes: ['small', 'medium', 'large'], steps: null, spinning: false };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--ref': o.ref = next(); break;
      case '--sizes': o.sizes = next().split(','); break;
      case '--steps': o.steps = Number(next()); break;
      case '--spinning': o.spinning = true; break;
      default: throw new Error(`unknown flag ${argv[i]}; usage: npm run bench:ab -- --ref <git ref> [--sizes a,b] [--steps N] [--spinning]`);
    }
  }
  if (!o.ref) throw new Error('--ref <git ref> is required: the commit to compare this checkout against');
  for (const s of o.sizes) if (!SIZES[s]) throw new Error(`unknown size ${s}; sizes: ${Object.keys(SIZES).join(', ')}`);
  if (o.steps !== null && !(Number.isInteger(o.steps) && o.steps > 0)) throw new Error('--steps takes a positive integer');
  return o;
}

/** The ref's TrainingSession, compiled once per commit. */
function buildRef(ref: string): { sha: string; Session: SessionClass } {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(ROOT, '.cache', 'ab', sha);
  const entry = path.join(dir, 'out', 'src', 'runtime', 'training-session.js');
  if (!fs.existsSync(entry)) {
    console.error(`compiling ${ref} (${sha.slice(0, 10)}) into ${path.relative(ROOT, dir)} ...`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execSync(`git archive ${sha} | tar -x -C ${JSON.stringify(dir)}`, { cwd: ROOT, stdio: 'inherit' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { stdio: 'inherit' });
  }
  return { sha, Session: require(entry).TrainingSession as SessionClass };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const ref = buildRef(o.ref);
  const sides: Record<'ref' | 'here', SessionClass> = { ref: ref.Session, here: TrainingSession };
  console.log(`A/B train step: ${o.ref} (${ref.sha.slice(0, 10)}) vs this checkout, one process, steps interleaved, spinning ${o.spinning ? 'on' : 'off'}, 2 threads`);
  const rows: string[] = [];
  for (const size of o.sizes) {
    const model = SIZES[size];
    const b = batchData(model, 64, 1);
    const batch = { images: [{ patchSize: 4, pixels: b.pixels }], tokens: b.tokens };
    const runtime = { device: 'cpu' as const, threads: 2, spinning: o.spinning };
    const s = {
      ref: await sides.ref.create({ model, optimizer: DEFAULT_ADAMW, seed: 1, runtime }),
      here: await sides.here.create({ model, optimizer: DEFAULT_ADAMW, seed: 1, runtime }),
    };
    const wall = { ref: [] as number[], here: [] as number[] };
    const cpu = { ref: [] as number[], here: [] as number[] };
    for (let i = 0; i < 4; i++) for (const k of ['ref', 'here'] as const) await s[k].runTrainStep(batch, 1e-4);
    const n = o.steps ?? STEPS[size];
    for (let i = 0; i < n; i++) {
      for (const k of i % 2 ? (['ref', 'here'] as const) : (['here', 'ref'] as const)) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await s[k].runTrainStep(batch, 1e-4);
        wall[k].push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu[k].push((c.user + c.system) / 1000);
      }
    }
    const [pr, ph] = [await s.ref.getContiguousParameters(), await s.here.getContiguousParameters()];
    const identical = sameBits(pr.decay, ph.decay) && sameBits(pr.plain, ph.plain);
    await s.ref.release();
    await s.here.release();
    const w = { ref: median(wall.ref), here: median(wall.here) };
    const c = { ref: median(cpu.ref), here: median(cpu.here) };
    rows.push(
      `| ${size} | ${n + 4} | ${w.ref.toFixed(2)} | ${w.here.toFixed(2)} | ${(w.ref / w.here).toFixed(3)}x | ${c.ref.toFixed(2)} | ${c.here.toFixed(2)} | ${(c.ref / c.here).toFixed(3)}x | ${identical ? 'yes' : 'no'} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  console.log('\n| size | steps each | ref wall ms | here wall ms | speed-up (wall) | ref CPU ms | here CPU ms | speed-up (CPU) | parameters bit-identical |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('(medians per step; speed-up > 1: this checkout is faster; CPU = user + system time of the process during the step)');
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bench:ab: ${(e as Error).message}`);
    process.exitCode = 1;
  });
}
