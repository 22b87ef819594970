// Min-max decimation (webview/dashboard/decimate.ts): what the dashboard draws must keep every
// bucket's extremes, so a spike in a million points is still on screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MinMaxCache, extent, minMaxDecimate, niceCeil } from '../../webview/dashboard/decimate';

function lcg(seed: number) {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
}

test('every bucket keeps its minimum and maximum (a single spike survives 1,000,000 → 2 per pixel)', () => {
  const n = 1_000_000;
  const rand = lcg(7);
  const xs = new Float64Array(n).map((_, i) => i);
  const ys = new Float64Array(n).map(() => rand());
  ys[123_457] = 50; // a loss spike
  ys[876_543] = -50;
  const buckets = 500;
  const out = minMaxDecimate(xs, ys, 0, n - 1, buckets);
  assert.ok(out.length <= 2 * buckets, `${out.length} points`);
  const width = (n - 1) / buckets;
  for (let b = 0; b < buckets; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = Math.ceil(b * width); i < Math.min(n, (b + 1) * width); i++) {
      lo = Math.min(lo, ys[i]);
      hi = Math.max(hi, ys[i]);
    }
    const inBucket = out.filter((p) => Math.min(buckets - 1, Math.floor(p.x / width)) === b).map((p) => p.y);
    if (lo === Infinity) continue;
    assert.ok(inBucket.includes(lo) && inBucket.includes(hi), `bucket ${b}`);
  }
  assert.ok(out.some((p) => p.y === 50) && out.some((p) => p.y === -50));
});

test('output is in x order, non-finite values are skipped, and only [x0, x1] is kept', () => {
  const xs = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const ys = Float64Array.from([5, NaN, 1, Infinity, 9, 2, 2, 2, 7, 3]);
  const out = minMaxDecimate(xs, ys, 2, 8, 3);
  assert.deepEqual(out.map((p) => p.x), [...out.map((p) => p.x)].sort((a, b) => a - b));
  assert.ok(out.every((p) => Number.isFinite(p.y) && p.x >= 2 && p.x <= 8));
  assert.ok(out.some((p) => p.y === 9) && out.some((p) => p.y === 1));
});

test('short series pass through whole; an empty or all-NaN series gives nothing', () => {
  const xs = Float64Array.from([1, 2, 3]);
  assert.deepEqual(minMaxDecimate(xs, Float64Array.from([3, 1, 2]), 1, 3, 100), [
    { x: 1, y: 3 },
    { x: 2, y: 1 },
    { x: 3, y: 2 },
  ]);
  assert.deepEqual(minMaxDecimate(xs, Float64Array.from([NaN, NaN, NaN]), 1, 3, 10), []);
  assert.deepEqual(minMaxDecimate(new Float64Array(0), new Float64Array(0), 0, 1, 10), []);
});

test('a resumed run (steps repeated) still decimates: buckets by x value, not by index', () => {
  const xs = Float64Array.from([1, 2, 3, 4, 3, 4, 5]);
  const ys = Float64Array.from([1, 1, 1, 1, 8, 0, 1]);
  const out = minMaxDecimate(xs, ys, 1, 5, 2);
  assert.ok(out.some((p) => p.y === 8) && out.some((p) => p.y === 0));
});

test('extent spans the given lengths only (growing columns have unused capacity)', () => {
  assert.deepEqual(extent([Float64Array.from([3, 1, 9, 100]), Float64Array.from([-2, 5])], [3, 2]), [-2, 9]);
});

test('the incremental cache, fed appended rows, gives exactly what a full decimation gives', () => {
  const rand = lcg(3);
  const cap = 5000;
  const xs = new Float64Array(cap).map((_, i) => i + 1);
  const ys = new Float64Array(cap).map(() => rand());
  const cache = new MinMaxCache();
  const table = {};
  let len = 1000;
  const x1 = niceCeil(cap);
  assert.deepEqual(cache.update(table, xs, ys, len, 1, x1, 300), minMaxDecimate(xs, ys, 1, x1, 300, len));
  while (len < cap) {
    len = Math.min(cap, len + 1 + Math.floor(rand() * 50));
    assert.deepEqual(cache.update(table, xs, ys, len, 1, x1, 300), minMaxDecimate(xs, ys, 1, x1, 300, len), `length ${len}`);
  }
  // a new range or a new table starts over
  assert.deepEqual(cache.update(table, xs, ys, len, 1, 2000, 300), minMaxDecimate(xs, ys, 1, 2000, 300, len));
  assert.deepEqual(cache.update({}, xs, ys, 10, 1, 2000, 300), minMaxDecimate(xs, ys, 1, 2000, 300, 10));
});

test('niceCeil rounds up to two significant digits', () => {
  assert.equal(niceCeil(17858), 18000);
  assert.equal(niceCeil(18000), 18000);
  assert.equal(niceCeil(0.0123), 0.013);
  assert.equal(niceCeil(5.3e12), 5.3e12);
  assert.equal(niceCeil(0), 0);
});
