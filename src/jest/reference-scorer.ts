// The reference's side of scoring: its embeddings of any super-batch, for R = its pair losses. The reference is frozen, so with
// `cacheEmbeddings` the whole pool is embedded ONCE and kept on disk under a fingerprint of the
// pool and the reference weights; R is then one small matrix product plus the loss (embeddings
// are cached, not losses: the contrastive loss depends on the batch). Without the cache, each
// super-batch is embedded online, and that forward pass is charged to reference scoring.
// The pair losses themselves are computed in the selection score graph (score-graph.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Batch, PreparedDataset } from '../data/cache/dataset';
import { buildPairLossFromEmbeddings } from '../model/graphs';
import { graphFlops } from '../onnx';
import { removeStaleTemporaries } from '../util/temporaries';
import type { ReferenceModel } from './reference';
import type { ReferenceEmbeddings } from './scoring';

export interface ReferenceScorerOptions {
  cache: boolean;
  /** Folder for cached embeddings. */
  cacheRoot: string;
  /** Rows embedded per run while building the cache. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * The pool decoded as the reference wants it (its size and crop), row for row the same
   * examples: needed when that differs from the learner's decode (open-reference.ts makes it).
   * Asked for only when pixels are needed: a run whose embedding cache exists never decodes it.
   */
  view?: () => Promise<PreparedDataset>;
}

/** Does the pool's own decode serve the reference (same size and fit)? */
export function poolServesReference(reference: Pick<ReferenceModel, 'imageDecode'>, pool: PreparedDataset): boolean {
  return reference.imageDecode.size === pool.imageSize && reference.imageDecode.fit === (pool.manifest.settings.image.fit ?? 'contain');
}

export class ReferenceScorer {
  /** FLOPs this process spent embedding the pool for the cache (0 when it was read from disk). */
  cacheFlops = 0;
  /** Seconds spent building or reading the cache. */
  cacheSeconds = 0;
  private embeddings: { image: Float32Array; text: Float32Array } | null = null;
  private readonly pairFlops = new Map<number, number>();

  private constructor(
    readonly reference: ReferenceModel,
    private readonly pool: PreparedDataset,
    private readonly opts: ReferenceScorerOptions,
  ) {
  }

  static async create(reference: ReferenceModel, pool: PreparedDataset, opts: ReferenceScorerOptions): Promise<ReferenceScorer> {
    if (!opts.view && !poolServesReference(reference, pool)) {
      const d = reference.imageDecode;
      throw new Error(`the reference takes ${d.size} px images (fit ${d.fit}) but the pool is decoded at ${pool.imageSize} px (fit ${pool.manifest.settings.image.fit}): give it its own decode of the pool (open-reference.ts)`);
    }
    const s = new ReferenceScorer(reference, pool, opts);
    if (opts.cache) await s.loadOrBuildCache();
    return s;
  }

  private viewOpened: Promise<PreparedDataset> | undefined;

  /** The pool as the reference sees it: the pool itself, or the reference's own decode of it (opened on first use). */
  private view(): Promise<PreparedDataset> {
    if (!this.opts.view) return Promise.resolve(this.pool);
    this.viewOpened ??= this.opts.view().then((v) => {
      const d = this.reference.imageDecode;
      if (v.imageSize !== d.size || (v.manifest.settings.image.fit ?? 'contain') !== d.fit) {
        throw new Error(`the reference takes ${d.size} px images (fit ${d.fit}) but its decode of the pool is ${v.imageSize} px (fit ${v.manifest.settings.image.fit})`);
      }
      if (v.size !== this.pool.size) throw new Error(`the reference's decode of the pool has ${v.size} examples, the pool ${this.pool.size}: prepare it again (they must be the same examples)`);
      return v;
    });
    return this.viewOpened;
  }

  get cacheDir(): string {
    return path.join(this.opts.cacheRoot, 'reference-embeddings', `${this.pool.manifest.fingerprint}-${this.reference.fingerprint}`);
  }

  private async loadOrBuildCache(): Promise<void> {
    const t0 = Date.now();
    const dir = this.cacheDir;
    const E = this.reference.embedDim;
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
    const view = await this.view();
    // rows per embed call: about 64 MiB of pixels (512 at 16-64 px, 256 at 224 px... kept >= 64)
    const chunk = this.opts.chunk ?? Math.max(64, Math.min(512, Math.floor((64 << 20) / (view.imageSize * view.imageSize * 3))));
    const image = new Float32Array(N * E);
    const text = new Float32Array(N * E);
    for (let start = 0; start < N; start += chunk) {
      const rows = Array.from({ length: Math.min(chunk, N - start) }, (_, i) => start + i);
      const b = view.get(rows);
      const z = await this.reference.embed(b.pixels, b.captions);
      image.set(z.image, start * E);
      text.set(z.text, start * E);
      this.opts.onProgress?.(start + rows.length, N);
    }
    this.cacheFlops = N * this.reference.flopsPerExample;
    // Written to a temporary folder, then renamed: a crash never leaves a half cache behind.
    const tmp = `${dir}.tmp-${process.pid}`;
    removeStaleTemporaries(path.dirname(dir)); // caches of runs killed mid-write (their processes are gone)
    await fs.mkdir(tmp, { recursive: true });
    await fs.writeFile(path.join(tmp, 'image.f32'), new Uint8Array(image.buffer));
    await fs.writeFile(path.join(tmp, 'text.f32'), new Uint8Array(text.buffer));
    await fs.writeFile(path.join(tmp, 'meta.json'), JSON.stringify({ reference: this.reference.description, pool: this.pool.manifest.name, count: N, embedDim: E }, null, 2));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
    this.embeddings = { image, text };
    this.cacheSeconds = (Date.now() - t0) / 1000;
    // with the cache in memory embeddingsFor never reads the reference's own decode again
    if (view !== this.pool) view.close();
  }

  /**
   * The reference's embeddings of the super-batch `batch` (rows of the pool), from the cache or
   * computed now, with the FLOPs that cost: the forward passes when not cached, plus the B×B
   * pair-loss arithmetic the score graph will do with them.
   */
  async embeddingsFor(batch: Batch): Promise<ReferenceEmbeddings & { flops: number }> {
    const n = batch.indices.length;
    const E = this.reference.embedDim;
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
      const view = await this.view();
      const pixels = view === this.pool ? batch.pixels : view.get(batch.indices).pixels;
      ({ image, text } = await this.reference.embed(pixels, batch.captions));
      flops += n * this.reference.flopsPerExample;
    }
    let pairFlops = this.pairFlops.get(n);
    if (pairFlops === undefined) {
      pairFlops = graphFlops(buildPairLossFromEmbeddings(n, E));
      this.pairFlops.set(n, pairFlops);
    }
    return { image, text, embedDim: E, tPrime: this.reference.tPrime, bias: this.reference.bias, flops: flops + pairFlops };
  }

  async release(): Promise<void> {
    await this.reference.release();
  }
}

function toF32(buf: Buffer): Float32Array {
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
