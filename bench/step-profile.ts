// Where a train step's time goes on one execution provider, from onnxruntime's session profile
// (used by `npm run bench:device -- --profile`).
//
// The train-step graph (forward, backward, AdamW: the GPU path's graph) runs in a plain
// InferenceSession with profiling on. Two kinds of profile event are summed per op type:
//  - 'Node' events: the host's wall time in each kernel call. On a GPU provider that is the
//    dispatch (and any copy that waits for the device); on the CPU it is the kernel itself.
//  - 'Api' events, which the WebGPU provider writes with the GPU's own timestamps for each
//    dispatched program: the device's busy time.
// A step whose GPU time is well below its wall time is bound by dispatch, not by the device.
// On the CPU this is the graph with AdamW inside, not the runtime's gradient step + host AdamW.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEFAULT_ADAMW } from '../src/model/adamw';
import type { ModelConfig } from '../src/model/config';
import { WEBGPU_MAX_FANOUT, buildTrainStep } from '../src/model/graphs';
import { initParams } from '../src/model/layout';
import { serialize } from '../src/onnx';
import { type ResolvedDevice, sessionOptions } from '../src/runtime/device';

export interface StepProfile {
  /** Wall ms per profiled run (median, and mean). Slower than a TrainingSession step: this session
   * takes its state from and returns it to the host, and profiling adds its own cost. */
  wallMs: number;
  meanWallMs: number;
  /** Per run: the host's ms inside kernel calls, summed, and their count. */
  cpuMs: number;
  kernels: number;
  /** Per run: summed device ms and dispatch count (WebGPU only; null where the provider writes none). */
  gpuMs: number | null;
  dispatches: number;
  /** Per op type, ms per run, largest first. */
  cpuByOp: [string, number][];
  gpuByOp: [string, number][];
}

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; provider?: string };
}

export async function profileTrainStep(model: ModelConfig, device: ResolvedDevice, batch: { pixels: Uint8Array; tokens: Int32Array }, batchSize: number, threads: number, runs: number): Promise<StepProfile> {
  if (!(runs >= 1)) throw new Error(`profileTrainStep: runs must be at least 1, got ${runs}`);
  const built = buildTrainStep(model, DEFAULT_ADAMW, [{ patchSize: model.patchSizes[0], count: batchSize }], 'float32', device === 'webgpu' ? WEBGPU_MAX_FANOUT : Infinity);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-profile-'));
  try {
    const theta = initParams(built.layout, 1);
    const feeds: Record<string, ort.Tensor> = {};
    for (const v of built.graph.inputs) {
      const n = v.shape.reduce((a, b) => a * b, 1);
      const [kind, group] = v.name.split('.') as [string, 'decay' | 'plain'];
      const data = v.name === 'images.0' ? batch.pixels
        : v.name === 'tokens' ? batch.tokens
        : kind === 'theta' ? theta[group]
        : kind === 'm' || kind === 'v' ? new Float32Array(n)
        : v.name === 'lr' ? Float32Array.of(1e-3)
        : v.name === 'step' ? Float32Array.of(1)
        : null;
      if (!data) throw new Error(`profileTrainStep: no feed for the train step's input ${v.name}`);
      feeds[v.name] = new ort.Tensor(v.dtype as 'float32', data, [...v.shape]);
    }
    const session = await ort.InferenceSession.create(serialize(built.graph), {
      ...sessionOptions(device, threads),
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'step'),
    });
    // The first run compiles shaders and plans memory: it runs before profiling starts counting.
    await session.run(feeds);
    const walls: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      walls.push(performance.now() - t0);
    }
    session.endProfiling();
    await session.release();
    const file = fs.readdirSync(dir).map((f) => path.join(dir, f)).filter((f) => f.endsWith('.json')).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    if (!file) throw new Error(`onnxruntime wrote no profile into ${dir}`);
    return summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[], runs + 1, walls, device);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Sums the events of the `total` runs but the first, per run (`walls`: those runs' wall ms). */
function summarise(events: ProfileEvent[], total: number, walls: number[], device: ResolvedDevice): StepProfile {
  // Events carry no run index, and the first run's (shader compilation) would dominate. Runs are
  // told apart by order: every run of a static graph emits the same kernel events, so the first
  // 1/total of each kind is the first run's. A count that does not divide means that no longer
  // holds, and the sums would be wrong.
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const apis = events.filter((e) => e.cat === 'Api');
  for (const [kind, xs] of [['kernel', nodes], ['device', apis]] as const) {
    if (xs.length % total !== 0) throw new Error(`profile: ${xs.length} ${kind} events for ${total} runs: runs differ, cannot tell them apart`);
  }
  const later = <T>(xs: T[]) => xs.slice(xs.length / total);
  const runs = total - 1;
  const byOp = (xs: ProfileEvent[], key: (e: ProfileEvent) => string) => {
    const m = new Map<string, number>();
    for (const e of xs) m.set(key(e), (m.get(key(e)) ?? 0) + e.dur / 1e3 / runs);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  const cpu = later(nodes);
  const gpu = later(apis);
  const sum = (xs: ProfileEvent[]) => xs.reduce((s, e) => s + e.dur, 0) / 1e3 / runs;
  return {
    wallMs: [...walls].sort((a, b) => a - b)[walls.length >> 1],
    meanWallMs: walls.reduce((a, b) => a + b, 0) / walls.length,
    cpuMs: sum(cpu),
    kernels: cpu.length / runs,
    gpuMs: gpu.length ? sum(gpu) : null,
    dispatches: gpu.length / runs,
    // on a GPU provider, '(cpu)' marks the nodes onnxruntime placed on the CPU instead
    cpuByOp: byOp(cpu, (e) => (e.args?.op_name ?? '?') + (device !== 'cpu' && e.args?.provider === 'CPUExecutionProvider' ? ' (cpu)' : '')),
    // the WebGPU provider names them '<node name>&<op type>&<program>'
    gpuByOp: byOp(gpu, (e) => e.name.split('&')[1] || '?'),
  };
}

/** One line per size and device, then the top op types; `timedMs`: the same step's time in a TrainingSession. */
export function formatProfile(size: string, device: string, p: StepProfile, timedMs?: number, top = 8): string {
  const share = (xs: [string, number][], total: number) => xs.slice(0, top).map(([k, ms]) => `${k} ${ms.toFixed(2)} ms (${((100 * ms) / total).toFixed(0)}%)`).join(', ');
  const lines = [
    `${size} on ${device}: profiled run ${p.wallMs.toFixed(1)} ms (state via the host); in kernel calls ${p.cpuMs.toFixed(1)} ms over ${p.kernels.toFixed(0)} nodes` +
      (p.gpuMs === null ? '' : `; device busy ${p.gpuMs.toFixed(1)} ms over ${p.dispatches.toFixed(0)} dispatches` +
        (timedMs ? ` (${((100 * p.gpuMs) / timedMs).toFixed(0)}% of the timed step's ${timedMs.toFixed(1)} ms)` : '')),
    `  CPU by op: ${share(p.cpuByOp, p.cpuMs)}`,
  ];
  if (p.gpuMs !== null) lines.push(`  device by op: ${share(p.gpuByOp, p.gpuMs)}`);
  return lines.join('\n');
}
