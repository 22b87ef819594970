// The engine's training session. Its public names follow onnxruntime's own on-device training API
// (runTrainStep, runEvalStep, getContiguousParameters, loadParametersBuffer, release) so that
// people who know ORT feel at home. Where we differ:
//  - the optimizer step is FUSED into the train step: one runTrainStep = forward + backward +
//    AdamW, so there is no separate runOptimizerStep / lazyResetGrad (on GPUs AdamW is graph nodes;
//    on the CPU the graph stops at the gradient and host-adamw.ts updates in one WebAssembly pass);
//  - gradient accumulation would need its own graph (not built: batches here fit in one step);
//  - parameters are two flat vectors (decayed matrices, and the rest), see model/layout.ts;
//  - runEvalStep returns the per-pair loss matrix and embeddings (what JEST scoring needs).
import * as ort from 'onnxruntime-node';
import { Graph, op, serialize } from '../onnx';
import { AdamWConfig } from '../model/adamw';
import { ModelConfig } from '../model/config';
import {
  ImageGroup,
  TRAIN_STEP_STATE,
  WEBGPU_MAX_FANOUT,
  buildGradientStep,
  buildImageEmbedder,
  buildScoring,
  buildTextEmbedder,
  buildTrainStep,
} from '../model/graphs';
import { FlatLayout, FlatValues, flatLayout, initParams } from '../model/layout';
import { modelParams } from '../model/siglip';
import { DEFAULT_RUNTIME, ResolvedDevice, RuntimeOptions, resolveDevice } from './device';
import { HostAdamW, hostAdamWFits } from './host-adamw';
import { SessionCache } from './session-cache';
import { CpuPingPong, DeviceResident, StateStore, StateValues } from './state';

/** Rows per embedding run: one session shape serves every count. */
const EMBED_CHUNK = 256;

export interface TrainBatch {
  /** Image groups in order; each is uint8 NHWC [count, S, S, 3] at its patch size. */
  images: { patchSize: number; pixels: Uint8Array }[];
  /** int32 [B, L], B = total images, pad id 0. */
  tokens: Int32Array;
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  /** Steps taken so far, this one included. */
  step: number;
}

export interface EvalResult {
  /** Row-major [S, S] per-pair sigmoid losses (learner's L when this is the learner). */
  pairLosses: Float32Array;
  imageEmbeddings: Float32Array;
  textEmbeddings: Float32Array;
  /** The training loss of the batch (Σ pairs / S). */
  loss: number;
}

/** Everything needed to continue training exactly: a checkpoint's contents. */
export interface TrainingState {
  params: FlatValues;
  m: FlatValues;
  v: FlatValues;
  step: number;
}

export interface TrainingSessionOptions {
  model: ModelConfig;
  optimizer: AdamWConfig;
  runtime?: RuntimeOptions;
  /** Initial parameters; default: fresh ones from `seed`. */
  params?: FlatValues;
  seed?: number;
}

export class TrainingSession {
  private step = 0;
  private readBackSession: Promise<ort.InferenceSession> | null = null;

  private constructor(
    readonly model: ModelConfig,
    readonly optimizer: AdamWConfig,
    readonly layout: FlatLayout,
    readonly device: ResolvedDevice,
    /** How the device was chosen (for logs: `auto` says what it took and why). */
    readonly deviceNote: string,
    private readonly cache: SessionCache,
    private state: StateStore,
    /** CPU: the graph stops at the gradient and HostAdamW applies the update (see host-adamw.ts). */
    private readonly hostUpdate: boolean,
  ) {}

