// The dashboard's metric columns as they grow, on both sides of the wire: the host appends one row
// per engine event (extension/panels/dashboardData.ts), the page appends the rows of each delta
// (webview/dashboard/main.ts). One definition, so the two copies of a run cannot drift apart.
// Capacity doubles, so a live run's stream of rows costs amortised O(1) per value; `length` is the
// row count (the arrays may be longer). DOM- and Node-free.
import type { MetricTable } from './dashboard';

export class GrowingTable {
  step: Float64Array;
  flops: Float64Array;
  readonly columns = new Map<string, Float64Array>();
  /** Rows so far (the arrays' capacity may be larger). */
  length: number;
  /** Finite values over all columns (the "points" the dashboard reports), kept as rows arrive. */
  points = 0;

  /** Adopts a posted table as is (no copy): the page keeps the full state it was sent. */
  constructor(t?: MetricTable, keys: readonly string[] = []) {
    this.step = t?.step ?? new Float64Array(64);
    this.flops = t?.flops ?? new Float64Array(64);
    this.length = t?.step.length ?? 0;
    if (t) {
      for (const [k, v] of Object.entries(t.columns)) {
        this.columns.set(k, v);
        this.points += countFinite(v, v.length);
      }
    }
    for (const k of keys) if (!this.columns.has(k)) this.columns.set(k, new Float64Array(this.step.length).fill(NaN));
  }

  private grow(a: Float64Array, need: number): Float64Array {
    if (need <= a.length) return a;
    const next = new Float64Array(Math.max(need, a.length * 2, 64));
    next.set(a.subarray(0, this.length));
    return next;
  }

  /** A column first seen now: NaN for every earlier row (and the spare capacity). */
  private column(k: string): Float64Array {
    let c = this.columns.get(k);
    if (!c) this.columns.set(k, (c = new Float64Array(this.step.length).fill(NaN)));
    return c;
  }

  /** One row (the host: one engine event); keys not in `values` get NaN. */
  push(step: number, flops: number, values: Record<string, number>): void {
    for (const k of Object.keys(values)) this.column(k);
    const i = this.length;
    const need = i + 1;
    this.step = this.grow(this.step, need);
    this.flops = this.grow(this.flops, need);
    this.step[i] = step;
    this.flops[i] = flops;
    for (const [k, col] of this.columns) {
      const c = this.grow(col, need);
      const v = k in values ? values[k] : NaN;
      c[i] = v;
      if (Number.isFinite(v)) this.points++;
      if (c !== col) this.columns.set(k, c);
    }
    this.length = need;
  }

  /** The rows of a delta (the page), after the rows already here. */
  append(d: MetricTable): void {
    const n = d.step.length;
    if (n === 0) return;
    for (const k of Object.keys(d.columns)) this.column(k);
    const need = this.length + n;
    this.step = this.grow(this.step, need);
    this.flops = this.grow(this.flops, need);
    this.step.set(d.step, this.length);
    this.flops.set(d.flops, this.length);
    for (const [k, col] of this.columns) {
      const c = this.grow(col, need);
      const src = d.columns[k];
      if (src) {
        c.set(src, this.length);
        this.points += countFinite(src, src.length);
      } else c.fill(NaN, this.length, need);
      if (c !== col) this.columns.set(k, c);
    }
    this.length = need;
  }

  /** A copy of rows [from, length): posted messages must not alias arrays that keep growing. */
  table(from = 0): MetricTable {
    const columns: Record<string, Float64Array> = {};
    for (const [k, c] of this.columns) columns[k] = c.slice(from, this.length);
    return { step: this.step.slice(from, this.length), flops: this.flops.slice(from, this.length), columns };
  }

  /** Finite values of one column (no copy). */
  finite(key: string): number {
    const c = this.columns.get(key);
    return c ? countFinite(c, this.length) : 0;
  }
}

function countFinite(a: Float64Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(a[i])) k++;
  return k;
}
