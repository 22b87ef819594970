// Synthetic image-text pairs for tests: coloured shapes drawn into raw RGB, captioned by what is
// drawn ("a red circle"), so a tiny model can learn them. Caption noise, duplication and the seed
// are controlled exactly, and each example is tagged with what was done to it, so tests of the
// scoring and selection layers can plant what JEST must find (mismatched pairs are unlearnable,
// vague ones are hard, duplicates are redundant) and check it was found.

import { Rng } from './prng';
import type { Rgb } from './decode/settings';
import type { Example, NoiseTag } from './types';

export const SYNTHETIC_COLOURS: Record<string, Rgb> = {
  red: [220, 30, 30],
  green: [30, 160, 40],
  blue: [30, 70, 220],
  yellow: [240, 200, 0],
  purple: [140, 40, 170],
  orange: [250, 130, 0],
  black: [0, 0, 0],
  cyan: [0, 190, 210],
};

export type ShapeName = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'ring';
export const SYNTHETIC_SHAPES: ShapeName[] = ['circle', 'square', 'triangle', 'diamond', 'cross', 'ring'];

export interface SyntheticClass {
  colour: string; // a key of SYNTHETIC_COLOURS
  shape: ShapeName;
}

export interface SyntheticOptions {
  n: number;
  /** Side of the drawn image in pixels; default 16. */
  imageSize?: number;
  seed?: number;
  /** Exact fraction (rounded to a count) whose caption names a DIFFERENT class. */
  mismatchFraction?: number;
  /** Exact fraction whose caption says nothing about the image ("a shape"). */
  vagueFraction?: number;
  /** Exact fraction that are copies (pixels and caption) of another example in the set. */
  duplicateFraction?: number;
  /** Default: every colour x shape (8 x 6 = 48 classes). */
  classes?: SyntheticClass[];
  /** Draw small or large shapes and say so in the caption ("a small red circle"); default false. */
  sizeWords?: boolean;
  /** Default white. */
  background?: Rgb;
}

export interface SyntheticExample extends Example {
  noise: NoiseTag;
  /** The drawn class, e.g. "red circle"; the caption says it unless noise says otherwise. */
  label: string;
  /** The caption a clean example of this image would have. */
  trueCaption: string;
  /** For duplicates: the id of the example copied. */
  duplicateOf?: string;
}

export const VAGUE_CAPTIONS = ['a shape', 'an object', 'something', 'a picture', 'an image', 'a thing'];

export function allSyntheticClasses(): SyntheticClass[] {
  return Object.keys(SYNTHETIC_COLOURS).flatMap((colour) => SYNTHETIC_SHAPES.map((shape) => ({ colour, shape })));
}

/** Inside-test for each shape on coordinates normalised to the shape's radius (|u|,|v| <= 1). */
const INSIDE: Record<ShapeName, (u: number, v: number) => boolean> = {
  circle: (u, v) => u * u + v * v <= 1,
  square: (u, v) => Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85,
  // v grows downwards: the apex is at the top (v = -1), the base at v = 0.8.
  triangle: (u, v) => v >= -1 && v <= 0.8 && Math.abs(u) <= (v + 1) / 1.8,
  diamond: (u, v) => Math.abs(u) + Math.abs(v) <= 1,
  cross: (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1),
  ring: (u, v) => {
    const d = u * u + v * v;
    return d <= 1 && d >= 0.45;
  },
};

/** Draw one shape with 4x4 supersampling (anti-aliased edges survive the 16 px scale). */
export function drawShape(size: number, cls: SyntheticClass, radius: number, cx: number, cy: number, background: Rgb): Uint8Array {
  const colour = SYNTHETIC_COLOURS[cls.colour];
  if (!colour) throw new Error(`unknown synthetic colour "${cls.colour}": use one of ${Object.keys(SYNTHETIC_COLOURS).join(', ')}`);
  const inside = INSIDE[cls.shape];
  if (!inside) throw new Error(`unknown synthetic shape "${cls.shape}": use one of ${SYNTHETIC_SHAPES.join(', ')}`);
  const out = new Uint8Array(size * size * 3);
  const SS = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const u = ((x + (sx + 0.5) / SS) / size - cx) / radius;
          const v = ((y + (sy + 0.5) / SS) / size - cy) / radius;
          if (inside(u, v)) hits++;
        }
      }
      const a = hits / (SS * SS);
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(a * colour[c] + (1 - a) * background[c]);
    }
  }
  return out;
}

