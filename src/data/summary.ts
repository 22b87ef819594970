// Statistics of a prepared set, computed once in the engine and only rendered by the CLI (and
// later the extension): counts, caption lengths in tokens, vocabulary use, labels, noise tags.

import type { PreparedDataset } from './cache/dataset';
import { UNK_ID } from './tokenizer';

export interface PreparedSummary {
  name: string;
  count: number;
  skipped: number;
  imageSize: number;
  shards: number;
  createdAt: string;
  prepareSeconds: number;
  vocabSize: number;
  vocabCap: number;
  seqLen: number;
  distinctCaptions: number;
  /** Tokens per caption before truncation. */
  tokens: { min: number; median: number; p95: number; max: number; mean: number };
  /** [length in tokens, number of captions], ascending. */
  lengthHistogram: [number, number][];
  truncated: number;
  /** Fraction of caption tokens that map to the unknown id. */
  unknownRate: number;
  classes: number;
  noise: Record<string, number>;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function summarisePrepared(ds: PreparedDataset): PreparedSummary {
  const m = ds.manifest;
  const lengths: number[] = [];
  let total = 0;
  let unknown = 0;
  let truncated = 0;
  const distinct = new Set<string>();
  const noise: Record<string, number> = {};
  for (const e of ds.examples) {
    const ids = ds.tokenizer.encodeAll(e.caption);
    lengths.push(ids.length);
    total += ids.length;
    for (const id of ids) if (id === UNK_ID) unknown++;
    if (ids.length > m.seqLen) truncated++;
    distinct.add(e.caption);
    if (e.noise) noise[e.noise] = (noise[e.noise] ?? 0) + 1;
  }
  lengths.sort((a, b) => a - b);
  const hist = new Map<number, number>();
  for (const l of lengths) hist.set(l, (hist.get(l) ?? 0) + 1);
  return {
    name: m.name,
    count: m.count,
    skipped: m.skipped,
    imageSize: m.imageSize,
    shards: m.shards.length,
    createdAt: m.createdAt,
    prepareSeconds: m.prepareSeconds,
    vocabSize: ds.tokenizer.vocabSize,
    vocabCap: ds.tokenizer.settings.vocabSize,
    seqLen: m.seqLen,
    distinctCaptions: distinct.size,
    tokens: { min: lengths[0], median: quantile(lengths, 0.5), p95: quantile(lengths, 0.95), max: lengths[lengths.length - 1], mean: total / lengths.length },
    lengthHistogram: [...hist].sort((a, b) => a[0] - b[0]),
    truncated,
    unknownRate: unknown / Math.max(1, total),
    classes: ds.classNames().length,
    noise,
  };
}
