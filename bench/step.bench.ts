// Train-step benchmark: onnxruntime-node (TrainingSession, CPU) against the PyTorch peer
// (bench/peer/siglip_torch.py) on the same model, weights and batch, plus parity checks and an
// ORT profile of where the step's time goes.
//
//   npm run bench:step -- [--sizes small,medium,large] [--steps N] [--warmup W] [--batch B]
//                         [--patch P] [--threads T] [--lr X] [--rounds R] [--quick]
//                         [--no-peer] [--no-parity] [--profile all|largest|none] [--profile-steps K]
//                         [--quiet-wait S] [--no-floor] [--adamw both|host|graph] [--keep] [--out results.json]
//
// Defaults: all three sizes, batch 64, patch 4, 2 threads, 5 warm-up + 30 timed steps, 2 rounds
// (ORT block then torch block per round; each reported number is the best over rounds), a profile
// of every size. --quick: small only, 2 + 5 steps, one round, no profile.
// Before every timing block the benchmark waits (up to --quiet-wait seconds, default 120) until
// other processes leave the CPUs idle, and warns when they never do.
//
// For each size:
//  1. ORT: TrainingSession.create (CPU, T threads), first step = the parity step, then W untimed
//     and N timed runTrainStep calls (ms per step: min and median).
//  2. Parity: buildLossAndGradient(model, groups, 'float64') and 'float32' run in onnxruntime,
//     against the torch peer in float64 / float32 from the same weights and batch; plus the
//     parameters after ONE runTrainStep against ONE torch AdamW step.
//  3. The torch peer's timings (several parameterisations; the fastest is "torch at its best").
//  4. The matrix-multiply floor (bench/matmul-floor.ts): the step's Gemm/MatMul nodes alone, in
//     ORT and (same list) in torch: the best ratio ORT could reach if everything else were free.
//  5. A profile (ORT enableProfiling) of the train-step graph: time by op type, by role (forward,
//     backward, AdamW), and the slowest nodes.
// When the peer cannot run (no torch), ORT numbers are still printed, with "PEER MISSING" and
// the install command; the exit code stays 0.
import { spawnSync } from 'node:child_process';
import { ortGemmGflops, peerBlasEnv } from './blas-kernel';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { AdamWConfig, DEFAULT_ADAMW } from '../src/model/adamw';
import { ModelConfig } from '../src/model/config';
import { BuiltGraph, ImageGroup, TRAIN_STEP_STATE, buildGradientStep, buildLossAndGradient, buildTrainStep } from '../src/model/graphs';
import { FlatLayout, FlatValues, GROUPS, Group, flatLayout, initParams, parameterCount } from '../src/model/layout';
import { modelParams } from '../src/model/siglip';
import { Graph, Node, flopsByOp, nodeFlops, serialize } from '../src/onnx';
import { sessionOptions } from '../src/runtime/device';
import { TrainingSession } from '../src/runtime/training-session';
import { Rng } from '../src/util/rng';
import { FloorTiming, MatmulSpec, matmulsOf, timeMatmulFloor } from './matmul-floor';

// ------------------------------------------------------------------------------------------------
// Configuration
// ------------------------------------------------------------------------------------------------

const BASE: Omit<ModelConfig, 'width' | 'depth' | 'heads' | 'embedDim' | 'vocabSize'> = {
  imageSize: 16,
  patchSizes: [4, 8],
  mlpRatio: 4,
  seqLen: 8,
};

export const SIZES: Record<string, ModelConfig> = {
  small: { ...BASE, width: 64, depth: 1, heads: 4, embedDim: 64, vocabSize: 1000 },
  medium: { ...BASE, width: 128, depth: 2, heads: 4, embedDim: 128, vocabSize: 2000 },
  large: { ...BASE, width: 256, depth: 4, heads: 8, embedDim: 256, vocabSize: 8000 },
};

interface Options {
  sizes: string[];
  steps: number;
  warmup: number;
  batch: number;
  patch: number;
  threads: number;
  lr: number;
  rounds: number;
  peer: boolean;
  parity: boolean;
  profile: 'all' | 'largest' | 'none';
  profileSteps: number;
  out: string | null;
  seed: number;
  keep: boolean;
  quietWaitS: number;
  /** Time the step's matrix products alone (bench/matmul-floor.ts), ORT and torch. */
  floor: boolean;
  /**
   * Where ORT's AdamW update runs on the CPU: 'host' (the fused WebAssembly pass TrainingSession
   * uses), 'graph' (graph nodes, the GPU path's graph), or 'both' (default: an in-graph block before
   * each host block, and their ratio: the host update's gain measured in the same run).
   */
  adamw: 'host' | 'graph' | 'both';
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sizes: ['small', 'medium', 'large'],
    steps: 30,
    warmup: 5,
    batch: 64,
    patch: 4,
    threads: 2,
    lr: 1e-3,
    rounds: 2,
    peer: true,
    parity: true,
    profile: 'all',
    profileSteps: 10,
    out: null,
    seed: 1,
    keep: false,
    quietWaitS: 120,
    floor: true,
    adamw: 'both',
  };
  const num = (flag: string, v: string | undefined): number => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || x <= 0) throw new Error(`${flag} needs a positive number, got ${v}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const next = () => inline ?? argv[++i];
    switch (flag) {
      case '--sizes':
        o.sizes = next().split(',').filter(Boolean);
        for (const s of o.sizes) if (!SIZES[s]) throw new Error(`unknown size '${s}'; sizes: ${Object.keys(SIZES).join(', ')}`);
        break;
      case '--steps': o.steps = Math.round(num(flag, next())); break;
      case '--warmup': o.warmup = Math.round(num(flag, next())); break;
      case '--batch': o.batch = Math.round(num(flag, next())); break;
      case '--patch': o.patch = Math.round(num(flag, next())); break;
      case '--threads': o.threads = Math.round(num(flag, next())); break;
      case '--lr': o.lr = num(flag, next()); break;
      case '--rounds': o.rounds = Math.round(num(flag, next())); break;
      case '--seed': o.seed = Math.round(num(flag, next())); break;
      case '--profile-steps': o.profileSteps = Math.round(num(flag, next())); break;
      case '--profile': {
        const v = next();
        if (v !== 'all' && v !== 'largest' && v !== 'none') throw new Error(`--profile takes all, largest or none, got ${v}`);
        o.profile = v;
        break;
      }
      case '--no-profile': o.profile = 'none'; break;
      case '--no-peer': o.peer = false; break;
      case '--no-parity': o.parity = false; break;
      case '--no-floor': o.floor = false; break;
      case '--adamw': {
        const v = next();
        if (v !== 'host' && v !== 'graph' && v !== 'both') throw new Error(`--adamw takes host, graph or both, got ${v}`);
        o.adamw = v;
        break;
      }
      case '--out': o.out = next(); break;
      case '--keep': o.keep = true; break;
      case '--quiet-wait': o.quietWaitS = Number(next()); break;
      case '--quick':
        o.sizes = ['small'];
        o.steps = 5;
        o.warmup = 2;
        o.rounds = 1;
        o.profile = 'none';
        o.profileSteps = 3;
        o.floor = false;
        o.adamw = 'host';
        break;
      case '--help':
      case '-h':
        console.log(fs.readFileSync(__filename.replace(/\.js$/, '.ts').replace(`${path.sep}out${path.sep}`, path.sep), 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 30).join('\n'));
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown flag ${a} (try --help)`);
    }
  }
  return o;
}

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