  static async create(opts: TrainingSessionOptions): Promise<TrainingSession> {
    const runtime = opts.runtime ?? DEFAULT_RUNTIME;
    const { device, note } = await resolveDevice(runtime.device);
    const layout = flatLayout(modelParams(opts.model));
    const params = opts.params ?? initParams(layout, opts.seed ?? 0);
    checkSizes(layout, params, 'parameters');
    const zeros = () => ({ decay: new Float32Array(layout.size.decay), plain: new Float32Array(layout.size.plain) });
    const initial = toStateValues(params, zeros(), zeros());
    const cache = new SessionCache(device, runtime.threads, runtime.spinning ?? false);
    let session: TrainingSession;
    let store: StateStore | null = null;
    let deviceNote = note;
    if (device === 'cpu' && runtime.hostAdamW !== false) {
      if (!hostAdamWFits(layout.size)) {
        deviceNote += '; AdamW runs in the graph: the model is past WebAssembly\'s 4 GiB for the host update (~268M parameters)';
      } else {
        try {
          store = new HostAdamW(layout.size, initial, opts.optimizer.beta1, opts.optimizer.beta2);
        } catch (e) {
          // e.g. a memory limit refusing one large WebAssembly memory: the graph path does the same math
          deviceNote += `; AdamW runs in the graph: the host update could not start (${(e as Error).message})`;
        }
      }
    }
    const hostUpdate = store !== null;
    store ??=
      device === 'cpu'
        ? new CpuPingPong(TRAIN_STEP_STATE, initial)
        : new DeviceResident(TRAIN_STEP_STATE, initial, (t) => session.readBack(t));
    session = new TrainingSession(opts.model, opts.optimizer, layout, device, deviceNote, cache, store, hostUpdate);
    return session;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.step;
  }

  /**
   * Graphs take θ as the two flat vectors, split in-graph (WebGPU shaders take at most 16 storage
   * buffers, hence its fan-out). One input per parameter was tried: it saves the Split (~2% of the
   * step at 8.5M parameters) but inside the real VS Code runs trained ~20% fewer steps in the same
   * time and the dashboard's p95 doubled (docs/engine.md), so it was taken out.
   */
  private get maxFanout(): number {
    return this.device === 'webgpu' ? WEBGPU_MAX_FANOUT : Infinity;
  }

  /** θ as every graph of this model takes it. */
  private thetaFeeds(): Record<string, ort.Tensor> {
    const state = this.state.feeds();
    return { 'theta.decay': state['theta.decay'], 'theta.plain': state['theta.plain'] };
  }

  /**
   * Where AdamW's elementwise update runs: 'host' (the CPU's WebAssembly pass) or 'graph'; on the
   * host, also the steps whose gradient onnxruntime did not write in place, so it was copied.
   */
  get optimizerPlacement(): { placement: 'host' | 'graph'; gradientCopies: number } {
    return { placement: this.hostUpdate ? 'host' : 'graph', gradientCopies: this.state instanceof HostAdamW ? this.state.gradientCopies : 0 };
  }

  /** Where the carried state lives now ('cpu' or 'gpu-buffer'): device residency is observable. */
  get stateLocation(): string {
    return Object.values(this.thetaFeeds())[0].location;
  }

  /** Sessions created so far (one per distinct batch shape). */
  get sessionCount(): number {
    return this.cache.size;
  }

  /** One step of forward + backward + AdamW at learning rate `lr`. */
  async runTrainStep(batch: TrainBatch, lr: number): Promise<StepResult> {
    const groups = this.groupsOf(batch);
    const key = `${this.hostUpdate ? 'gradient' : 'train'}|${JSON.stringify(this.model)}|${JSON.stringify(this.optimizer)}|${groupKey(groups)}`;
    const outputLocations = this.device === 'cpu' ? {} : deviceOutputs();
    const session = await this.cache.get(key, () => {
      // the host update needs the gradient; the in-graph update carries flat θ, m, v
      const built = this.hostUpdate
        ? buildGradientStep(this.model, this.optimizer, groups, 'float32', this.maxFanout)
        : buildTrainStep(this.model, this.optimizer, groups, 'float32', this.maxFanout);
      return serialize(built.graph);
    }, outputLocations);
    const feeds: Record<string, ort.Tensor> = { ...this.state.feeds(), ...this.batchFeeds(batch, groups) };
    feeds.lr = scalar(lr);
    feeds.step = scalar(this.step + 1);
    const results = await session.run(feeds, { ...this.state.fetches(), loss: null, grad_norm: null });
    this.state.commit(results);
    this.step++;
    return { loss: first(results.loss), gradNorm: first(results.grad_norm), step: this.step };
  }

  /** Forward only, at one patch size: the per-pair loss matrix and embeddings of a batch. */
  async runEvalStep(batch: TrainBatch): Promise<EvalResult> {
    const groups = this.groupsOf(batch);
    if (groups.length !== 1) throw new Error('runEvalStep scores one patch size at a time');
    const [{ patchSize, count }] = groups;
    const key = `score|${JSON.stringify(this.model)}|${patchSize}x${count}`;
    const session = await this.cache.get(key, () => serialize(buildScoring(this.model, count, patchSize, 'float32', this.maxFanout).graph));
    const feeds = { ...this.thetaFeeds(), ...this.batchFeeds(batch, groups) };
    const r = await session.run(feeds);
    const pairLosses = r.pair_losses.data as Float32Array;
    let sum = 0;
    for (let i = 0; i < pairLosses.length; i++) sum += pairLosses[i];
    return {
      pairLosses,
      imageEmbeddings: r.image_embeddings.data as Float32Array,
      textEmbeddings: r.text_embeddings.data as Float32Array,
      loss: sum / count,
    };
  }

