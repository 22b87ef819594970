// Min-max decimation: what makes a million points cheap to draw. A line chart cannot show more
// than one vertical stroke per pixel column, so per x-bucket (one per pixel of the plot's width)
// we keep the lowest and the highest point, in their original order: the line then covers exactly
// the column's range. Spikes (a loss blow-up, a throughput dip) survive, which LTTB-style sampling
// does not promise, and the scan is one pass over typed arrays: no objects until the few thousand
// points chart.js receives. (First/last per bucket as well would double the points drawn for a
// difference smaller than a pixel; drawing, not scanning, is the dashboard's cost.)
//
// Pure and DOM-free: unit-tested in node, bundled into the dashboard.

export interface Point {
  x: number;
  y: number;
}

/**
 * Decimate (xs[i], ys[i]) restricted to x in [x0, x1] into at most 2·buckets points.
 * Non-finite values (a step without that metric) are skipped. xs need not be sorted (a resumed
 * run repeats steps); output is in bucket order, and by index within a bucket.
 */
export function minMaxDecimate(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, buckets: number, length = Math.min(xs.length, ys.length)): Point[] {
  const n = Math.max(1, Math.floor(buckets));
  const lo = new Int32Array(n).fill(-1);
  const hi = new Int32Array(n).fill(-1);
  scan(xs, ys, 0, length, x0, x1, lo, hi);
  return emit(xs, ys, lo, hi);
}

/** Fold rows [from, to) into the per-bucket indices of the lowest and highest y. */
function scan(xs: ArrayLike<number>, ys: ArrayLike<number>, from: number, to: number, x0: number, x1: number, lo: Int32Array, hi: Int32Array): void {
  const n = lo.length;
  const span = x1 - x0;
  const scale = span > 0 ? n / span : 0;
  for (let i = from; i < to; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!(x >= x0 && x <= x1) || y !== y || y === Infinity || y === -Infinity) continue;
    let b = ((x - x0) * scale) | 0;
    if (b >= n) b = n - 1;
    const l = lo[b];
    if (l < 0) {
      lo[b] = hi[b] = i;
      continue;
    }
    if (y < ys[l]) lo[b] = i;
    else if (y > ys[hi[b]]) hi[b] = i;
  }
}

function emit(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: Int32Array, hi: Int32Array): Point[] {
  const out: Point[] = [];
  for (let b = 0; b < lo.length; b++) {
    const l = lo[b];
    if (l < 0) continue;
    const h = hi[b];
    const a = l < h ? l : h;
    const c = l < h ? h : l;
    out.push({ x: xs[a], y: ys[a] });
    if (c !== a) out.push({ x: xs[c], y: ys[c] });
  }
  return out;
}

/**
 * One series' decimation, kept between draws. A live run only appends rows, and while the x range
 * and the bucket count stay the same (the dashboard pads the range to a round number so they do),
 * only the new rows are scanned: a step event costs O(new rows + buckets), not O(all rows).
 * `source` identifies the growing table: a different one (a new full state) starts over.
 */
export class MinMaxCache {
  private lo = new Int32Array(0);
  private hi = new Int32Array(0);
  private key = '';
  private done = 0;
  private source: object | null = null;
  private points: Point[] = [];

  update(source: object, xs: ArrayLike<number>, ys: ArrayLike<number>, length: number, x0: number, x1: number, buckets: number): Point[] {
    const n = Math.max(1, Math.floor(buckets));
    const key = `${x0}|${x1}|${n}`;
    let from = this.done;
    if (source !== this.source || key !== this.key || length < this.done) {
      this.lo = new Int32Array(n).fill(-1);
      this.hi = new Int32Array(n).fill(-1);
      from = 0;
    } else if (from === length) {
      return this.points;
    }
    scan(xs, ys, from, length, x0, x1, this.lo, this.hi);
    this.source = source;
    this.key = key;
    this.done = length;
    this.points = emit(xs, ys, this.lo, this.hi);
    return this.points;
  }
}

/** Round up to two significant digits (17858 -> 18000): an axis end that stays put while a run grows. */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return v;
  const p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
  // toPrecision drops the float noise of the product (0.013000000000000001 -> 0.013)
  return Number((Math.ceil(v / p - 1e-9) * p).toPrecision(2));
}

/** The finite x range of several columns (for the shared x axis). */
export function extent(columns: ArrayLike<number>[], lengths?: number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  columns.forEach((c, k) => {
    const n = lengths?.[k] ?? c.length;
    for (let i = 0; i < n; i++) {
      const v = c[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  });
  return [min, max];
}
