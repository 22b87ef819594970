// Where the train step's carried state (θ, m, v per group) lives between steps.
//
// CPU with AdamW in the graph (models past the host update's 4 GiB, or runtime.hostAdamW false):
// two pre-allocated sets of buffers, ping-ponged. ORT writes each step's outputs into the spare set
// (passed as fetches), then the sets swap roles; onnxruntime-node 1.30 still copies each output
// into a fresh buffer for run()'s return value, which is why the CPU normally uses host-adamw.ts.
// GPU (WebGPU): outputs stay on the device ('gpu-buffer') and are fed back as the next step's
// inputs; the host sees them only when asked, through a read-back session (calling getData() on a
// device tensor aborts the process in onnxruntime-node 1.30, so we never do).
import * as ort from 'onnxruntime-node';

export type StateValues = Record<string, Float32Array>;

export interface StateStore {
  /** The current state, keyed by the train step's input names. */
  feeds(): Record<string, ort.Tensor>;
  /** Where the step's state outputs go (a pre-allocated tensor, or null for device outputs). */
  fetches(): Record<string, ort.Tensor | null>;
  /** Adopt the step's outputs as the current state. */
  commit(results: ort.InferenceSession.ReturnType): void;
  /** A host copy of the current state. */
  read(): Promise<StateValues>;
  /** Replace the current state (same sizes). */
  write(values: StateValues): void;
  dispose(): void;
}

/** pairs: [input name, output name] for each carried tensor. */
export class CpuPingPong implements StateStore {
  private current: Record<string, ort.Tensor> = {};
  private spare: Record<string, ort.Tensor> = {};

  constructor(
    private readonly pairs: [string, string][],
    initial: StateValues,
  ) {
    for (const [input] of pairs) {
      const v = initial[input];
      if (!v) throw new Error(`initial state lacks ${input}`);
      this.current[input] = new ort.Tensor('float32', Float32Array.from(v), [v.length]);
      this.spare[input] = new ort.Tensor('float32', new Float32Array(v.length), [v.length]);
    }
  }

  feeds(): Record<string, ort.Tensor> {
    return this.current;
  }

  fetches(): Record<string, ort.Tensor | null> {
    const f: Record<string, ort.Tensor | null> = {};
    for (const [input, output] of this.pairs) f[output] = this.spare[input];
    return f;
  }

  commit(): void {
    [this.current, this.spare] = [this.spare, this.current];
  }

  async read(): Promise<StateValues> {
    const out: StateValues = {};
    for (const [input] of this.pairs) out[input] = Float32Array.from(this.current[input].data as Float32Array);
    return out;
  }

  write(values: StateValues): void {
    for (const [input] of this.pairs) {
      const dst = this.current[input].data as Float32Array;
      const src = values[input];
      if (!src || src.length !== dst.length) {
        throw new Error(`state ${input}: expected ${dst.length} values, got ${src?.length ?? 'none'}`);
      }
      dst.set(src);
    }
  }

  dispose(): void {
    this.current = {};
    this.spare = {};
  }
}

/**
 * Device-resident state for GPU providers. `readBack` runs an identity session on the same device
 * whose outputs are on the CPU: the only safe way to copy a device tensor to the host.
 */
export class DeviceResident implements StateStore {
  private current: Record<string, ort.Tensor> = {};

  constructor(
    private readonly pairs: [string, string][],
    initial: StateValues,
    private readonly readBack: (tensors: Record<string, ort.Tensor>) => Promise<StateValues>,
  ) {
    this.write(initial);
  }

  feeds(): Record<string, ort.Tensor> {
    return this.current;
  }

  fetches(): Record<string, ort.Tensor | null> {
    const f: Record<string, ort.Tensor | null> = {};
    for (const [, output] of this.pairs) f[output] = null;
    return f;
  }

  commit(results: ort.InferenceSession.ReturnType): void {
    const next: Record<string, ort.Tensor> = {};
    for (const [input, output] of this.pairs) next[input] = results[output] as ort.Tensor;
    this.disposeCurrent();
    this.current = next;
  }

  read(): Promise<StateValues> {
    return this.readBack(this.current);
  }

  /** Host tensors; the next run uploads them. */
  write(values: StateValues): void {
    const next: Record<string, ort.Tensor> = {};
    for (const [input] of this.pairs) {
      const v = values[input];
      if (!v) throw new Error(`state lacks ${input}`);
      const old = this.current[input];
      if (old && old.dims[0] !== v.length) throw new Error(`state ${input}: expected ${old.dims[0]} values, got ${v.length}`);
      next[input] = new ort.Tensor('float32', Float32Array.from(v), [v.length]);
    }
    this.disposeCurrent();
    this.current = next;
  }

  private disposeCurrent(): void {
    for (const t of Object.values(this.current)) if (t.location === 'gpu-buffer') t.dispose();
  }

  dispose(): void {
    this.disposeCurrent();
    this.current = {};
  }
}