interface Timing {
  minMs: number;
  medianMs: number;
  meanMs: number;
  steps: number;
}

function summarise(times: number[]): Timing {
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { minMs: s[0], medianMs: median, meanMs: s.reduce((a, b) => a + b, 0) / s.length, steps: s.length };
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function batchData(model: ModelConfig, B: number, seed: number): { pixels: Uint8Array; tokens: Int32Array } {
  const rng = new Rng(seed);
  const S = model.imageSize;
  const pixels = new Uint8Array(B * S * S * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  // Captions of 1..L real words (ids 2..V-1: 0 is pad, 1 unknown), padded with 0.
  const L = model.seqLen;
  const tokens = new Int32Array(B * L);
  for (let b = 0; b < B; b++) {
    const len = 1 + rng.int(L);
    for (let t = 0; t < len; t++) tokens[b * L + t] = 2 + rng.int(model.vocabSize - 2);
  }
  return { pixels, tokens };
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-300);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function sub(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

function readF32(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function readF64(file: string): Float64Array {
  const buf = fs.readFileSync(file);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function writeRaw(file: string, a: Float32Array | Uint8Array | Int32Array): void {
  fs.writeFileSync(file, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function sci(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toExponential(1);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => pad(c, w[i])).join(' | ') + ' |';
  return [line(header), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

/** Jiffies the whole machine spent busy, and in total, since boot (null where /proc/stat is missing). */
function procStat(): { busy: number; total: number } | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - (f[4] ?? 0), total };
  } catch {
    return null;
  }
}

/**
 * Watches a timing block: which fraction of the machine's CPU time went to OTHER processes while
 * it ran (machine busy time minus the CPU time of the measured process; 0 = clean block).
 */
class LoadMeter {
  private readonly stat0 = procStat();
  private readonly own0 = process.cpuUsage();
  /** `childCpuS`: CPU seconds of a child process that ran inside the block (the peer). */
  foreign(childCpuS = 0): number {
    const s1 = procStat();
    if (!this.stat0 || !s1 || s1.total === this.stat0.total) return 0;
    const own = process.cpuUsage(this.own0);
    const ticks = 100; // USER_HZ
    const ownTicks = ((own.user + own.system) / 1e6 + childCpuS) * ticks;
    return Math.max(0, (s1.busy - this.stat0.busy - ownTicks) / (s1.total - this.stat0.total));
  }
}

/** Fraction of all CPUs busy over `ms` (from /proc/stat; 0 where it cannot be read). */
function cpuBusy(ms: number): number {
  const read = () => {
    try {
      const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + (f[4] ?? 0);
      return { idle, total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // sleep without burning the CPU
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(1, end - Date.now()));
  }
  const b = read();
  if (!a || !b || b.total === a.total) return 0;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Timings on a shared machine are only meaningful when nothing else runs: wait (up to
 * `maxWaitS`) until the CPUs are idle, and say so when they never were.
 */
function waitForQuiet(maxWaitS: number, threshold = 0.1): number {
  const start = Date.now();
  let busy = cpuBusy(500);
  let warned = false;
  while (busy > threshold && Date.now() - start < maxWaitS * 1e3) {
    if (!warned) {
      console.log(`  (other processes keep ${(100 * busy).toFixed(0)}% of the CPUs busy; waiting up to ${maxWaitS} s for a quiet machine)`);
      warned = true;
    }
    busy = cpuBusy(1000);
  }
  if (busy > threshold) console.log(`  WARNING: timing on a busy machine (${(100 * busy).toFixed(0)}% of the CPUs busy before the run)`);
  return busy;
}

// ------------------------------------------------------------------------------------------------
// ORT: timing through TrainingSession
// ------------------------------------------------------------------------------------------------

interface OrtResult {
  firstStepMs: number;
  timing: Timing;
  stepLoss: number;
  theta1: FlatValues;
  /** Share of the machine other processes used during the timed steps. */
  foreign: number;
  /** The matrix products alone, timed right after the steps (bench/matmul-floor.ts). */
  floor?: FloorTiming;
}

async function timeOrt(
  model: ModelConfig,
  opt: AdamWConfig,
  theta: FlatValues,
  batch: { pixels: Uint8Array; tokens: Int32Array },
  o: Options,
  matmuls: MatmulSpec[] | null,
  hostAdamW: boolean,
): Promise<OrtResult> {
  const session = await TrainingSession.create({
    model,
    optimizer: opt,
    params: { decay: Float32Array.from(theta.decay), plain: Float32Array.from(theta.plain) },
    // spinning on: one session alone, as in a uniform training run (and as torch's OpenMP threads spin)
    runtime: { device: 'cpu', threads: o.threads, spinning: true, hostAdamW },
  });
  const b = { images: [{ patchSize: o.patch, pixels: batch.pixels }], tokens: batch.tokens };
  const t0 = now();
  const first = await session.runTrainStep(b, o.lr); // builds the graph and the session: the parity step
  const firstStepMs = now() - t0;
  const theta1 = await session.getContiguousParameters();
  const times: number[] = [];
  let meter = new LoadMeter();
  for (let i = 0; i < o.warmup + o.steps; i++) {
    if (i === o.warmup) meter = new LoadMeter();
    const t = now();
    const r = await session.runTrainStep(b, o.lr);
    if (i >= o.warmup) times.push(now() - t);
    if (!Number.isFinite(r.loss)) throw new Error(`ORT loss became ${r.loss} at step ${i}`);
  }
  const foreign = meter.foreign();
  await session.release();
  // The products alone right after, in a session of their own: two live sessions with spinning
  // threads slow each other down (measured: 2x at the small size), so they never overlap.
  const floorTiming = matmuls ? await timeMatmulFloor(matmuls, o.threads, o.warmup, o.steps) : undefined;
  return { firstStepMs, timing: summarise(times), stepLoss: first.loss, theta1, foreign, floor: floorTiming };
}

// ------------------------------------------------------------------------------------------------
// ORT: loss and gradient graphs for parity
// ------------------------------------------------------------------------------------------------

interface Gradient {
  loss: number;
  grad: Record<Group, Float64Array | Float32Array>;
}

async function ortGradient(model: ModelConfig, groups: ImageGroup[], theta: FlatValues, batch: { pixels: Uint8Array; tokens: Int32Array }, float: 'float32' | 'float64', threads: number): Promise<Gradient> {
  const built = buildLossAndGradient(model, groups, float);
  const session = await ort.InferenceSession.create(serialize(built.graph), sessionOptions('cpu', threads));
  const S = model.imageSize;
  const conv = (a: Float32Array) => (float === 'float64' ? Float64Array.from(a) : Float32Array.from(a));
  const feeds: Record<string, ort.Tensor> = {
    'theta.decay': new ort.Tensor(float, conv(theta.decay), [theta.decay.length]),
    'theta.plain': new ort.Tensor(float, conv(theta.plain), [theta.plain.length]),
    'images.0': new ort.Tensor('uint8', batch.pixels, [groups[0].count, S, S, 3]),
    tokens: new ort.Tensor('int32', batch.tokens, [groups[0].count, model.seqLen]),
  };
  const r = await session.run(feeds);
  const out: Gradient = {
    loss: Number(r.loss.data[0]),
    grad: { decay: r['grad.decay'].data as Float64Array, plain: r['grad.plain'].data as Float64Array },
  };
  await session.release();
  return out;
}

// ------------------------------------------------------------------------------------------------
// The torch peer
// ------------------------------------------------------------------------------------------------

function peerScript(): string {
  const candidates = [
    path.resolve(__dirname, '..', '..', 'bench', 'peer', 'siglip_torch.py'),
    path.resolve(__dirname, 'peer', 'siglip_torch.py'),
    path.resolve(process.cwd(), 'bench', 'peer', 'siglip_torch.py'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`cannot find bench/peer/siglip_torch.py (looked in ${candidates.join(', ')})`);
  return found;
}

function peerPython(): string {
  if (process.env.JEST_PEER_PYTHON) return process.env.JEST_PEER_PYTHON;
  // Debian's python3-torch installs into /usr/bin/python3; a pyenv python3 earlier on PATH cannot see it.
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export interface PeerTiming {
  min_ms: number;
  median_ms: number;
  mean_ms: number;
  steps: number;
}

export interface PeerOutput {
  torch: string;
  device?: string;
  threads: number;
  params: number;
  parity?: Record<string, number>;
  timings?: Record<string, PeerTiming>;
  best?: string;
  profile?: TorchProfile;
  matmul_floor?: { min_ms: number; median_ms: number; products: number };
  /** The OpenBLAS kernel torch ran (openblas_get_corename) and its n³ sgemm rate. */
  blas?: { core: string | null; gemm_n: number; gemm_gflops: number };
  cpu_s?: number;
}

interface TorchProfile {
  variant: string;
  phases_ms: Record<string, number>;
  self_total_ms: number;
  ops: { op: string; ms: number; count: number }[];
}

export type PeerRun = { ok: true; out: PeerOutput; ms: number; foreign: number } | { ok: false; missing: boolean; message: string };

/** The settings the peer reads from config.json (the same step ORT times). */
export interface PeerConfig {
  model: ModelConfig;
  optimizer: AdamWConfig;
  batch: number;
  patchSize: number;
  lr: number;
  steps: number;
  warmup: number;
  threads: number;
}

/** The peer's input directory (protocol in bench/peer/siglip_torch.py's docstring); returns its path. */
export function writePeerInput(name: string, config: PeerConfig, layout: FlatLayout, theta: FlatValues, batch: { pixels: Uint8Array; tokens: Int32Array }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `jest-bench-${name}-`));
  const layoutJson = {
    size: layout.size,
    entries: layout.entries.map((e) => ({ name: e.spec.name, shape: e.spec.shape, group: e.group, offset: e.offset, size: e.size })),
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, layout: layoutJson }, null, 1));
  writeRaw(path.join(dir, 'theta.decay.f32'), theta.decay);
  writeRaw(path.join(dir, 'theta.plain.f32'), theta.plain);
  writeRaw(path.join(dir, 'images.u8'), batch.pixels);
  writeRaw(path.join(dir, 'tokens.i32'), batch.tokens);
  return dir;
}

/** Runs the torch peer on `dir` with `threads` CPU threads (its extra flags, e.g. --device cuda, in `extra`). */
export function runPeer(dir: string, threads: number, extra: string[]): PeerRun {
  const t0 = now();
  const meter = new LoadMeter();
  const r = spawnSync(peerPython(), [peerScript(), dir, ...extra], {
    encoding: 'utf8',
    // the best OpenBLAS kernel the CPU flags allow, for the peer only (blas-kernel.ts)
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), ...peerBlasEnv().env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = now() - t0;
  if (r.error) return { ok: false, missing: true, message: `${peerPython()}: ${r.error.message}` };
  if (r.status === 3) return { ok: false, missing: true, message: r.stderr.trim() };
  if (r.status !== 0) return { ok: false, missing: false, message: `peer exited with ${r.status}:\n${r.stderr.trim()}` };
  try {
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as PeerOutput;
    return { ok: true, out, ms, foreign: meter.foreign(out.cpu_s ?? 0) };
  } catch (e) {
    return { ok: false, missing: false, message: `peer printed no JSON: ${(e as Error).message}\n${r.stdout}\n${r.stderr}` };
  }
}

// ------------------------------------------------------------------------------------------------
// Profile of the train-step graph
// ------------------------------------------------------------------------------------------------

type Role = 'forward' | 'backward' | 'adamw';

/** Role of every live node: forward up to the loss, backward up to AdamW's first ‖g‖², AdamW after. */
function nodeRoles(built: BuiltGraph): Map<string, { role: Role; node: Node }> {
  const g: Graph = built.graph;
  const nodes = g.liveNodes();
  const lossOut = g.outputs.find((v) => v.name === 'loss')!;
  const lossNode = lossOut.producer!.inputs[0].producer!;
  const lossIdx = nodes.indexOf(lossNode);
  const adamIdx = nodes.findIndex((n) => n.op === 'ReduceSumSquare' && n.inputs[0].rank === 1 && n.inputs[0].shape[0] === built.layout.size.decay);
  const out = new Map<string, { role: Role; node: Node }>();
  nodes.forEach((n, i) => {
    const role: Role = n === lossOut.producer ? 'forward' : i <= lossIdx ? 'forward' : adamIdx >= 0 && i >= adamIdx ? 'adamw' : 'backward';
    out.set(n.outputs[0].name, { role, node: n });
  });
  return out;
}

/** The serialized model with every node named `<role>/<op>/<first output>` (profiles name events by node). */
function namedModel(built: BuiltGraph, roles: Map<string, { role: Role }>): Uint8Array {
  const model = onnx.ModelProto.decode(serialize(built.graph));
  for (const n of model.graph!.node!) {
    const out = n.output![0];
    n.name = `${roles.get(out)?.role ?? 'other'}/${n.opType}/${out}`;
  }
  return onnx.ModelProto.encode(model).finish();
}

interface ProfileResult {
  jsStep: Timing;
  runMs: number;
  kernelMs: number;
  byOp: { op: string; ms: number; count: number; share: number; gflops?: number }[];
  byRole: { role: string; ms: number; share: number }[];
  byNode: { name: string; ms: number; share: number; shape?: string; gflops?: number }[];
  embedding: { ms: number; nodes: number };
  adamw: { ms: number; nodes: number };
  /** The update ran on the host (this profile holds only AdamW's scalars). */
  hostAdamW: boolean;
  flopsByOp: [string, number][];
  foreign: number;
}

async function profileTrainStep(
  model: ModelConfig,
  opt: AdamWConfig,
  groups: ImageGroup[],
  theta: FlatValues,
  batch: { pixels: Uint8Array; tokens: Int32Array },
  o: Options,
  warmupRuns: number,
  runs: number,
): Promise<ProfileResult> {
  // The graph TrainingSession runs: on the CPU by default the gradient step (AdamW's update then
  // runs on the host, outside this profile); with --adamw graph the full train step.
  const host = o.adamw !== 'graph';
  const built = host ? buildGradientStep(model, opt, groups) : buildTrainStep(model, opt, groups);
  const roles = nodeRoles(built);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-profile-'));
  const session = await ort.InferenceSession.create(namedModel(built, roles), {
    ...sessionOptions('cpu', o.threads),
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'train_step'),
  });
  // As TrainingSession does on the CPU: state in two pre-allocated sets of tensors, ping-ponged.
  const S = model.imageSize;
  const make = (g: Group, s: string) => {
    const v = s === 'theta' ? Float32Array.from(theta[g]) : new Float32Array(theta[g].length);
    return new ort.Tensor('float32', v, [v.length]);
  };
  let cur: Record<string, ort.Tensor> = {};
  let spare: Record<string, ort.Tensor> = {};
  for (const [input] of TRAIN_STEP_STATE) {
    const [s, g] = input.split('.') as [string, Group];
    if (host && s !== 'theta') continue;
    cur[input] = make(g, s);
    spare[input] = make(g, 'm');
  }
  const batchFeeds = {
    'images.0': new ort.Tensor('uint8', batch.pixels, [groups[0].count, S, S, 3]),
    tokens: new ort.Tensor('int32', batch.tokens, [groups[0].count, model.seqLen]),
  };
  const times: number[] = [];
  let meter = new LoadMeter();
  for (let i = 0; i < warmupRuns + runs; i++) {
    if (i === warmupRuns) meter = new LoadMeter();
    const fetches: Record<string, ort.Tensor | null> = { loss: null, grad_norm: null };
    if (host) {
      for (const g of GROUPS) fetches[`grad.${g}`] = spare[`theta.${g}`];
      fetches['adamw.scalars'] = null;
    } else {
      for (const [input, output] of TRAIN_STEP_STATE) fetches[output] = spare[input];
    }
    const feeds = {
      ...cur,
      ...batchFeeds,
      lr: new ort.Tensor('float32', new Float32Array([o.lr]), []),
      step: new ort.Tensor('float32', new Float32Array([i + 1]), []),
    };
    const t = now();
    await session.run(feeds, fetches);
    if (i >= warmupRuns) times.push(now() - t);
    if (!host) [cur, spare] = [spare, cur];
  }
  const foreign = meter.foreign();
  session.endProfiling();
  await session.release();
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`onnxruntime wrote no profile into ${dir}`);
  const events = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
    cat: string;
    name: string;
    ts: number;
    dur: number;
    args?: { op_name?: string };
  }[];
  fs.rmSync(dir, { recursive: true, force: true });

  // Keep the last `runs` model_run windows (the first ones are warm-up).
  const windows = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts).slice(-runs);
  const inWindow = (e: { ts: number }) => windows.some((w) => e.ts >= w.ts && e.ts <= w.ts + w.dur);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && inWindow(e));
  const per = (ms: number) => ms / windows.length;
  const runMs = per(windows.reduce((s, w) => s + w.dur, 0) / 1e3);
  const kernelMs = per(kernels.reduce((s, e) => s + e.dur, 0) / 1e3);

  const opFlops = new Map(flopsByOp(built.graph));
  const byOpMap = new Map<string, { ms: number; count: number }>();
  const byRoleMap = new Map<string, number>();
  const byNodeMap = new Map<string, number>();
  let embMs = 0;
  const embNodes = new Set<string>();
  let adamMs = 0;
  const adamNodes = new Set<string>();
  for (const e of kernels) {
    const name = e.name.slice(0, -'_kernel_time'.length);
    const opName = e.args?.op_name ?? name.split('/')[1] ?? '?';
    const ms = e.dur / 1e3;
    const a = byOpMap.get(opName) ?? { ms: 0, count: 0 };
    a.ms += ms;
    a.count++;
    byOpMap.set(opName, a);
    const role = name.includes('/') ? name.split('/')[0] : 'other (fused/renamed)';
    byRoleMap.set(role, (byRoleMap.get(role) ?? 0) + ms);
    byNodeMap.set(name, (byNodeMap.get(name) ?? 0) + ms);
    // The embedding gradient: the zero V×D table (Expand of a scalar) and the ScatterND into it.
    const info = roles.get(name.split('/').slice(2).join('/'));
    const shape = info?.node.outputs[0].shape;
    const isTable = shape && shape.length === 2 && shape[0] === model.vocabSize && shape[1] === model.width;
    if (info && info.role === 'backward' && isTable && (info.node.op === 'ScatterND' || info.node.op === 'Expand')) {
      embMs += ms;
      embNodes.add(name);
    }
    if (role === 'adamw') {
      adamMs += ms;
      adamNodes.add(name);
    }
  }
  const infoOf = (name: string) => roles.get(name.split('/').slice(2).join('/'));
  const shapeOf = (name: string) => {
    const info = infoOf(name);
    return info ? `[${info.node.outputs[0].shape.join(',')}]` : undefined;
  };
  const runs1 = windows.length;
  const byOp = [...byOpMap.entries()]
    .map(([op, a]) => {
      const ms = a.ms / runs1;
      const f = opFlops.get(op);
      return { op, ms, count: Math.round(a.count / runs1), share: ms / kernelMs, gflops: f ? f / (ms * 1e6) : undefined };
    })
    .sort((a, b) => b.ms - a.ms);
  const byRole = [...byRoleMap.entries()].map(([role, ms]) => ({ role, ms: ms / runs1, share: ms / runs1 / kernelMs })).sort((a, b) => b.ms - a.ms);
  const byNode = [...byNodeMap.entries()]
    .map(([name, ms]) => {
      const info = infoOf(name);
      const f = info ? nodeFlops(info.node) : 0;
      return { name, ms: ms / runs1, share: ms / runs1 / kernelMs, shape: shapeOf(name), gflops: f ? f / ((ms / runs1) * 1e6) : undefined };
    })
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 15);
  return {
    jsStep: summarise(times),
    runMs,
    kernelMs,
    byOp,
    byRole,
    byNode,
    embedding: { ms: embMs / runs1, nodes: embNodes.size },
    adamw: { ms: adamMs / runs1, nodes: adamNodes.size },
    hostAdamW: host,
    flopsByOp: [...opFlops.entries()],
    foreign,
  };
}