function checkFraction(name: string, f: number): void {
  if (!(f >= 0 && f <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${f}`);
}

export function synthetic(options: SyntheticOptions): SyntheticExample[] {
  const { n, imageSize = 16, seed = 0, mismatchFraction = 0, vagueFraction = 0, duplicateFraction = 0, sizeWords = false } = options;
  const background = options.background ?? [255, 255, 255];
  const classes = options.classes ?? allSyntheticClasses();
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`synthetic n must be a non-negative integer, got ${n}`);
  if (classes.length === 0) throw new RangeError('synthetic needs at least one class');
  checkFraction('mismatchFraction', mismatchFraction);
  checkFraction('vagueFraction', vagueFraction);
  checkFraction('duplicateFraction', duplicateFraction);
  const nDup = Math.round(n * duplicateFraction);
  const nMis = Math.round(n * mismatchFraction);
  const nVague = Math.round(n * vagueFraction);
  if (nDup + nMis + nVague > n) throw new RangeError('mismatch + vague + duplicate fractions add up to more than 1');
  if (nMis > 0 && classes.length < 2) throw new RangeError('mismatched captions need at least two classes');

  const rng = new Rng(seed);
  // Which positions get which treatment: exact counts, spread at random.
  const slots = rng.shuffle([...Array(n).keys()]);
  const tag: NoiseTag[] = new Array(n).fill('clean');
  slots.slice(0, nDup).forEach((i) => (tag[i] = 'duplicate'));
  slots.slice(nDup, nDup + nMis).forEach((i) => (tag[i] = 'mismatched'));
  slots.slice(nDup + nMis, nDup + nMis + nVague).forEach((i) => (tag[i] = 'vague'));

  const originals: number[] = [];
  const out: SyntheticExample[] = [];
  const pending: number[] = []; // duplicates before any original exists are filled at the end
  for (let i = 0; i < n; i++) {
    const id = `synthetic:${seed}:${i}`;
    if (tag[i] === 'duplicate') {
      out.push(undefined as unknown as SyntheticExample);
      pending.push(i);
      continue;
    }
    const cls = classes[rng.int(classes.length)];
    const small = sizeWords && rng.float() < 0.5;
    const radius = sizeWords ? (small ? rng.range(0.18, 0.24) : rng.range(0.36, 0.44)) : rng.range(0.26, 0.42);
    // Keep the whole shape inside the frame.
    const cx = rng.range(radius, 1 - radius);
    const cy = rng.range(radius, 1 - radius);
    const label = `${cls.colour} ${cls.shape}`;
    const trueCaption = `a ${sizeWords ? (small ? 'small ' : 'large ') : ''}${label}`;
    let caption = trueCaption;
    if (tag[i] === 'mismatched') {
      let other = classes[rng.int(classes.length)];
      while (other.colour === cls.colour && other.shape === cls.shape) other = classes[rng.int(classes.length)];
      caption = `a ${other.colour} ${other.shape}`;
    } else if (tag[i] === 'vague') caption = rng.pick(VAGUE_CAPTIONS);
    out[i] = {
      id,
      caption,
      label,
      trueCaption,
      noise: tag[i],
      image: { kind: 'pixels', width: imageSize, height: imageSize, channels: 3, data: drawShape(imageSize, cls, radius, cx, cy, background) },
      provenance: { source: 'synthetic', where: id, noise: tag[i], seed },
    };
    if (tag[i] === 'clean') originals.push(i);
  }
  // A duplicate copies a clean example, so "redundant" is never confused with "noisy".
  for (const i of pending) {
    if (originals.length === 0) throw new RangeError('duplicates need at least one clean example to copy');
    const src = out[rng.pick(originals)];
    const id = `synthetic:${seed}:${i}`;
    out[i] = { ...src, id, noise: 'duplicate', duplicateOf: src.id, provenance: { ...src.provenance, where: id, noise: 'duplicate', duplicateOf: src.id } };
  }
  return out;
}
