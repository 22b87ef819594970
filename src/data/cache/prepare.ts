// prepare(): read a source once, decode every image to the model's size, build the tokenizer
// from the captions, and write the prepared cache (format.ts). Training then reads pixels and
// token ids without decoding anything. The folder is keyed by a fingerprint of the source
// description and the settings: preparing the same thing twice is a no-op.

import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DecodePool, type DecodeResult } from '../decode/pool';
import { checkDecodeSettings, DEFAULT_DECODE_SETTINGS, type DecodeSettings } from '../decode/settings';
import { BadInputReport, formatReport } from '../report';
import { createSource, type ExtraSourceSpec, type SourceSpec } from '../sources/registry';
import { DEFAULT_TOKENIZER_SETTINGS, Tokenizer, type TokenizerSettings } from '../tokenizer';
import { LearnerStandardTokenizer, loadLearnerStandardTokenizer, tokenizerFromJSON, type CaptionTokenizer, type CaptionTokenizerJson } from '../caption-tokenizer';
import type { Example, Source } from '../types';
import { CACHE_FORMAT, CACHE_VERSION, canonicalJson, defaultCacheRoot, fingerprint, shardFileName, type ExampleMeta, type PreparedManifest, type PrepareSettings, type ShardInfo } from './format';
import { createHash } from 'crypto';
import { removeStaleTemporaries } from '../../util/temporaries';

export interface PrepareProgress {
  usable: number;
  skipped: number;
  /** The source's estimate (capped by max), when it has one. */
  total?: number;
}

export interface PrepareOptions {
  /** Image side in pixels; default 16. */
  size?: number;
  /** Default white. */
  background?: DecodeSettings['background'];
  fit?: DecodeSettings['fit'];
  /** Tokenizer vocabulary cap (specials included), sequence length L, minimum word count. */
  vocabSize?: number;
  maxLength?: number;
  minCount?: number;
  /** Encode with the tokenizer of this prepared folder instead of building one (evaluation sets). */
  tokenizerFrom?: string;
  /**
   * Encode with a standard tokenizer instead of building one: a Hugging Face tokenizer.json, or a
   * folder holding it (and tokenizer_config.json). Its ids are shifted by one (0 = padding).
   */
  standardTokenizer?: string;
  /** Stop after this many usable examples. */
  max?: number;
  /** The prepared folder itself; default <cacheRoot>/<name>-<fingerprint>. */
  out?: string;
  cacheRoot?: string;
  /** Prepare again even when the fingerprint matches. */
  force?: boolean;
  /** Decode child processes; default CPU count. */
  workers?: number;
  /** Examples per pixel shard; default: shards of about 64 MiB. */
  shardSize?: number;
  onProgress?: (p: PrepareProgress) => void;
  /** Test hook passed to the decode pool (see DecodePoolOptions.testAbortOn). */
  testAbortOn?: string;
}

export interface PrepareResult {
  dir: string;
  manifest: PreparedManifest;
  report: ReturnType<BadInputReport['toJSON']>;
  /** True when a matching prepared folder already existed and nothing was done. */
  reused: boolean;
}

/** The source produced nothing usable: say which source, what went wrong, and what to do. */
export class NoUsableExamplesError extends Error {
  constructor(sourceName: string, reportText: string) {
    super(
      `the source "${sourceName}" has no usable example.\n${reportText}\n` +
        'Fix: check that the path points at your data, that each image has a caption (manifest field ' +
        '"caption", a .txt sidecar, or a .txt/.json member in a tar shard), and that images open in an image viewer.',
    );
  }
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'data';
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Appends pixel rows to shard files, starting a new file every shardSize examples. */
class ShardWriter {
  readonly shards: ShardInfo[] = [];
  private handle: fs.FileHandle | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly shardSize: number,
  ) {}

