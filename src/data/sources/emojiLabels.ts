// CLDR labels for emoji from emojibase-data, keyed by codepoint sequence. emoji-datasource writes
// "263A-FE0F" where emojibase writes "263A": both sides are upper-cased and stripped of the
// variation selector FE0F, which matches 100% of emoji-datasource's entries.

import * as path from 'path';
import { DATA_PACKAGES, requirePackageDir } from './packages';

export interface CldrEntry {
  label: string;
  tags: string[];
  /** Skin tone 1..5 for single-tone variants; undefined for the base emoji. */
  tone?: number;
  baseLabel: string;
}

interface EmojibaseEntry {
  label: string;
  hexcode: string;
  tags?: string[];
  skins?: { label: string; hexcode: string; tone?: number | number[] }[];
}

export function normaliseCodepoints(hex: string): string {
  return hex
    .toUpperCase()
    .split('-')
    .filter((cp) => cp !== 'FE0F')
    .join('-');
}

export function emojibaseDir(): string {
  return requirePackageDir('emojibase-data', 'the emoji sets (CLDR labels)', [DATA_PACKAGES.emojibase]);
}

export function loadCldrLabels(locale = 'en'): Map<string, CldrEntry> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const data = require(path.join(emojibaseDir(), locale, 'data.json')) as EmojibaseEntry[];
  const out = new Map<string, CldrEntry>();
  for (const e of data) {
    out.set(normaliseCodepoints(e.hexcode), { label: e.label, tags: e.tags ?? [], baseLabel: e.label });
    for (const s of e.skins ?? []) {
      out.set(normaliseCodepoints(s.hexcode), { label: s.label, tags: e.tags ?? [], tone: typeof s.tone === 'number' ? s.tone : undefined, baseLabel: e.label });
    }
  }
  return out;
}

/**
 * A held-out concept split of the emoji: a concept (a CLDR base label, with its skin-tone variants)
 * is held out when a seeded hash of its label falls below `heldOut`. The same rule in the curated
 * source ("kept") and the evaluation source ("held-out") gives an evaluation on concepts the
 * curated set never shows.
 */
export interface ConceptSplit {
  heldOut: number;
  seed?: number;
  take: 'kept' | 'held-out';
}

export function conceptHeldOut(baseLabel: string, split: Pick<ConceptSplit, 'heldOut' | 'seed'>): boolean {
  let h = 0x811c9dc5 ^ (split.seed ?? 0);
  for (const ch of baseLabel) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995) >>> 0;
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32 < split.heldOut;
}

/** Does the split (if any) let this concept through? */
export function conceptTaken(baseLabel: string, split: ConceptSplit | undefined): boolean {
  if (!split) return true;
  return conceptHeldOut(baseLabel, split) === (split.take === 'held-out');
}
