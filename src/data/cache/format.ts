// The prepared-cache format (version 1). One folder per prepared data set:
//   manifest.json     this header: fingerprint, settings, counts, shard list (written LAST, so a
//                     folder without it is an interrupted prepare and is never read)
//   pixels-00000.u8   uint8 NHWC pixels [n, S, S, 3], row-major, sRGB, one file per shard
//   tokens.i32        int32 little-endian token ids [N, L], pad 0
//   examples.jsonl    one line per example, in cache order: id, caption, label, noise, provenance
//   tokenizer.json    the tokenizer built from the captions (see tokenizer.ts)
//   report.json       what was skipped and why (see report.ts)

import { createHash } from 'crypto';
import * as path from 'path';
import type { DecodeSettings } from '../decode/settings';
import type { ReportJson } from '../report';
import type { TokenizerSettings } from '../tokenizer';
import type { NoiseTag, Provenance, SourceDescription } from '../types';

export const CACHE_FORMAT = 'jest-studio-prepared';
export const CACHE_VERSION = 1;

/** Everything besides the source that changes what prepare writes. */
export interface PrepareSettings {
  image: DecodeSettings;
  tokenizer: TokenizerSettings;
  /** Stop after this many usable examples; null = all. */
  maxExamples: number | null;
  /** Hash of a tokenizer reused from another prepared set (e.g. the training set's), or null. */
  sharedTokenizer: string | null;
}

export interface ShardInfo {
  file: string;
  first: number; // index of its first example
  count: number;
}

export interface PreparedManifest {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  fingerprint: string;
  name: string;
  source: SourceDescription;
  settings: PrepareSettings;
  count: number;
  imageSize: number;
  channels: 3;
  seqLen: number;
  vocabSize: number;
  shards: ShardInfo[];
  skipped: number;
  createdAt: string;
  prepareSeconds: number;
}

/** One line of examples.jsonl. */
export interface ExampleMeta {
  id: string;
  caption: string;
  label?: string;
  noise?: NoiseTag;
  provenance: Provenance;
}

export type { ReportJson };

/** JSON with object keys sorted at every level, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function fingerprint(source: SourceDescription, settings: PrepareSettings): string {
  return createHash('sha256')
    .update(canonicalJson({ format: CACHE_FORMAT, version: CACHE_VERSION, source, settings }))
    .digest('hex');
}

/** Where prepared sets live unless --out says otherwise. */
export function defaultCacheRoot(): string {
  const env = process.env.JEST_STUDIO_CACHE;
  return env ? path.join(path.resolve(env), 'data') : path.resolve('.cache', 'jest-studio', 'data');
}

export function shardFileName(i: number): string {
  return `pixels-${String(i).padStart(5, '0')}.u8`;
}