  /**
   * Embeddings of any number of images (uint8 NHWC) at a patch size, in fixed-size chunks so one
   * session serves every count (the last chunk is zero-padded and its padding dropped).
   */
  async embedImages(pixels: Uint8Array, patchSize: number, chunk = EMBED_CHUNK): Promise<Float32Array> {
    const S = this.model.imageSize;
    const row = S * S * 3;
    const n = pixels.length / row;
    const key = `embed-img|${JSON.stringify(this.model)}|${patchSize}x${chunk}`;
    const session = await this.cache.get(key, () => serialize(buildImageEmbedder(this.model, chunk, patchSize, this.maxFanout).graph));
    return this.embedInChunks(n, chunk, (start, count, buf) => {
      buf.set(pixels.subarray(start * row, (start + count) * row));
      if (count < chunk) buf.fill(0, count * row);
      return { 'images.0': new ort.Tensor('uint8', buf, [chunk, S, S, 3]) };
    }, new Uint8Array(chunk * row), session, 'image_embeddings');
  }

  /** Embeddings of any number of token rows (int32 [n, L]). */
  async embedTexts(tokens: Int32Array, chunk = EMBED_CHUNK): Promise<Float32Array> {
    const L = this.model.seqLen;
    const n = tokens.length / L;
    const key = `embed-txt|${JSON.stringify(this.model)}|${chunk}`;
    const session = await this.cache.get(key, () => serialize(buildTextEmbedder(this.model, chunk, this.maxFanout).graph));
    return this.embedInChunks(n, chunk, (start, count, buf) => {
      buf.set(tokens.subarray(start * L, (start + count) * L));
      if (count < chunk) buf.fill(0, count * L);
      return { tokens: new ort.Tensor('int32', buf, [chunk, L]) };
    }, new Int32Array(chunk * L), session, 'text_embeddings');
  }

