// Execution providers: which device a session runs on, and clear errors when one is missing.
//
// onnxruntime-node's Linux x64 package contains the CPU and WebGPU (Dawn over Vulkan) providers;
// the CUDA provider is an opt-in download. Neither GPU provider falls back to the CPU by itself,
// so `auto` probes them with a tiny session and says which one it took.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Graph, op, serialize } from '../onnx';

export type Device = 'auto' | 'cpu' | 'cuda' | 'webgpu';
export type ResolvedDevice = Exclude<Device, 'auto'>;
export const DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda', 'webgpu'];

export interface RuntimeOptions {
  device: Device;
  /** Intra-op threads per session; 0 lets onnxruntime choose (one per core). */
  threads: number;
  /**
   * Let onnxruntime's worker threads spin between kernels. Faster when one session has the cores
   * to itself (uniform training); off by default because JEST alternates several sessions
   * (learner scoring, train step) whose spinning threads then steal each other's cores.
   */
  spinning?: boolean;
  /**
   * CPU only: run AdamW's elementwise update on the host (one fused WebAssembly pass over the flat
   * vectors, runtime/host-adamw.ts) instead of in the graph. Default true; the result is
   * bit-identical either way (tested on x86-64), the host path avoids copying θ', m', v' out of
   * onnxruntime.
   */
  hostAdamW?: boolean;
}

export const DEFAULT_RUNTIME: RuntimeOptions = { device: 'cpu', threads: 0 };

export class DeviceUnavailableError extends Error {
  constructor(
    readonly device: ResolvedDevice,
    cause: string,
  ) {
    super(`${device} execution provider is not available: ${cause.split('\n')[0]}\n${HOW_TO_INSTALL[device]}`);
    this.name = 'DeviceUnavailableError';
  }
}

const HOW_TO_INSTALL: Record<ResolvedDevice, string> = {
  cpu: 'The CPU provider ships inside onnxruntime-node; reinstall it with `npm ci`.',
  cuda:
    'Install the CUDA provider (needs CUDA 12 and cuDNN 9 on this machine and internet access once): ' +
    '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`, or set device to "cpu" or "webgpu".',
  webgpu:
    'WebGPU runs over Vulkan: install a Vulkan driver for your GPU (NVIDIA/AMD/Intel), or for a software ' +
    'device Mesa lavapipe 25+ (`bash scripts/setup-system.sh --vulkan`), or set device to "cpu".',
};

/** Session options shared by every session (spinning: see RuntimeOptions.spinning). */
export function sessionOptions(device: ResolvedDevice, threads: number, spinning = false): ort.InferenceSession.SessionOptions {
  const spin = spinning ? '1' : '0';
  return {
    executionProviders: [device],
    // 0 = leave it to onnxruntime (one thread per core); the binding rejects an explicit undefined
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // With spinning on, the learner-scoring, train-step and reference sessions steal each other's
    // cores on a 2-core machine (measured: a JEST step 79 ms instead of 35).
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/**
 * Why the CUDA provider cannot load, when its library is simply not installed; null when it is,
 * or when onnxruntime-node's binary folder cannot be found (then the probe session decides).
 * Checked before the probe because a probe session for a missing library makes onnxruntime print
 * a red "[E:onnxruntime ...] Failed to load library libonnxruntime_providers_shared.so" on every
 * `auto` run of a machine without the opt-in.
 */
function cudaLibraryMissing(): string | null {
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
  if (!fs.existsSync(dir)) return null;
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return fs.existsSync(path.join(dir, lib)) ? null : `${lib} is not installed (looked in ${dir})`;
}

const probed = new Map<ResolvedDevice, Promise<string | null>>();

/** null when the provider can create and run a session here, else the reason it cannot. */
export function probeDevice(device: ResolvedDevice): Promise<string | null> {
  let p = probed.get(device);
  if (!p) {
    p = (async () => {
      if (device === 'cuda') {
        const missing = cudaLibraryMissing();
        if (missing) return missing;
      }
      const g = new Graph('float32', 'probe');
      const x = g.input('x', [2, 2]);
      g.output(op.matmul(x, x), 'y');
      try {
        const s = await ort.InferenceSession.create(serialize(g), sessionOptions(device, 1));
        await s.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [2, 2]) });
        await s.release();
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    probed.set(device, p);
  }
  return p;
}

/**
 * The device to use. `auto` takes CUDA, then WebGPU, then the CPU; an explicit GPU that cannot
 * load throws DeviceUnavailableError with the install step.
 */
export async function resolveDevice(requested: Device): Promise<{ device: ResolvedDevice; note: string }> {
  if (!DEVICES.includes(requested)) throw new Error(`device must be one of ${DEVICES.join(', ')}; got "${requested}"`);
  if (requested !== 'auto') {
    const why = await probeDevice(requested);
    if (why) throw new DeviceUnavailableError(requested, why);
    return { device: requested, note: `using ${requested}` };
  }
  const skipped: string[] = [];
  for (const d of ['cuda', 'webgpu'] as const) {
    if (d === 'webgpu' && !hasGpuDeviceNode()) {
      // Only a software Vulkan driver (lavapipe) could answer: 20-40x slower than the CPU provider.
      skipped.push('webgpu (no GPU device node: a Vulkan adapter here would be a software one)');
      continue;
    }
    const why = await probeDevice(d);
    if (!why) return { device: d, note: `auto: using ${d}` };
    skipped.push(`${d} (${why.split('\n')[0].slice(0, 120)})`);
  }
  return { device: 'cpu', note: `auto: using cpu; no GPU provider loaded: ${skipped.join('; ')}` };
}

/** Linux: a GPU shows up as /dev/nvidia0 or a DRM render node. Elsewhere we cannot tell: assume yes. */
function hasGpuDeviceNode(): boolean {
  if (process.platform !== 'linux') return true;
  if (fs.existsSync('/dev/nvidia0')) return true;
  try {
    return fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}
