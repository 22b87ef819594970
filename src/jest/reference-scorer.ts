// The reference's per-pair loss matrix R for any super-batch. The reference is frozen, so with
// `cacheEmbeddings` the whole pool is embedded ONCE and kept on disk under a fingerprint of the
// pool and the reference weights; R is then one small matrix product plus the loss (embeddings
// are cached, not losses: the contrastive loss depends on the batch). Without the cache, each
// super-batch is embedded online, and that forward pass is charged to reference scoring.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Batch, PreparedDataset } from '../data/cache/dataset';
import { buildPairLossFromEmbeddings } from '../model/graphs';
import { graphFlops, serialize } from '../onnx';
import { SessionCache } from '../runtime/session-cache';
import type { ReferenceModel } from './reference';

export interface ReferenceScorerOptions {
  cache: boolean;
  /** Folder for cached embeddings. */
  cacheRoot: string;
  /** Rows embedded per run while building the cache. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
}

export class ReferenceScorer {
  /** FLOPs this process spent embedding the pool for the cache (0 when it was read from disk). */
  cacheFlops = 0;
  /** Seconds spent building or reading the cache. */
  cacheSeconds = 0;
  private embeddings: { image: Float32Array; text: Float32Array } | null = null;
  private readonly pairSessions: SessionCache;
  private readonly pairFlops = new Map<number, number>();

  private constructor(
    readonly reference: ReferenceModel,
    private readonly pool: PreparedDataset,
    private readonly opts: ReferenceScorerOptions,
  ) {
    this.pairSessions = new SessionCache('cpu', 1);
  }

  static async create(reference: ReferenceModel, pool: PreparedDataset, opts: ReferenceScorerOptions): Promise<ReferenceScorer> {
    if (reference.model.imageSize !== pool.imageSize) {
      throw new Error(`the reference model takes ${reference.model.imageSize}px images but the training pool is prepared at ${pool.imageSize}px: use a reference trained at the learner's image size`);
    }
    const s = new ReferenceScorer(reference, pool, opts);
    if (opts.cache) await s.loadOrBuildCache();
    return s;
  }

  get cacheDir(): string {
    return path.join(this.opts.cacheRoot, 'reference-embeddings', `${this.pool.manifest.fingerprint}-${this.reference.fingerprint}`);
  }

  private async loadOrBuildCache(): Promise<void> {
    const t0 = Date.now();
    const dir = this.cacheDir;
    const E = this.reference.model.embedDim;
    const N = this.pool.size;
    try {
      const [img, txt] = await Promise.all([fs.readFile(path.join(dir, 'image.f32')), fs.readFile(path.join(dir, 'text.f32'))]);
      if (img.length === N * E * 4 && txt.length === N * E * 4) {
        this.embeddings = { image: toF32(img), text: toF32(txt) };
        this.cacheSeconds = (Date.now() - t0) / 1000;
        return;
      }
    } catch {
      // not cached yet
    }
    const chunk = this.opts.chunk ?? 512;
    const image = new Float32Array(N * E);
    const text = new Float32Array(N * E);
    for (let start = 0; start < N; start += chunk) {
      const rows = Array.from({ length: Math.min(chunk, N - start) }, (_, i) => start + i);
      const b = this.pool.get(rows);
      const z = await this.reference.embed(b.pixels, b.captions);
      image.set(z.image, start * E);
      text.set(z.text, start * E);
      this.opts.onProgress?.(start + rows.length, N);
    }
    this.cacheFlops = N * this.reference.flopsPerExample;
    // Written to a temporary folder, then renamed: a crash never leaves a half cache behind.
    const tmp = `${dir}.tmp-${process.pid}`;
    await fs.mkdir(tmp, { recursive: true });
    await fs.writeFile(path.join(tmp, 'image.f32'), new Uint8Array(image.buffer));
    await fs.writeFile(path.join(tmp, 'text.f32'), new Uint8Array(text.buffer));
    await fs.writeFile(path.join(tmp, 'meta.json'), JSON.stringify({ reference: this.reference.description, pool: this.pool.manifest.name, count: N, embedDim: E }, null, 2));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
    this.embeddings = { image, text };
    this.cacheSeconds = (Date.now() - t0) / 1000;
  }

  /** R for the super-batch `batch` (rows of the pool) and the FLOPs it cost. */
  async lossMatrix(batch: Batch): Promise<{ matrix: Float32Array; flops: number }> {
    const n = batch.indices.length;
    const E = this.reference.model.embedDim;
    let image: Float32Array;
    let text: Float32Array;
    let flops = 0;
    if (this.embeddings) {
      image = new Float32Array(n * E);
      text = new Float32Array(n * E);
      for (let k = 0; k < n; k++) {
        const r = batch.indices[k];
        image.set(this.embeddings.image.subarray(r * E, (r + 1) * E), k * E);
        text.set(this.embeddings.text.subarray(r * E, (r + 1) * E), k * E);
      }
    } else {
      ({ image, text } = await this.reference.embed(batch.pixels, batch.captions));
      flops += n * this.reference.flopsPerExample;
    }
    let pairFlops = this.pairFlops.get(n);
    if (pairFlops === undefined) {
      pairFlops = graphFlops(buildPairLossFromEmbeddings(n, E));
      this.pairFlops.set(n, pairFlops);
    }
    flops += pairFlops;
    const session = await this.pairSessions.get(`pairs|${n}x${E}`, () => serialize(buildPairLossFromEmbeddings(n, E)));
    const r = await session.run({
      image_embeddings: new ort.Tensor('float32', image, [n, E]),
      text_embeddings: new ort.Tensor('float32', text, [n, E]),
      t_prime: new ort.Tensor('float32', Float32Array.of(this.reference.tPrime), [1]),
      bias: new ort.Tensor('float32', Float32Array.of(this.reference.bias), [1]),
    });
    return { matrix: r.pair_losses.data as Float32Array, flops };
  }

  async release(): Promise<void> {
    await this.pairSessions.release();
    await this.reference.release();
  }
}

function toF32(buf: Buffer): Float32Array {
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
