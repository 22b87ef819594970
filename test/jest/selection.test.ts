// Selection on planted score matrices: joint selection finds a block that is only learnable
// jointly, never repeats an index, returns exactly b for every accepted setting, and samples the
// softmax it claims to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gumbelTopK, independentSelect, softmaxDraws, jointSelect, pairScores, randomSubBatchScore, subBatchScore, uniformSelect } from '../../src/jest/selection';
import { scoreMatrix } from '../../src/jest/scores';
import { Rng } from '../../src/util/rng';

/** n×n scores: `block` items whose mutual pairs score `pair` (diagonal 0 everywhere), plus noise. */
function planted(n: number, block: number[], pair: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const s = new Float32Array(n * n);
  for (let i = 0; i < s.length; i++) s[i] = (r.uniform() - 0.5) * 0.1;
  for (const i of block) for (const j of block) if (i !== j) s[i * n + j] += pair;
  for (let i = 0; i < n; i++) s[i * n + i] = 0;
  return s;
}

test('joint selection finds a block learnable only jointly; independent selection cannot see it', () => {
  const n = 64;
  const b = 16;
  let jointHits = 0;
  let independentHits = 0;
  const seeds = 20;
  for (let seed = 0; seed < seeds; seed++) {
    const r = new Rng(seed);
    const block = Array.from(uniformSelect(n, b, r));
    const s = planted(n, block, 1, seed);
    const inBlock = new Set(block);
    const joint = jointSelect(pairScores(s, n), b, { chunks: 4, temperature: 1 }, new Rng(100 + seed)).indices;
    const indep = independentSelect(pairScores(s, n), b, { mode: 'sample', perExample: 'diagonal', temperature: 1 }, new Rng(100 + seed));
    jointHits += Array.from(joint).filter((i) => inBlock.has(i)).length;
    independentHits += Array.from(indep).filter((i) => inBlock.has(i)).length;
  }
  const jointRecall = jointHits / (seeds * b);
  const indepRecall = independentHits / (seeds * b);
  // A random 16 of 64 holds a quarter of the block on average.
  assert.ok(jointRecall > 0.6, `joint selection recovered ${(jointRecall * 100).toFixed(0)}% of the block`);
  assert.ok(indepRecall < 0.4, `independent selection recovered ${(indepRecall * 100).toFixed(0)}% (should be near chance, 25%)`);
});

test('joint selection returns exactly b distinct indices for every filter ratio and chunk count', () => {
  const n = 80;
  const s = planted(n, [1, 2, 3], 0.5, 1);
  for (const f of [0.5, 0.8, 0.9]) {
    const b = Math.round(n * (1 - f));
    for (const chunks of [1, 2, 4, b].filter((c) => b % c === 0)) {
      const idx = jointSelect(pairScores(s, n), b, { chunks, temperature: 1 }, new Rng(chunks)).indices;
      assert.equal(idx.length, b, `f=${f} chunks=${chunks}`);
      assert.equal(new Set(idx).size, b, `f=${f} chunks=${chunks}: repeated index`);
      assert.ok(Array.from(idx).every((i) => i >= 0 && i < n));
    }
  }
  assert.throws(() => jointSelect(pairScores(s, n), 16, { chunks: 3, temperature: 1 }, new Rng(1)), /divisible by the number of chunks 3/);
  assert.throws(() => jointSelect(pairScores(s, n), 81, { chunks: 1, temperature: 1 }, new Rng(1)), /cannot select 81 of 80/);
});

test('the batch score joint selection keeps while drawing equals the sub-matrix sum', () => {
  const n = 50;
  const r = new Rng(2);
  const s = Float32Array.from({ length: n * n }, () => r.normal());
  const p = pairScores(s, n);
  for (const chunks of [1, 2, 5, 10]) {
    const j = jointSelect(p, 10, { chunks, temperature: 1 }, new Rng(chunks));
    assert.ok(Math.abs(j.score - subBatchScore(p, j.indices)) < 1e-4, `chunks ${chunks}: ${j.score} vs ${subBatchScore(p, j.indices)}`);
  }
});

test('selection is reproducible from its seed', () => {
  const s = planted(40, [0, 5, 9], 1, 3);
  const a = jointSelect(pairScores(s, 40), 8, { chunks: 4, temperature: 1 }, new Rng(7)).indices;
  const b = jointSelect(pairScores(s, 40), 8, { chunks: 4, temperature: 1 }, new Rng(7)).indices;
  assert.deepEqual(a, b);
});