// ------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------

interface SizeResult {
  size: string;
  model: ModelConfig;
  params: number;
  decay: number;
  plain: number;
  flops: number;
  ort: { firstStepMs: number; timing: Timing; rounds: Timing[] };
  torch?: { best: string; timing: Timing; variants: Record<string, PeerTiming>; version: string; rounds: PeerTiming[] };
  /** The OpenBLAS kernel and sgemm rate the peer reported (the first round's). */
  torchBlas?: { core: string | null; gemm_n: number; gemm_gflops: number };
  parity?: {
    lossF64: number;
    lossF32: number;
    lossStepF32: number;
    gradF64: Record<Group, number>;
    gradF32: Record<Group, number>;
    /** torch's own float32 gradient against its float64 one: the size of float32 rounding. */
    torchF32vsF64: Record<Group, number>;
    step: Record<Group, { updateRel: number; paramMaxRel: number; maxAbsOverLr: number; flipped: number }>;
  };
  peerError?: string;
  profile?: ProfileResult;
  torchProfile?: TorchProfile;
  /** The step's matrix products alone: ORT's floor, torch's, and the best ratio ORT can reach. */
  floor?: { ort: FloorTiming; ortStepMs: number; torch?: { minMs: number; medianMs: number }; ceiling?: number };
  /** With --adamw both: ORT with AdamW as graph nodes, one timing per round (the host block follows each). */
  ortGraphAdamW: Timing[];
  /** CPU busy fraction (all cores, other processes) just before each timing block. */
  busyBefore: number[];
  /** Share of the machine's CPU time other processes took during each round's ORT / torch block. */
  foreign: { ort: number[]; torch: number[] };
}

