// GPU vs CPU: ms per train step on every execution provider that loads here (issue 7).
//   npm run bench:device [-- --sizes small,medium,large] [--devices cpu,webgpu,cuda] [--steps 20] [--threads T] [--no-peer] [--profile] [--quick]
// For each size and device: TrainingSession.create (the same graph, weights and batch), one
// untimed step (graph + session build), W warm-up steps, then N timed runTrainStep calls; prints
// min / median ms per step, the ratio to the CPU in the same run, where the carried state lives
// between steps ('gpu-buffer' on a GPU provider: IO binding keeps θ, m and v on the device) and
// the loss after the timed steps next to the CPU's (the same computation on another device).
// Then the PyTorch peer (bench/peer/siglip_torch.py) times the same step from the same weights and
// batch: on the CPU with the same thread count, and with --device cuda where torch sees a CUDA GPU
// (Debian's python3-torch has none; JEST_PEER_PYTHON picks another interpreter). Each ORT device is
// compared with the torch device of its kind: ORT cpu with torch cpu, ORT webgpu / cuda with torch cuda.
// --profile: then, per size and device, where the step's time goes (bench/step-profile.ts): kernel
// calls' CPU time and, on WebGPU, the device's own busy time per op type.
// A device that does not load is reported with its reason (e.g. the CUDA opt-in not installed),
// not skipped silently. On a machine without a GPU, webgpu runs on Mesa's lavapipe (software
// Vulkan): that proves the GPU code path, and its milliseconds are not a GPU's.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DEFAULT_ADAMW } from '../src/model/adamw';
import type { ModelConfig } from '../src/model/config';
import { flatLayout, initParams, parameterCount } from '../src/model/layout';
import { modelParams } from '../src/model/siglip';
import { probeDevice, type ResolvedDevice } from '../src/runtime/device';
import { TrainingSession } from '../src/runtime/training-session';
import { type PeerTiming, SIZES, batchData, runPeer, writePeerInput } from './step.bench';
import { formatProfile, profileTrainStep } from './step-profile';

interface Options {
  sizes: string[];
  devices: ResolvedDevice[];
  steps: number;
  warmup: number;
  batch: number;
  threads: number;
  peer: boolean;
  profile: boolean;
}

function parse(argv: string[]): Options {
  const o: Options = { sizes: ['small', 'medium', 'large'], devices: ['cpu', 'webgpu', 'cuda'], steps: 20, warmup: 3, batch: 64, threads: 2, peer: true, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i] ?? '';
    if (a === '--sizes') o.sizes = v().split(',').filter(Boolean);
    else if (a === '--devices') o.devices = v().split(',').filter(Boolean) as ResolvedDevice[];
    else if (a === '--steps') o.steps = Number(v());
    else if (a === '--warmup') o.warmup = Number(v());
    else if (a === '--batch') o.batch = Number(v());
    else if (a === '--threads') o.threads = Number(v());
    else if (a === '--no-peer') o.peer = false;
    else if (a === '--profile') o.profile = true;
    else if (a === '--quick') Object.assign(o, { sizes: ['small'], steps: 5, warmup: 1 });
    else throw new Error(`unknown flag ${a}: --sizes, --devices, --steps, --warmup, --batch, --threads, --no-peer, --profile, --quick`);
  }
  for (const s of o.sizes) if (!SIZES[s]) throw new Error(`unknown size ${s}: ${Object.keys(SIZES).join(', ')}`);
  for (const d of o.devices) if (!['cpu', 'webgpu', 'cuda'].includes(d)) throw new Error(`unknown device ${d}: cpu, webgpu, cuda`);
  return o;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The GPU's name when nvidia-smi is there (the docs record numbers with the card's name). */
function gpuName(): string | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : null;
}

const LR = 1e-3;
const batchOf = (model: ModelConfig, o: Options) => batchData(model, o.batch, 7);

async function timeDevice(model: ModelConfig, device: ResolvedDevice, o: Options): Promise<{ min: number; median: number; loss: number; state: string }> {
  const session = await TrainingSession.create({
    model,
    optimizer: DEFAULT_ADAMW,
    params: initParams(flatLayout(modelParams(model)), 1),
    runtime: { device, threads: o.threads, spinning: device === 'cpu' },
  });
  const { pixels, tokens } = batchOf(model, o);
  const b = { images: [{ patchSize: model.patchSizes[0], pixels }], tokens };
  try {
    await session.runTrainStep(b, LR);
    for (let i = 0; i < o.warmup; i++) await session.runTrainStep(b, LR);
    const times: number[] = [];
    let loss = NaN;
    for (let i = 0; i < o.steps; i++) {
      const t0 = performance.now();
      const r = await session.runTrainStep(b, LR);
      times.push(performance.now() - t0);
      loss = r.loss;
    }
    return { min: Math.min(...times), median: median(times), loss, state: session.stateLocation };
  } finally {
    await session.release();
  }
}

/**
 * The torch peer on the same step: CPU (same threads) when ORT's CPU ran, CUDA when a GPU is
 * there. ORT's speed against it is torch's median over ORT's, per kind of device (>1: ORT faster).
 */
