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
  const span = x1 - x0;
  const scale = span > 0 ? n / span : 0;
  let kept = 0;
  for (let i = 0; i < length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!(x >= x0 && x <= x1) || y !== y || y === Infinity || y === -Infinity) continue;
    let b = ((x - x0) * scale) | 0;
    if (b >= n) b = n - 1;
    const l = lo[b];
    if (l < 0) {
      lo[b] = hi[b] = i;
      kept++;
      continue;
    }
    if (y < ys[l]) lo[b] = i;
    else if (y > ys[hi[b]]) hi[b] = i;
  }
  const out: Point[] = [];
  if (kept === 0) return out;
  for (let b = 0; b < n; b++) {
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
