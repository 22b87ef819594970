import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochPermutation, Rng } from '../../src/data/prng';

test('the same seed gives the same stream, different seeds different streams', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(sa, Array.from({ length: 8 }, () => b.nextU32()));
  assert.notDeepEqual(sa, Array.from({ length: 8 }, () => c.nextU32()));
});

test('int(n) stays in range and is roughly uniform', () => {
  const rng = new Rng(1);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[rng.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `bucket count ${c} far from 10000`);
  assert.throws(() => rng.int(0), /integer 1 <= n/);
});

test('an epoch order is a permutation fixed by (seed, epoch)', () => {
  const p = epochPermutation(1000, 7, 0);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p, epochPermutation(1000, 7, 0));
  assert.notDeepEqual(p, epochPermutation(1000, 7, 1), 'epochs reshuffle');
  assert.notDeepEqual(p, epochPermutation(1000, 8, 0), 'seeds differ');
});
