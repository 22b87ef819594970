// The webview's copy of each shown run's columns. Full states are adopted as they arrive (no
// copy); deltas are appended into capacity-doubling typed arrays, so a live run's stream of small
// messages costs amortised O(1) per point.
import type { MetricTable } from '../../protocol/dashboard';

export class GrowingTable {
  step: Float64Array;
  flops: Float64Array;
  columns = new Map<string, Float64Array>();
  length: number;
  /** Finite values over all columns (the "points" the dashboard reports), kept as rows arrive. */
  points = 0;

  constructor(t: MetricTable) {
    this.step = t.step;
    this.flops = t.flops;
    this.length = t.step.length;
    for (const [k, v] of Object.entries(t.columns)) {
      this.columns.set(k, v);
      this.points += finite(v);
    }
  }

  private grow(a: Float64Array, need: number): Float64Array {
    if (need <= a.length) return a;
    const next = new Float64Array(Math.max(need, a.length * 2, 64));
    next.set(a.subarray(0, this.length));
    return next;
  }

  append(d: MetricTable): void {
    const n = d.step.length;
    if (n === 0) return;
    const need = this.length + n;
    this.step = this.grow(this.step, need);
    this.flops = this.grow(this.flops, need);
    this.step.set(d.step, this.length);
    this.flops.set(d.flops, this.length);
    // a column new in this delta has NaN for every earlier row
    for (const k of Object.keys(d.columns)) if (!this.columns.has(k)) this.columns.set(k, new Float64Array(this.step.length).fill(NaN));
    for (const [k, col] of this.columns) {
      const c = this.grow(col, need);
      const src = d.columns[k];
      if (src) {
        c.set(src, this.length);
        this.points += finite(src);
      }
      else c.fill(NaN, this.length, need);
      this.columns.set(k, c);
    }
    this.length = need;
  }

}

function finite(a: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) n++;
  return n;
}