  private async embedInChunks<B extends Uint8Array | Int32Array>(
    n: number,
    chunk: number,
    feed: (start: number, count: number, buf: B) => Record<string, ort.Tensor>,
    buf: B,
    session: ort.InferenceSession,
    output: string,
  ): Promise<Float32Array> {
    if (!Number.isInteger(n)) throw new Error('embed: input is not a whole number of rows');
    const E = this.model.embedDim;
    const out = new Float32Array(n * E);
    const theta = this.thetaFeeds();
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const r = await session.run({ ...theta, ...feed(start, count, buf) });
      out.set((r[output].data as Float32Array).subarray(0, count * E), start * E);
    }
    return out;
  }

  /**
   * Run another graph of this model (selection scores, probes) with the CURRENT parameters fed as
   * its `theta.decay` / `theta.plain` inputs (on the device when the state is there). `build`
   * runs once per key; graphs get WebGPU's fan-out limit through `maxFanout`.
   */
  async runWithParameters(
    key: string,
    build: (maxFanout: number) => Uint8Array,
    feeds: Record<string, ort.Tensor>,
    usesParameters = true,
  ): Promise<ort.InferenceSession.ReturnType> {
    const session = await this.cache.get(key, () => build(this.maxFanout));
    return session.run(usesParameters ? { ...this.thetaFeeds(), ...feeds } : feeds);
  }

  /** A host copy of the parameters. */
  async getContiguousParameters(): Promise<FlatValues> {
    const s = await this.state.read();
    return { decay: s['theta.decay'], plain: s['theta.plain'] };
  }

  /** Replace the parameters (optimizer state and step count are kept). */
  async loadParametersBuffer(params: FlatValues): Promise<void> {
    checkSizes(this.layout, params, 'parameters');
    const s = await this.state.read();
    s['theta.decay'] = params.decay;
    s['theta.plain'] = params.plain;
    this.state.write(s);
  }

  async getState(): Promise<TrainingState> {
    const s = await this.state.read();
    return {
      params: { decay: s['theta.decay'], plain: s['theta.plain'] },
      m: { decay: s['m.decay'], plain: s['m.plain'] },
      v: { decay: s['v.decay'], plain: s['v.plain'] },
      step: this.step,
    };
  }

  async loadState(state: TrainingState): Promise<void> {
    checkSizes(this.layout, state.params, 'parameters');
    checkSizes(this.layout, state.m, 'first moments');
    checkSizes(this.layout, state.v, 'second moments');
    this.state.write(toStateValues(state.params, state.m, state.v));
    this.step = state.step;
  }

  async release(): Promise<void> {
    // Device tensors must die before the last device session (a live gpu-buffer tensor with no
    // session left aborts the process).
    this.state.dispose();
    await this.cache.release();
    if (this.readBackSession) await (await this.readBackSession).release();
    this.readBackSession = null;
  }

  private groupsOf(batch: TrainBatch): ImageGroup[] {
    const S = this.model.imageSize;
    const groups = batch.images.map(({ patchSize, pixels }) => {
      const count = pixels.length / (S * S * 3);
      if (!Number.isInteger(count) || count === 0) {
        throw new Error(`image group at patch ${patchSize}: ${pixels.length} bytes is not a whole number of ${S}x${S}x3 images`);
      }
      return { patchSize, count };
    });
    const total = groups.reduce((s, g) => s + g.count, 0);
    if (batch.tokens.length !== total * this.model.seqLen) {
      throw new Error(`tokens: expected ${total} x ${this.model.seqLen} ids for ${total} images, got ${batch.tokens.length}`);
    }
    return groups;
  }

  private batchFeeds(batch: TrainBatch, groups: ImageGroup[]): Record<string, ort.Tensor> {
    const S = this.model.imageSize;
    const feeds: Record<string, ort.Tensor> = {};
    batch.images.forEach((g, k) => (feeds[`images.${k}`] = new ort.Tensor('uint8', g.pixels, [groups[k].count, S, S, 3])));
    const total = groups.reduce((s, g) => s + g.count, 0);
    feeds.tokens = new ort.Tensor('int32', batch.tokens, [total, this.model.seqLen]);
    return feeds;
  }

  /** Copy device tensors to the host through an identity session whose outputs are on the CPU. */
  private async readBack(tensors: Record<string, ort.Tensor>): Promise<StateValues> {
    if (!this.readBackSession) {
      const g = new Graph('float32', 'read_back');
      for (const [input] of TRAIN_STEP_STATE) {
        const size = input.endsWith('.decay') ? this.layout.size.decay : this.layout.size.plain;
        g.output(op.identity(g.input(input, [size])), `${input}.host`);
      }
      this.readBackSession = ort.InferenceSession.create(serialize(g), {
        executionProviders: [this.device],
        logSeverityLevel: 3,
        preferredOutputLocation: 'cpu',
      });
    }
    const r = await (await this.readBackSession).run(tensors);
    const out: StateValues = {};
    for (const [input] of TRAIN_STEP_STATE) out[input] = Float32Array.from(r[`${input}.host`].data as Float32Array);
    return out;
  }
}

function deviceOutputs(): Partial<ort.InferenceSession.SessionOptions> {
  const loc: Record<string, ort.Tensor.DataLocation> = { loss: 'cpu', grad_norm: 'cpu' };
  for (const [, output] of TRAIN_STEP_STATE) loc[output] = 'gpu-buffer';
  return { preferredOutputLocation: loc };
}

function groupKey(groups: ImageGroup[]): string {
  return groups.map((g) => `${g.patchSize}x${g.count}`).join(',');
}

function scalar(x: number): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array([x]), []);
}

function first(t: ort.OnnxValue): number {
  return (t as ort.Tensor).data[0] as number;
}

function toStateValues(params: FlatValues, m: FlatValues, v: FlatValues): StateValues {
  return {
    'theta.decay': params.decay,
    'theta.plain': params.plain,
    'm.decay': m.decay,
    'm.plain': m.plain,
    'v.decay': v.decay,
    'v.plain': v.plain,
  };
}

function checkSizes(layout: FlatLayout, values: FlatValues, what: string): void {
  for (const g of ['decay', 'plain'] as const) {
    if (values[g]?.length !== layout.size[g]) {
      throw new Error(
        `${what} do not fit this model: the ${g} group holds ${values[g]?.length ?? 0} values, the model needs ` +
          `${layout.size[g]}. Was it saved from a model with another width, depth, vocabulary, image or patch size?`,
      );
    }
  }
}
