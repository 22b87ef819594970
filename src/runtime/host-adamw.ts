// The CPU's train-step state: θ, m, v and the step's gradient, per group, in ONE WebAssembly
// memory, updated in place by the fused AdamW kernel (adamw.wat).
//
// Why not in the graph, as on GPUs: onnxruntime-node 1.30 copies every output into a fresh
// buffer, even when a pre-allocated one is passed as a fetch (it writes into ours, then copies
// it). A step returning θ', m', v' paid three parameter-sized copies plus AdamW as ~25 separate
// passes. Now the step returns one gradient (written straight into this memory through the
// fetch) and the update is one pass. θ crosses into onnxruntime as views of this memory: inputs
// are never copied.
import * as ort from 'onnxruntime-node';
import { ADAMW_WASM_BASE64 } from './adamw-wasm';
import { ADAMW_SCALARS } from '../model/graphs';
import { GROUPS, Group } from '../model/layout';
import { StateStore, StateValues } from './state';

interface AdamWExports {
  adamw(theta: number, m: number, v: number, g: number, n: number, b1: number, b2: number, c1: number, c2: number, epsHat: number, stepSize: number, keep: number): void;
}

interface GroupViews {
  theta: Float32Array;
  m: Float32Array;
  v: Float32Array;
  grad: Float32Array;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB; 16 bytes per parameter (θ, m, v, g) caps this store at ~268M parameters. */
const MAX_BYTES = 65536 * PAGE;

let compiled: WebAssembly.Module | null = null;

function adamwModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(ADAMW_WASM_BASE64, 'base64'));
  return compiled;
}

/** Bytes the store needs for `sizes` (each vector 16-byte aligned for the SIMD loads). */
export function hostAdamWBytes(sizes: Record<Group, number>): number {
  return GROUPS.reduce((s, g) => s + 4 * align4(sizes[g]) * 4, 0);
}

/** Whether a model of these group sizes fits one WebAssembly memory. */
export function hostAdamWFits(sizes: Record<Group, number>): boolean {
  return hostAdamWBytes(sizes) <= MAX_BYTES;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** A NaN payload no float arithmetic produces, written where the gradient will land (see commit). */
const SENTINEL = 0x7fc0_5a5a;

interface Live {
  views: Record<Group, GroupViews>;
  /** The same gradient buffers as raw bits, for the sentinel. */
  gradBits: Record<Group, Uint32Array>;
  thetaTensors: Record<string, ort.Tensor>;
  gradTensors: Record<string, ort.Tensor>;
  kernel: AdamWExports;
}

export class HostAdamW implements StateStore {
  private live: Live | null;
  private copies = 0;

  /** `beta1`, `beta2`: the optimizer's; the per-step scalars come from the graph. */
  constructor(
    sizes: Record<Group, number>,
    initial: StateValues,
    private readonly beta1: number,
    private readonly beta2: number,
  ) {
    const bytes = hostAdamWBytes(sizes);
    if (!hostAdamWFits(sizes)) throw new Error(`host AdamW: ${bytes} bytes of state exceed WebAssembly's 4 GiB`);
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const kernel = new WebAssembly.Instance(adamwModule(), { env: { memory } }).exports as unknown as AdamWExports;
    // The memory never grows after this point, so these views stay attached.
    let offset = 0;
    const take = (n: number): Float32Array => {
      const a = new Float32Array(memory.buffer, offset, n);
      offset += align4(n) * 4;
      return a;
    };
    const views = {} as Record<Group, GroupViews>;
    const gradBits = {} as Record<Group, Uint32Array>;
    const thetaTensors: Record<string, ort.Tensor> = {};
    const gradTensors: Record<string, ort.Tensor> = {};
    for (const g of GROUPS) {
      const v = (views[g] = { theta: take(sizes[g]), m: take(sizes[g]), v: take(sizes[g]), grad: take(sizes[g]) });
      gradBits[g] = new Uint32Array(memory.buffer, v.grad.byteOffset, sizes[g]);
      thetaTensors[`theta.${g}`] = new ort.Tensor('float32', v.theta, [sizes[g]]);
      gradTensors[`grad.${g}`] = new ort.Tensor('float32', v.grad, [sizes[g]]);
    }
    this.live = { views, gradBits, thetaTensors, gradTensors, kernel };
    this.write(initial);
  }

  /** Steps whose gradient onnxruntime did not write into our buffer, so that it was copied (0 with onnxruntime-node 1.30). */
  get gradientCopies(): number {
    return this.copies;
  }

  private get state(): Live {
    if (!this.live) throw new Error('host AdamW state used after the training session was released');
    return this.live;
  }

  feeds(): Record<string, ort.Tensor> {
    return this.state.thetaTensors;
  }

  fetches(): Record<string, ort.Tensor | null> {
    // onnxruntime writes a fetch into the buffer we pass (and returns a copy of it). A sentinel in
    // each buffer's last element tells, after the run, whether it did: one element per step.
    for (const g of GROUPS) {
      const bits = this.state.gradBits[g];
      if (bits.length) bits[bits.length - 1] = SENTINEL;
    }
    return { ...this.state.gradTensors, 'adamw.scalars': null };
  }

  commit(results: ort.InferenceSession.ReturnType): void {
    const { views, gradBits, kernel } = this.state;
    let copied = false;
    for (const g of GROUPS) {
      const bits = gradBits[g];
      if (bits.length && bits[bits.length - 1] === SENTINEL) {
        views[g].grad.set(results[`grad.${g}`].data as Float32Array);
        copied = true;
      }
    }
    if (copied) this.copies++;
    const s = results['adamw.scalars'].data as Float32Array;
    const at = (k: (typeof ADAMW_SCALARS)[number]) => s[ADAMW_SCALARS.indexOf(k)];
    for (const g of GROUPS) {
      const v = views[g];
      kernel.adamw(
        v.theta.byteOffset,
        v.m.byteOffset,
        v.v.byteOffset,
        v.grad.byteOffset,
        v.theta.length,
        this.beta1,
        this.beta2,
        at('c1'),
        at('c2'),
        at('epsHat'),
        at('stepSize'),
        // only matrices decay; θ·1 is exact, so the plain group runs the same code
        g === 'decay' ? at('keep') : 1,
      );
    }
  }

  async read(): Promise<StateValues> {
    const { views } = this.state;
    const out: StateValues = {};
    for (const g of GROUPS) {
      out[`theta.${g}`] = Float32Array.from(views[g].theta);
      out[`m.${g}`] = Float32Array.from(views[g].m);
      out[`v.${g}`] = Float32Array.from(views[g].v);
    }
    return out;
  }

  write(values: StateValues): void {
    const { views } = this.state;
    for (const g of GROUPS) {
      for (const s of ['theta', 'm', 'v'] as const) {
        const name = `${s}.${g}`;
        const src = values[name];
        const dst = views[g][s];
        if (!src || src.length !== dst.length) throw new Error(`state ${name}: expected ${dst.length} values, got ${src?.length ?? 'none'}`);
        dst.set(src);
      }
    }
  }

  /** Drops the memory (up to 4 GiB): nothing may use the store afterwards. */
  dispose(): void {
    this.live = null;
  }
}