function torchPeer(o: Options, gpu: string | null, ortMedians: Map<string, Map<ResolvedDevice, number>>): void {
  const kinds: ('cpu' | 'cuda')[] = [];
  if (o.devices.includes('cpu')) kinds.push('cpu');
  if (gpu && o.devices.some((d) => d !== 'cpu')) kinds.push('cuda');
  const missing = new Set<string>();
  console.log('\n| size | torch on | torch (best variant) | min ms | median ms | ORT on | ORT median ms | ORT speed vs torch |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const size of o.sizes) {
    const model = SIZES[size];
    const layout = flatLayout(modelParams(model));
    const dir = writePeerInput(size, {
      model, optimizer: DEFAULT_ADAMW, batch: o.batch, patchSize: model.patchSizes[0], lr: LR, steps: o.steps, warmup: o.warmup, threads: o.threads,
    }, layout, initParams(layout, 1), batchOf(model, o));
    try {
      for (const kind of kinds) {
        if (missing.has(kind)) continue;
        const p = runPeer(dir, o.threads, ['--no-parity', '--device', kind]);
        if (!p.ok) {
          // a missing torch (or CUDA) stays missing: say it once, not per size
          if (p.missing) missing.add(kind);
          const lines = p.message.trim().split('\n');
          const why = p.missing ? lines[0].replace(/^PEER MISSING: /, '') : `${lines[0]} ${lines.at(-1)}`;
          console.log(`| ${size} | ${kind} | ${p.missing ? 'PEER MISSING' : 'PEER FAILED'}: ${why} | | | | | |`);
          continue;
        }
        const [variant, t] = Object.entries(p.out.timings ?? {}).sort((a, b) => a[1].median_ms - b[1].median_ms)[0] as [string, PeerTiming];
        const versus = ortMedians.get(size)!;
        const row = `| ${size} | ${kind === 'cuda' ? p.out.device ?? 'cuda' : 'cpu'} | torch ${p.out.torch} (${variant}) | ${t.min_ms.toFixed(1)} | ${t.median_ms.toFixed(1)} |`;
        const peers = (kind === 'cpu' ? ['cpu' as const] : o.devices.filter((x) => x !== 'cpu')).filter((d) => versus.has(d));
        // torch's GPU row is printed even when no ORT GPU provider loaded: it is the number to beat.
        if (!peers.length) console.log(`${row} (none loaded) | | |`);
        for (const d of peers) console.log(`${row} ${d} | ${versus.get(d)!.toFixed(1)} | ${(t.median_ms / versus.get(d)!).toFixed(2)}x |`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const gpu = gpuName();
  console.log(`bench:device: ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, GPU: ${gpu ?? 'none (nvidia-smi not found)'}; batch ${o.batch}, ${o.steps} timed steps after ${o.warmup} warm-up`);
  const available = new Map<ResolvedDevice, string | null>();
  for (const d of o.devices) available.set(d, d === 'cpu' ? null : await probeDevice(d));
  for (const [d, why] of available) if (why) console.log(`  ${d}: not available here: ${why}`);
  const lavapipe = available.get('webgpu') === null && !gpu;
  console.log('\n| size | params | device | min ms | median ms | vs CPU (median) | state between steps | loss after | loss vs CPU |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const ortMedians = new Map<string, Map<ResolvedDevice, number>>();
  for (const size of o.sizes) {
    const model = SIZES[size];
    const params = parameterCount(flatLayout(modelParams(model)));
    let cpu: { median: number; loss: number } | undefined;
    ortMedians.set(size, new Map());
    for (const d of o.devices) {
      if (available.get(d)) continue;
      const r = await timeDevice(model, d, o);
      ortMedians.get(size)!.set(d, r.median);
      if (d === 'cpu') cpu = r;
      const label = d === 'webgpu' && lavapipe ? 'webgpu (lavapipe, software)' : d;
      const ratio = d === 'cpu' ? '1x' : cpu ? `${(cpu.median / r.median).toFixed(2)}x` : '';
      const dl = cpu ? Math.abs(r.loss - cpu.loss) / Math.abs(cpu.loss) : NaN;
      console.log(`| ${size} | ${params.toLocaleString('en-US')} | ${label} | ${r.min.toFixed(1)} | ${r.median.toFixed(1)} | ${ratio} | ${r.state} | ${r.loss.toFixed(5)} | ${d === 'cpu' || !cpu ? '' : dl.toExponential(1)} |`);
    }
  }
  if (o.peer) torchPeer(o, gpu, ortMedians);
  if (o.profile) {
    console.log(`\nWhere the step goes (onnxruntime's session profile, ${o.steps} runs after one untimed; the train-step graph with AdamW inside, on every device):`);
    for (const size of o.sizes) {
      for (const d of o.devices) {
        if (available.get(d)) continue;
        const p = await profileTrainStep(SIZES[size], d, batchOf(SIZES[size], o), o.batch, o.threads, o.steps);
        console.log(formatProfile(size, d, p, ortMedians.get(size)?.get(d)));
      }
    }
  }
  if (lavapipe) console.log('\nwebgpu ran on lavapipe (a CPU implementation of Vulkan): it checks the GPU path, not GPU speed.');
  if (!fs.existsSync('/dev/nvidia0')) console.log('No NVIDIA device here: CUDA numbers need a GPU machine (docs/packaging.md: the CUDA opt-in).');
}

main().catch((e: Error) => {
  console.error(`bench:device: ${e.message}`);
  process.exit(1);
});
