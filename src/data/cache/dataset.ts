// Reading a prepared cache at training time: no decoding, only copies of pixel rows. Pixels are
// held in memory when they fit (a 66k-icon set at 16 px is 50 MB) and otherwise read from the
// shard files by position (Node has no mmap; positional reads of 768-byte rows are the
// equivalent). Token ids and captions are always in memory: they are small.

import { promises as fs, openSync, readSync, closeSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { toInt64 } from '../tokenizer';
import { tokenizerFromJSON, type CaptionTokenizer, type CaptionTokenizerJson } from '../caption-tokenizer';
import { BatchIterator, type BatchOptions } from './batches';
import { CACHE_FORMAT, CACHE_VERSION, type ExampleMeta, type PreparedManifest, type ReportJson } from './format';

/** Rows of the prepared set, in the order asked for. */
export interface Batch {
  /** Row numbers in the prepared set (what get() takes). */
  indices: Uint32Array;
  ids: string[];
  /** uint8 NHWC [B, S, S, 3]. */
  pixels: Uint8Array;
  /** int32 [B, L], pad 0. */
  tokens: Int32Array;
  captions: string[];
  labels: (string | undefined)[];
}

export interface OpenOptions {
  /** Hold all pixels in memory: true, false, or 'auto' (when they take under a quarter of RAM, max 2 GiB). */
  inMemory?: boolean | 'auto';
}

export class PreparedDataset {
  private shardBuffers: Buffer[] | undefined;
  private shardFds: number[] | undefined;
  private readonly shardOfRow: Uint16Array | Uint32Array;
  private labelNames: string[] | undefined;

  private constructor(
    readonly dir: string,
    readonly manifest: PreparedManifest,
    readonly examples: readonly ExampleMeta[],
    /** int32 [N, L] for the whole set. */
    readonly tokens: Int32Array,
    readonly tokenizer: CaptionTokenizer,
  ) {
    this.shardOfRow = manifest.shards.length < 65536 ? new Uint16Array(manifest.count) : new Uint32Array(manifest.count);
    manifest.shards.forEach((s, i) => this.shardOfRow.fill(i, s.first, s.first + s.count));
  }

  static async open(dir: string, options: OpenOptions = {}): Promise<PreparedDataset> {
    const manifestPath = path.join(dir, 'manifest.json');
    let manifest: PreparedManifest;
    try {
      manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as PreparedManifest;
    } catch {
      throw new Error(`${dir} is not a prepared data set (no readable manifest.json): run "jest-studio data prepare <source>" first`);
    }
    if (manifest.format !== CACHE_FORMAT || manifest.version !== CACHE_VERSION) {
      throw new Error(`${dir} was prepared in format ${manifest.format} v${manifest.version}; this version reads v${CACHE_VERSION}: prepare it again with --force`);
    }
    const examples = (await fs.readFile(path.join(dir, 'examples.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ExampleMeta);
    const tokenBytes = await fs.readFile(path.join(dir, 'tokens.i32'));
    const tokens = new Int32Array(tokenBytes.buffer.slice(tokenBytes.byteOffset, tokenBytes.byteOffset + tokenBytes.byteLength));
    const tokenizer = tokenizerFromJSON(JSON.parse(await fs.readFile(path.join(dir, 'tokenizer.json'), 'utf8')) as CaptionTokenizerJson);
    if (examples.length !== manifest.count || tokens.length !== manifest.count * manifest.seqLen) {
      throw new Error(`${dir} is damaged (${examples.length} captions, ${tokens.length / manifest.seqLen} token rows, manifest says ${manifest.count}): prepare it again with --force`);
    }
    const ds = new PreparedDataset(dir, manifest, examples, tokens, tokenizer);
    const pixelBytes = manifest.count * ds.rowBytes;
    const inMemory = options.inMemory ?? 'auto';
    if (inMemory === true || (inMemory === 'auto' && pixelBytes <= Math.min(2 ** 31, os.totalmem() / 4))) {
      ds.shardBuffers = await Promise.all(manifest.shards.map((s) => fs.readFile(path.join(dir, s.file))));
    } else {
      ds.shardFds = manifest.shards.map((s) => openSync(path.join(dir, s.file), 'r'));
    }
    for (const [i, s] of manifest.shards.entries()) {
      const bytes = ds.shardBuffers ? ds.shardBuffers[i].length : (await fs.stat(path.join(dir, s.file))).size;
      if (bytes !== s.count * ds.rowBytes) throw new Error(`${s.file} in ${dir} has ${bytes} bytes, expected ${s.count * ds.rowBytes}: prepare it again with --force`);
    }
    return ds;
  }

  get size(): number {
    return this.manifest.count;
  }
  get imageSize(): number {
    return this.manifest.imageSize;
  }
  get seqLen(): number {
    return this.manifest.seqLen;
  }
  /** Bytes per example image: S * S * 3. */
  get rowBytes(): number {
    return this.manifest.imageSize * this.manifest.imageSize * 3;
  }

  async report(): Promise<ReportJson> {
    return JSON.parse(await fs.readFile(path.join(this.dir, 'report.json'), 'utf8')) as ReportJson;
  }

  /** Distinct labels, sorted: the classes of a zero-shot evaluation. */
  classNames(): string[] {
    this.labelNames ??= [...new Set(this.examples.map((e) => e.label).filter((l): l is string => l !== undefined))].sort();
    return this.labelNames;
  }

  /** Per row: index into classNames(), or -1 for an unlabelled row. */
  labelIndices(): Int32Array {
    const index = new Map(this.classNames().map((n, i) => [n, i]));
    return Int32Array.from(this.examples, (e) => (e.label === undefined ? -1 : index.get(e.label)!));
  }

  /**
   * Random access: the rows at `indices`, in that order (JEST super-batches, the batch inspector).
   * `into` reuses a caller's buffers of the right size (ping-pong buffers in the trainer).
   */
  get(indices: ArrayLike<number>, into?: { pixels: Uint8Array; tokens: Int32Array }): Batch {
    const B = indices.length;
    const R = this.rowBytes;
    const L = this.seqLen;
    const pixels = into?.pixels ?? new Uint8Array(B * R);
    const tokens = into?.tokens ?? new Int32Array(B * L);
    if (pixels.length !== B * R || tokens.length !== B * L) throw new RangeError(`get: buffers for ${pixels.length / R} images and ${tokens.length / L} captions, asked for ${B}`);
    const idx = Uint32Array.from(indices as ArrayLike<number>);
    const ids: string[] = new Array(B);
    const captions: string[] = new Array(B);
    const labels: (string | undefined)[] = new Array(B);
    for (let b = 0; b < B; b++) {
      const row = idx[b];
      if (!(row < this.size)) throw new RangeError(`row ${indices[b]} is outside the prepared set (0..${this.size - 1})`);
      const shard = this.manifest.shards[this.shardOfRow[row]];
      const offset = (row - shard.first) * R;
      if (this.shardBuffers) {
        pixels.set(this.shardBuffers[this.shardOfRow[row]].subarray(offset, offset + R), b * R);
      } else {
        readSync(this.shardFds![this.shardOfRow[row]], pixels, b * R, R, offset);
      }
      tokens.set(this.tokens.subarray(row * L, row * L + L), b * L);
      const meta = this.examples[row];
      ids[b] = meta.id;
      captions[b] = meta.caption;
      labels[b] = meta.label;
    }
    return { indices: idx, ids, pixels, tokens, captions, labels };
  }

  /**
   * Shuffled batches with prefetch: the next batches are assembled while the trainer works on
   * this one. Order depends only on (seed, epoch); pass a saved `position` to resume exactly.
   */
  batches(options: BatchOptions): BatchIterator {
    return new BatchIterator(this, options);
  }

  close(): void {
    for (const fd of this.shardFds ?? []) closeSync(fd);
    this.shardFds = undefined;
    this.shardBuffers = undefined;
  }
}

/** The rows `rows` (positions within the batch) of a batch: the learner's sub-batch of a super-batch. */
export function subBatch(batch: Batch, rows: ArrayLike<number>): Batch {
  const B = batch.indices.length;
  const R = batch.pixels.length / B;
  const L = batch.tokens.length / B;
  const n = rows.length;
  const out: Batch = { indices: new Uint32Array(n), ids: [], pixels: new Uint8Array(n * R), tokens: new Int32Array(n * L), captions: [], labels: [] };
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    if (!(r >= 0 && r < B)) throw new RangeError(`subBatch: row ${r} outside a batch of ${B}`);
    out.indices[k] = batch.indices[r];
    out.ids.push(batch.ids[r]);
    out.captions.push(batch.captions[r]);
    out.labels.push(batch.labels[r]);
    out.pixels.set(batch.pixels.subarray(r * R, r * R + R), k * R);
    out.tokens.set(batch.tokens.subarray(r * L, r * L + L), k * L);
  }
  return out;
}

/** A batch's token ids as the int64 tensor the ONNX text tower takes. */
export function batchTokensInt64(batch: Batch, out?: BigInt64Array): BigInt64Array {
  return toInt64(batch.tokens, out);
}