  async append(pixels: Uint8Array, index: number): Promise<void> {
    let shard = this.shards[this.shards.length - 1];
    if (!shard || shard.count === this.shardSize) {
      await this.finishShard();
      shard = { file: shardFileName(this.shards.length), first: index, count: 0 };
      this.shards.push(shard);
      this.handle = await fs.open(path.join(this.dir, shard.file), 'w');
    }
    this.pending.push(pixels);
    this.pendingBytes += pixels.length;
    shard.count++;
    if (this.pendingBytes >= 4 << 20) await this.flush(); // write in 4 MiB pieces
  }

  private async flush(): Promise<void> {
    if (this.handle && this.pending.length) await this.handle.write(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }

  private async finishShard(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }

  async close(): Promise<void> {
    await this.finishShard();
  }
}

/**
 * The output folder is replaced at the end, so it must be new, empty, or an earlier prepared set:
 * never delete a folder of someone's files because --out pointed at it.
 */
async function refuseForeignFolder(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot use ${dir} as the prepared folder: ${(e as Error).message}`);
  }
  if (names.length === 0) return;
  const manifest = await readJson<{ format?: string }>(path.join(dir, 'manifest.json'));
  if (manifest?.format === CACHE_FORMAT) return;
  throw new Error(`${dir} exists and is not a prepared data set (${names.length} entries, no jest-studio manifest.json): choose a new or empty folder for --out`);
}

export async function prepare(spec: SourceSpec | ExtraSourceSpec | Source, options: PrepareOptions = {}): Promise<PrepareResult> {
  const started = Date.now();
  const source: Source = 'examples' in spec ? spec : createSource(spec);
  const image: DecodeSettings = {
    size: options.size ?? DEFAULT_DECODE_SETTINGS.size,
    background: options.background ?? DEFAULT_DECODE_SETTINGS.background,
    fit: options.fit ?? DEFAULT_DECODE_SETTINGS.fit,
  };
  checkDecodeSettings(image);
  if (options.max !== undefined && !(Number.isInteger(options.max) && options.max > 0)) {
    throw new RangeError(`max must be a positive integer, got ${options.max}`);
  }
  let shared: CaptionTokenizer | undefined;
  if (options.tokenizerFrom) {
    const json = await readJson<CaptionTokenizerJson>(path.join(options.tokenizerFrom, 'tokenizer.json'));
    if (!json) throw new Error(`no tokenizer.json in ${options.tokenizerFrom}: point tokenizerFrom at a prepared folder`);
    shared = tokenizerFromJSON(json);
  } else if (options.standardTokenizer) {
    shared = loadLearnerStandardTokenizer(options.standardTokenizer, options.maxLength ?? DEFAULT_TOKENIZER_SETTINGS.maxLength);
  }
  const tokenizerSettings: TokenizerSettings = shared
    ? shared.settings
    : {
        vocabSize: options.vocabSize ?? DEFAULT_TOKENIZER_SETTINGS.vocabSize,
        maxLength: options.maxLength ?? DEFAULT_TOKENIZER_SETTINGS.maxLength,
        minCount: options.minCount ?? DEFAULT_TOKENIZER_SETTINGS.minCount,
      };
  const settings: PrepareSettings = {
    image,
    tokenizer: tokenizerSettings,
    maxExamples: options.max ?? null,
    // what the tokenizer does, not where it was read from
    sharedTokenizer: shared ? createHash('sha256').update(canonicalJson(shared instanceof LearnerStandardTokenizer ? { ...shared.json, source: null } : shared.toJSON())).digest('hex') : null,
  };
  const description = await source.describe();
  const fp = fingerprint(description, settings);
  const dir = path.resolve(options.out ?? path.join(options.cacheRoot ?? defaultCacheRoot(), `${slug(source.name)}-${fp.slice(0, 16)}`));

  const existing = await readJson<PreparedManifest>(path.join(dir, 'manifest.json'));
  if (existing && existing.fingerprint === fp && existing.format === CACHE_FORMAT && existing.version === CACHE_VERSION && !options.force) {
    const report = (await readJson<ReturnType<BadInputReport['toJSON']>>(path.join(dir, 'report.json'))) ?? new BadInputReport(source.name).toJSON();
    return { dir, manifest: existing, report, reused: true };
  }

  await refuseForeignFolder(dir);

  // Write into a sibling folder and rename at the end: an interrupted prepare never leaves a
  // folder that looks complete.
  const tmp = `${dir}.partial-${process.pid}`;
  removeStaleTemporaries(path.dirname(dir)); // what earlier prepares killed mid-way left (their processes are gone)
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  const report = new BadInputReport(source.name);
  const metas: ExampleMeta[] = [];
  const rowBytes = image.size * image.size * 3;
  const writer = new ShardWriter(tmp, options.shardSize ?? Math.max(1, Math.floor((64 << 20) / rowBytes)));
  const pool = new DecodePool({ workers: options.workers, testAbortOn: options.testAbortOn });
  const estimate = await source.estimateCount?.();
  const total = estimate === undefined ? options.max : Math.min(estimate, options.max ?? Infinity);
  const progress = () => options.onProgress?.({ usable: metas.length, skipped: report.skipped, total });
  let lastProgress = 0;

  // Decodes run ahead of the writer in a window; results are taken in source order, so the cache
  // order is the source order whatever the decode timing.
  const window: { ex: Example; result: Promise<DecodeResult> }[] = [];
  const windowSize = 32 * Math.max(1, options.workers ?? os.cpus().length);
  const max = options.max ?? Infinity;
  const takeHead = async () => {
    const { ex, result } = window.shift()!;
    const r = await result;
    if (r.ok) {
      await writer.append(r.pixels, metas.length);
      metas.push({ id: ex.id, caption: ex.caption, label: ex.label, noise: ex.noise, provenance: ex.provenance });
    } else {
      report.add({ reason: r.reason, where: String(ex.provenance.where ?? ex.id), detail: r.detail });
    }
    if (Date.now() - lastProgress > 100) {
      lastProgress = Date.now();
      progress();
    }
  };
  try {
    for await (const ex of source.examples({ problem: (p) => report.add(p) })) {
      while (window.length > 0 && (window.length >= windowSize || metas.length + window.length >= max)) await takeHead();
      if (metas.length >= max) break;
      const result = pool.decode(ex.image, image);
      result.catch(() => undefined); // a decoder that cannot start rejects them all; the head's await reports it
      window.push({ ex, result });
    }
    while (window.length > 0 && metas.length < max) await takeHead();
  } catch (e) {
    await writer.close().catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    window.length = 0;
    await pool.close();
    await writer.close();
  }
  report.usable = metas.length;
  progress();
  const reportJson = report.toJSON();
  if (metas.length === 0) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new NoUsableExamplesError(source.name, formatReport(reportJson));
  }

  const tokenizer = shared ?? Tokenizer.build(metas.map((m) => m.caption), tokenizerSettings);
  const L = tokenizer.maxLength;
  const tokens = new Int32Array(metas.length * L);
  metas.forEach((m, i) => tokenizer.encode(m.caption, tokens, i * L));
  if (os.endianness() !== 'LE') throw new Error('the prepared-cache format stores little-endian int32; this machine is big-endian');
  await fs.writeFile(path.join(tmp, 'tokens.i32'), Buffer.from(tokens.buffer, tokens.byteOffset, tokens.byteLength));
  await fs.writeFile(path.join(tmp, 'examples.jsonl'), metas.map((m) => JSON.stringify(m)).join('\n') + '\n');
  await fs.writeFile(path.join(tmp, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
  await fs.writeFile(path.join(tmp, 'report.json'), JSON.stringify(reportJson, null, 1));
  const manifest: PreparedManifest = {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    fingerprint: fp,
    name: source.name,
    source: description,
    settings,
    count: metas.length,
    imageSize: image.size,
    channels: 3,
    seqLen: L,
    vocabSize: tokenizer.vocabSize,
    shards: writer.shards,
    skipped: report.skipped,
    createdAt: new Date().toISOString(),
    prepareSeconds: (Date.now() - started) / 1000,
  };
  await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await fs.rename(tmp, dir);
  return { dir, manifest, report: reportJson, reused: false };
}