test('joint selection raises the batch score above a random batch and above the independent pick when pairs matter', () => {
  const n = 64;
  const b = 16;
  const r = new Rng(5);
  const block = Array.from(uniformSelect(n, b, r));
  const s = planted(n, block, 1, 5);
  const joint = jointSelect(pairScores(s, n), b, { chunks: 16, temperature: 1 }, new Rng(1)).indices;
  const indep = independentSelect(pairScores(s, n), b, { mode: 'topk', perExample: 'diagonal', temperature: 1 }, new Rng(1));
  let total = 0;
  let trace = 0;
  s.forEach((v) => (total += v));
  for (let i = 0; i < n; i++) trace += s[i * n + i];
  const random = randomSubBatchScore(total, trace, n, b);
  const p = pairScores(s, n);
  assert.ok(subBatchScore(p, joint) > subBatchScore(p, indep) + 50, `joint ${subBatchScore(pairScores(s, n), joint)} vs independent ${subBatchScore(pairScores(s, n), indep)}`);
  assert.ok(subBatchScore(pairScores(s, n), joint) > random + 50);
});

test('independent top-k keeps the best per-example scores; batch mode counts both directions', () => {
  const n = 5;
  const s = new Float32Array(n * n);
  [3, 1, 4, 1, 5].forEach((v, i) => (s[i * n + i] = v));
  assert.deepEqual(Array.from(independentSelect(pairScores(s, n), 2, { mode: 'topk', perExample: 'diagonal', temperature: 1 }, new Rng(0))), [4, 2]);
  s[0 * n + 3] = 10; // example 3 pairs well with example 0
  assert.deepEqual(Array.from(independentSelect(pairScores(s, n), 2, { mode: 'topk', perExample: 'batch', temperature: 1 }, new Rng(0))), [0, 3]);
});

test('sequential softmax draws: first-draw frequencies, second draws without replacement, masked never drawn', () => {
  const logits = Float64Array.from([0, 1, 2, Math.log(0.5)]);
  const z = logits.reduce((a, l) => a + Math.exp(l), 0);
  const p = Array.from(logits, (l) => Math.exp(l) / z);
  const first = [0, 0, 0, 0];
  const pairs = new Map<string, number>();
  const rng = new Rng(10);
  const trials = 20000;
  for (let t = 0; t < trials; t++) {
    const [a, b] = softmaxDraws(logits, new Uint8Array(4), 2, 1, rng);
    assert.notEqual(a, b);
    first[a]++;
    pairs.set(`${a}${b}`, (pairs.get(`${a}${b}`) ?? 0) + 1);
  }
  first.forEach((c, i) => assert.ok(Math.abs(c / trials - p[i]) < 0.012, `p[${i}] ${c / trials} vs ${p[i]}`));
  // P(2 then 1) = p2 · p1 / (1 − p2)
  const want = (p[2] * p[1]) / (1 - p[2]);
  assert.ok(Math.abs((pairs.get('21') ?? 0) / trials - want) < 0.012);
  const masked = Uint8Array.from([0, 0, 1, 0]);
  for (let t = 0; t < 200; t++) assert.ok(!softmaxDraws(logits, masked, 3, 1, rng).includes(2));
  // extreme logits: no overflow, the dominant candidate comes first
  assert.equal(softmaxDraws(Float64Array.from([1e4, 0, -1e4]), new Uint8Array(3), 3, 1, rng)[0], 0);
});

test('Gumbel-top-k draws the softmax it claims (first draw frequencies)', () => {
  const logits = Float64Array.from([0, 1, 2, Math.log(0.5)]);
  const z = logits.reduce((a, l) => a + Math.exp(l), 0);
  const expected = Array.from(logits, (l) => Math.exp(l) / z);
  const counts = [0, 0, 0, 0];
  const rng = new Rng(9);
  const trials = 20000;
  for (let t = 0; t < trials; t++) counts[gumbelTopK(logits, new Uint8Array(4), 1, 1, rng)[0]]++;
  counts.forEach((c, i) => assert.ok(Math.abs(c / trials - expected[i]) < 0.012, `p[${i}] ${c / trials} vs ${expected[i]}`));
  // masked candidates are never drawn
  const masked = Uint8Array.from([0, 0, 1, 0]);
  for (let t = 0; t < 200; t++) assert.ok(!gumbelTopK(logits, masked, 3, 1, rng).includes(2));
});

test('score matrices: learnability = L − R, hard learner = L, easy reference = −R', () => {
  const L = Float32Array.from([1, 2, 3, 4]);
  const R = Float32Array.from([0.5, 0.5, 1, 1]);
  assert.deepEqual(Array.from(scoreMatrix('learnability', 2, L, R)), [0.5, 1.5, 2, 3]);
  assert.deepEqual(Array.from(scoreMatrix('hard-learner', 2, L, null)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(scoreMatrix('easy-reference', 2, null, R)), [-0.5, -0.5, -1, -1]);
  assert.throws(() => scoreMatrix('learnability', 2, L, null), /needs the reference/);
});
