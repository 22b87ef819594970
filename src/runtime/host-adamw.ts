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

export class HostAdamW implements StateStore {
  private readonly views: Record<Group, GroupViews>;
  private readonly thetaTensors: Record<string, ort.Tensor>;
  private readonly gradTensors: Record<string, ort.Tensor>;
  private readonly kernel: AdamWExports;
  /** Whether onnxruntime wrote the gradient into our fetch buffers (known after the first step). */
  private gradientsLandInPlace: boolean | null = null;

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
    this.kernel = new WebAssembly.Instance(adamwModule(), { env: { memory } }).exports as unknown as AdamWExports;
    // The memory never grows after this point, so these views stay attached.
    let offset = 0;
    const take = (n: number): Float32Array => {
      const a = new Float32Array(memory.buffer, offset, n);
      offset += align4(n) * 4;
      return a;
    };
    this.views = {} as Record<Group, GroupViews>;
    for (const g of GROUPS) this.views[g] = { theta: take(sizes[g]), m: take(sizes[g]), v: take(sizes[g]), grad: take(sizes[g]) };
    // A NaN payload no float arithmetic produces: the first commit tells a written buffer from an untouched one.
    for (const g of GROUPS) new Uint32Array(memory.buffer, this.views[g].grad.byteOffset, sizes[g]).fill(0x7fc0_5a5a);
    this.thetaTensors = {};
    this.gradTensors = {};
    for (const g of GROUPS) {
      this.thetaTensors[`theta.${g}`] = new ort.Tensor('float32', this.views[g].theta, [sizes[g]]);
      this.gradTensors[`grad.${g}`] = new ort.Tensor('float32', this.views[g].grad, [sizes[g]]);
    }
    this.write(initial);
  }

  feeds(): Record<string, ort.Tensor> {
    return this.thetaTensors;
  }

  fetches(): Record<string, ort.Tensor | null> {
    return { ...this.gradTensors, 'adamw.scalars': null };
  }

  commit(results: ort.InferenceSession.ReturnType): void {
    if (this.gradientsLandInPlace === null) {
      // onnxruntime writes a fetch into the buffer we passed (and returns a copy of it). Check it
      // once, fully, against buffers that held a sentinel before the run; copy from then on if a
      // binding ever stops doing so.
      this.gradientsLandInPlace = GROUPS.every((g) => sameBits(results[`grad.${g}`].data as Float32Array, this.views[g].grad));
    }
    if (!this.gradientsLandInPlace) for (const g of GROUPS) this.views[g].grad.set(results[`grad.${g}`].data as Float32Array);
    const s = results['adamw.scalars'].data as Float32Array;
    const at = (k: (typeof ADAMW_SCALARS)[number]) => s[ADAMW_SCALARS.indexOf(k)];
    for (const g of GROUPS) {
      const v = this.views[g];
      this.kernel.adamw(
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
    const out: StateValues = {};
    for (const g of GROUPS) {
      out[`theta.${g}`] = Float32Array.from(this.views[g].theta);
      out[`m.${g}`] = Float32Array.from(this.views[g].m);
      out[`v.${g}`] = Float32Array.from(this.views[g].v);
    }
    return out;
  }

  write(values: StateValues): void {
    for (const g of GROUPS) {
      for (const s of ['theta', 'm', 'v'] as const) {
        const name = `${s}.${g}`;
        const src = values[name];
        const dst = this.views[g][s];
        if (!src || src.length !== dst.length) throw new Error(`state ${name}: expected ${dst.length} values, got ${src?.length ?? 'none'}`);
        dst.set(src);
      }
    }
  }

  dispose(): void {
    // The memory goes with the object; nothing is held outside it.
  }
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