async function benchSize(name: string, o: Options, peerState: { missing: string | null }): Promise<SizeResult> {
  const model = { ...SIZES[name] };
  if (!model.patchSizes.includes(o.patch)) model.patchSizes = [...model.patchSizes, o.patch].sort((a, b) => a - b);
  const opt: AdamWConfig = { ...DEFAULT_ADAMW };
  const layout = flatLayout(modelParams(model));
  const theta = initParams(layout, o.seed);
  const batch = batchData(model, o.batch, o.seed + 100);
  const groups: ImageGroup[] = [{ patchSize: o.patch, count: o.batch }];
  const flops = buildTrainStep(model, opt, groups).flops;
  const res: SizeResult = {
    size: name,
    model,
    params: parameterCount(layout),
    decay: layout.size.decay,
    plain: layout.size.plain,
    flops,
    ort: { firstStepMs: 0, timing: summarise([0]), rounds: [] },
    busyBefore: [],
    foreign: { ort: [], torch: [] },
    ortGraphAdamW: [],
  };
  console.log(`\n== ${name}: ${res.params.toLocaleString('en-US')} params (decay ${layout.size.decay}, plain ${layout.size.plain}), ` +
    `width ${model.width} depth ${model.depth} heads ${model.heads} vocab ${model.vocabSize}; batch ${o.batch}, image ${model.imageSize}, patch ${o.patch}, seq ${model.seqLen}; ` +
    `${(flops / 1e9).toFixed(3)} GFLOP per step`);

  const dir = writePeerInput(name, { model, optimizer: opt, batch: o.batch, patchSize: o.patch, lr: o.lr, steps: o.steps, warmup: o.warmup, threads: o.threads }, layout, theta, batch);
  const matmuls = matmulsOf(buildTrainStep(model, opt, groups).graph);
  fs.writeFileSync(path.join(dir, 'matmuls.json'), JSON.stringify(matmuls));

  const profiled = o.profile === 'all' || (o.profile === 'largest' && name === o.sizes[o.sizes.length - 1]);
  let firstOrt: OrtResult | null = null;
  const ortRounds: number[][] = [];
  const torchRounds: Record<string, PeerTiming>[] = [];
  let peerParity: Record<string, number> | undefined;
  let torchVersion = '';
  let torchFloor: { minMs: number; medianMs: number } | undefined;
  const ortFloors: FloorTiming[] = [];
  for (let round = 0; round < o.rounds; round++) {
    res.busyBefore.push(waitForQuiet(o.quietWaitS));
    if (o.adamw === 'both') {
      const g = await timeOrt(model, opt, theta, batch, o, null, false);
      res.ortGraphAdamW.push(g.timing);
      console.log(`ORT   round ${round + 1}, AdamW in the graph: min ${fmt(g.timing.minMs)} ms, median ${fmt(g.timing.medianMs)} ms per step; other processes ${fmt(100 * g.foreign, 0)}% of the CPUs`);
    }
    const r = await timeOrt(model, opt, theta, batch, o, o.floor ? matmuls : null, o.adamw !== 'graph');
    firstOrt ??= r;
    if (r.floor) ortFloors.push(r.floor);
    ortRounds.push([r.timing.minMs, r.timing.medianMs]);
    res.ort.rounds.push(r.timing);
    res.foreign.ort.push(r.foreign);
    console.log(`ORT   round ${round + 1}: min ${fmt(r.timing.minMs)} ms, median ${fmt(r.timing.medianMs)} ms per step (first step incl. graph build + session ${fmt(r.firstStepMs, 0)} ms)` +
      (r.floor ? `; its matrix products alone, right after: min ${fmt(r.floor.minMs)}, median ${fmt(r.floor.medianMs)} ms` : '') +
      `; other processes ${fmt(100 * r.foreign, 0)}% of the CPUs`);
    if (o.peer && !peerState.missing) {
      const extra = round === 0 && o.parity ? [] : ['--no-parity'];
      if (round === o.rounds - 1 && profiled) extra.push('--profile-steps', String(o.profileSteps));
      if (round === o.rounds - 1 && o.floor) extra.push('--matmul-floor');
      if (torchRounds.length) {
        // Later rounds time only the two fastest parameterisations of the first round.
        const first = torchRounds[0];
        extra.push('--variants', Object.keys(first).sort((a, b) => first[a].median_ms - first[b].median_ms).slice(0, 2).join(','));
      }
      res.busyBefore.push(waitForQuiet(o.quietWaitS));
      const p = runPeer(dir, o.threads, extra);
      if (!p.ok) {
        if (p.missing) peerState.missing = p.message;
        res.peerError = p.message;
        console.log(p.missing ? `PEER MISSING: ${p.message}` : `PEER FAILED: ${p.message}`);
      } else {
        torchVersion = p.out.torch;
        if (p.out.parity) peerParity = p.out.parity;
        if (p.out.profile) res.torchProfile = p.out.profile;
        if (p.out.matmul_floor) torchFloor = { minMs: p.out.matmul_floor.min_ms, medianMs: p.out.matmul_floor.median_ms };
        if (p.out.blas && !res.torchBlas) res.torchBlas = p.out.blas;
        if (p.out.params !== res.params) throw new Error(`torch peer counts ${p.out.params} params, ORT ${res.params}`);
        torchRounds.push(p.out.timings!);
        const best = p.out.timings![p.out.best!];
        res.foreign.torch.push(p.foreign);
        console.log(`torch round ${round + 1}: best ${p.out.best} min ${fmt(best.min_ms)} ms, median ${fmt(best.median_ms)} ms; ` +
          Object.entries(p.out.timings!).map(([k, t]) => `${k} ${fmt(t.min_ms)}/${fmt(t.median_ms)}`).join(', ') +
          `; other processes ${fmt(100 * p.foreign, 0)}% of the CPUs`);
      }
    }
  }
  const ortMin = Math.min(...res.ort.rounds.map((t) => t.minMs));
  const ortMed = Math.min(...res.ort.rounds.map((t) => t.medianMs));
  res.ort.firstStepMs = firstOrt!.firstStepMs;
  res.ort.timing = { minMs: ortMin, medianMs: ortMed, meanMs: Math.min(...res.ort.rounds.map((t) => t.meanMs)), steps: o.steps };
  if (torchRounds.length) {
    // torch at its best: the variant with the lowest median, each number the best over rounds.
    const variants: Record<string, PeerTiming> = {};
    for (const k of Object.keys(torchRounds[0])) {
      const rs = torchRounds.filter((r) => r[k]).map((r) => r[k]);
      variants[k] = {
        min_ms: Math.min(...rs.map((t) => t.min_ms)),
        median_ms: Math.min(...rs.map((t) => t.median_ms)),
        mean_ms: Math.min(...rs.map((t) => t.mean_ms)),
        steps: rs[0].steps,
      };
    }
    const best = Object.keys(variants).sort((a, b) => variants[a].median_ms - variants[b].median_ms)[0];
    const v = variants[best];
    res.torch = { best, variants, version: torchVersion, rounds: torchRounds.filter((r) => r[best]).map((r) => r[best]), timing: { minMs: v.min_ms, medianMs: v.median_ms, meanMs: v.mean_ms, steps: v.steps } };
  }

  if (ortFloors.length) {
    // The round whose step median is reported (the best) and its interleaved floor.
    const best = res.ort.rounds.indexOf(res.ort.rounds.reduce((x, y) => (y.medianMs < x.medianMs ? y : x)));
    const ortFloor = ortFloors[best];
    const ceiling = res.torch ? res.torch.timing.medianMs / ortFloor.medianMs : undefined;
    res.floor = { ort: ortFloor, torch: torchFloor, ceiling, ortStepMs: res.ort.rounds[best].medianMs };
    console.log(`matrix products alone (${ortFloor.products} Gemm/MatMul, ${(ortFloor.flops / 1e9).toFixed(3)} GFLOP): ` +
      `ORT median ${fmt(ortFloor.medianMs)} ms (${fmt(ortFloor.flops / (ortFloor.medianMs * 1e6))} GFLOP/s) against its step's ${fmt(res.floor.ortStepMs)} ms in the same round` +
      (torchFloor ? `; torch median ${fmt(torchFloor.medianMs)} ms (${fmt(ortFloor.flops / (torchFloor.medianMs * 1e6))} GFLOP/s)` : '') +
      (ceiling ? `; the best ratio ORT can reach here (torch step / ORT products alone): ${ceiling.toFixed(2)}x` : ''));
  }

  if (o.parity && peerParity) {
    const f64 = await ortGradient(model, groups, theta, batch, 'float64', o.threads);
    const f32 = await ortGradient(model, groups, theta, batch, 'float32', o.threads);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    const step = {} as NonNullable<SizeResult['parity']>['step'];
    const gradF64 = {} as Record<Group, number>;
    const gradF32 = {} as Record<Group, number>;
    const torchF32vsF64 = {} as Record<Group, number>;
    for (const g of GROUPS) {
      torchF32vsF64[g] = relErr(readF32(path.join(dir, `grad.${g}.f32`)), readF64(path.join(dir, `grad.${g}.f64`)));
      gradF64[g] = relErr(f64.grad[g], readF64(path.join(dir, `grad.${g}.f64`)));
      gradF32[g] = relErr(f32.grad[g], readF32(path.join(dir, `grad.${g}.f32`)));
      const t1 = readF32(path.join(dir, `theta1.${g}.f32`));
      const o1 = firstOrt!.theta1[g];
      const dT = sub(t1, theta[g]);
      const dO = sub(o1, theta[g]);
      let flipped = 0;
      for (let i = 0; i < t1.length; i++) if (Math.abs(o1[i] - t1[i]) > 0.1 * o.lr) flipped++;
      step[g] = {
        updateRel: relErr(dO, dT),
        paramMaxRel: maxAbsDiff(o1, t1) / maxAbs(t1),
        maxAbsOverLr: maxAbsDiff(o1, t1) / o.lr,
        flipped,
      };
    }
    res.parity = {
      lossF64: rel(f64.loss, peerParity.loss_f64),
      lossF32: rel(f32.loss, peerParity.loss_f32),
      lossStepF32: rel(firstOrt!.stepLoss, peerParity.loss_step_f32),
      gradF64,
      gradF32,
      torchF32vsF64,
      step,
    };
    console.log(`parity: loss f64 ${sci(res.parity.lossF64)} (ORT ${f64.loss.toFixed(6)} vs torch ${peerParity.loss_f64.toFixed(6)}), ` +
      `loss f32 ${sci(res.parity.lossF32)}, train-step loss f32 ${sci(res.parity.lossStepF32)}; ` +
      `grad f64 decay ${sci(gradF64.decay)} plain ${sci(gradF64.plain)}; grad f32 decay ${sci(gradF32.decay)} plain ${sci(gradF32.plain)} ` +
      `(torch's own f32 vs f64: decay ${sci(torchF32vsF64.decay)} plain ${sci(torchF32vsF64.plain)})`);
    for (const g of GROUPS) {
      const s = step[g];
      console.log(`one AdamW step, ${g}: update rel err ${sci(s.updateRel)}, max|Δθ|/max|θ| ${sci(s.paramMaxRel)}, max|Δθ| = ${fmt(s.maxAbsOverLr, 3)}·lr, ${s.flipped} of ${theta[g].length} elements differ by > 0.1·lr`);
    }
  }
  if (o.keep) console.log(`peer input/output kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });

  if (profiled) {
    waitForQuiet(o.quietWaitS);
    res.profile = await profileTrainStep(model, opt, groups, theta, batch, o, 3, o.profileSteps);
    printProfile(res);
  }
  return res;
}

function printProfile(r: SizeResult): void {
  const p = r.profile!;
  console.log(`\nprofile (${r.size}; ORT enableProfiling, mean of ${o_profileRuns(p)} runs): session.run ${fmt(p.jsStep.medianMs)} ms median in JS, ` +
    `model_run ${fmt(p.runMs)} ms, sum of kernels ${fmt(p.kernelMs)} ms (${fmt(100 * p.kernelMs / p.runMs, 0)}% of model_run); ` +
    `other processes ${fmt(100 * p.foreign, 0)}% of the CPUs`);
  console.log(`  by role: ${p.byRole.map((x) => `${x.role} ${fmt(x.ms)} ms (${fmt(100 * x.share, 0)}%)`).join(', ')}`);
  console.log(`  AdamW${p.hostAdamW ? ' (its scalars only: the update runs on the host, after the run)' : ''}: ${fmt(p.adamw.ms)} ms in ${p.adamw.nodes} nodes; embedding gradient (zero V×D table + ScatterND): ${fmt(p.embedding.ms)} ms in ${p.embedding.nodes} nodes`);
  console.log(table(['op', 'ms/step', 'share', 'nodes', 'GFLOP/s'],
    p.byOp.slice(0, 14).map((x) => [x.op, fmt(x.ms, 2), `${fmt(100 * x.share, 1)}%`, String(x.count), fmt(x.gflops, 1)])));
  console.log(table(['node (role/op/output)', 'output shape', 'ms/step', 'share', 'GFLOP/s'],
    p.byNode.slice(0, 12).map((x) => [x.name, x.shape ?? '', fmt(x.ms, 2), `${fmt(100 * x.share, 1)}%`, fmt(x.gflops, 1)])));
  const t = r.torchProfile;
  if (t) {
    console.log(`\ntorch profile (${r.size}, ${t.variant}): phases (median ms) ` +
      Object.entries(t.phases_ms).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') + `; profiler self time ${fmt(t.self_total_ms)} ms/step`);
    console.log(table(['torch op', 'self ms/step', 'calls/step'], t.ops.slice(0, 12).map((x) => [x.op, fmt(x.ms, 2), String(x.count)])));
  }
}

function o_profileRuns(p: ProfileResult): number {
  return p.jsStep.steps;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  console.log(`train-step benchmark: onnxruntime-node ${ort.env.versions?.common ?? ''} CPU, ${o.threads} threads; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); ` +
    `node ${process.version}; sizes ${o.sizes.join(',')}; ${o.warmup} warm-up + ${o.steps} timed steps, ${o.rounds} round(s); ${new Date().toISOString()}`);
  const peerState: { missing: string | null } = { missing: o.peer ? null : 'disabled with --no-peer' };
  const results: SizeResult[] = [];
  for (const s of o.sizes) results.push(await benchSize(s, o, peerState));
  // Both sides' BLAS at full speed? The kernel each ran and a plain GEMM rate, measured here.
  const blas = results.find((r) => r.torchBlas)?.torchBlas;
  // at the peer's thread count, so the two rates compare
  const ortGemm = await ortGemmGflops(o.threads || os.cpus().length, blas?.gemm_n ?? 1024);
  const blasNote = blas && blas.core === null ? 'torch\'s BLAS is not OpenBLAS here (MKL, or a GPU): OPENBLAS_CORETYPE has no effect' : peerBlasEnv().note;
  console.log(`\nBLAS (${o.threads || os.cpus().length} threads): onnxruntime (MLAS) ${blas?.gemm_n ?? 1024}³ float32 MatMul ${ortGemm.toFixed(1)} GFLOP/s; torch peer ${blas ? `${blas.core ? `OpenBLAS kernel ${blas.core}` : 'BLAS'}, ${blas.gemm_n}³ sgemm ${blas.gemm_gflops.toFixed(1)} GFLOP/s` : 'not run'} (${blasNote}).`);

  console.log('\n## Results (ms per train step: forward + backward + clip + AdamW, float32)\n');
  console.log(table(
    ['size', 'params', 'GFLOP/step', 'ORT min', 'ORT median', 'torch min', 'torch median', 'torch/ORT (median)', 'ORT GFLOP/s', 'torch GFLOP/s', 'torch variant'],
    results.map((r) => [
      r.size,
      r.params.toLocaleString('en-US'),
      (r.flops / 1e9).toFixed(3),
      fmt(r.ort.timing.minMs),
      fmt(r.ort.timing.medianMs),
      fmt(r.torch?.timing.minMs),
      fmt(r.torch?.timing.medianMs),
      r.torch ? `${(r.torch.timing.medianMs / r.ort.timing.medianMs).toFixed(2)}x` : '-',
      fmt(r.flops / (r.ort.timing.medianMs * 1e6)),
      r.torch ? fmt(r.flops / (r.torch.timing.medianMs * 1e6)) : '-',
      r.torch?.best ?? '-',
    ]),
  ));
  if (results.some((r) => r.ortGraphAdamW.length)) {
    console.log('\n## AdamW on the host (fused WebAssembly pass) vs as graph nodes (ORT, ms per step, best round\'s median; rounds alternate graph, host)\n');
    console.log(table(
      ['size', 'AdamW in the graph', 'AdamW on the host', 'host speed-up', 'per round (graph / host)'],
      results.filter((r) => r.ortGraphAdamW.length).map((r) => {
        const graph = Math.min(...r.ortGraphAdamW.map((t) => t.medianMs));
        const host = r.ort.timing.medianMs;
        return [r.size, fmt(graph), fmt(host), `${(graph / host).toFixed(2)}x`, r.ortGraphAdamW.map((t, i) => `${fmt(t.medianMs)} / ${fmt(r.ort.rounds[i].medianMs)}`).join(', ')];
      }),
    ));
  }
  if (results.some((r) => r.floor)) {
    console.log('\n## The matrix-multiply floor (the step\'s Gemm/MatMul nodes alone, same shapes and flags; medians)\n');
    console.log(table(
      ['size', 'products', 'GFLOP', 'ORT step', 'ORT products alone', 'ORT rest of the step', 'torch step', 'torch products alone', 'best reachable torch/ORT'],
      results.filter((r) => r.floor).map((r) => {
        const f = r.floor!;
        return [r.size, String(f.ort.products), (f.ort.flops / 1e9).toFixed(3), fmt(f.ortStepMs), fmt(f.ort.medianMs),
          fmt(f.ortStepMs - f.ort.medianMs), fmt(r.torch?.timing.medianMs), fmt(f.torch?.medianMs), f.ceiling ? `${f.ceiling.toFixed(2)}x` : '-'];
      }),
    ));
    console.log('(best reachable: torch\'s step over ORT\'s products alone, i.e. the ratio if everything else in ORT\'s step cost nothing)');
  }
  if (results.some((r) => r.parity)) {
    console.log('\n## Parity (ORT vs torch, same weights and batch)\n');
    console.log(table(
      ['size', 'loss f64', 'loss f32', 'step loss f32', 'grad f64 decay', 'grad f64 plain', 'grad f32 decay', 'grad f32 plain', 'torch f32 vs f64 (decay/plain)', 'AdamW update decay', 'AdamW update plain', 'max|Δθ|/max|θ|'],
      results.filter((r) => r.parity).map((r) => {
        const p = r.parity!;
        return [r.size, sci(p.lossF64), sci(p.lossF32), sci(p.lossStepF32), sci(p.gradF64.decay), sci(p.gradF64.plain), sci(p.gradF32.decay), sci(p.gradF32.plain),
          `${sci(p.torchF32vsF64.decay)} / ${sci(p.torchF32vsF64.plain)}`, sci(p.step.decay.updateRel), sci(p.step.plain.updateRel), sci(Math.max(p.step.decay.paramMaxRel, p.step.plain.paramMaxRel))];
      }),
    ));
    console.log('(loss: |l_ort − l_torch| / |l_torch|; grad and update: ‖a_ort − a_torch‖₂ / ‖a_torch‖₂ per group)');
  }
  if (peerState.missing && o.peer) {
    console.log('\nPEER MISSING: the PyTorch peer could not run, so only ORT numbers are shown.');
    console.log('Install it with `bash scripts/setup-system.sh --torch` (or `apt-get install -y python3-torch libopenblas0-openmp python3-numpy`);');
    console.log('the peer runs with /usr/bin/python3 (override with JEST_PEER_PYTHON).');
  }
  if (o.out) {
    fs.writeFileSync(o.out, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, options: o, results }, null, 1));
    console.log(`\nwrote ${o.out}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
