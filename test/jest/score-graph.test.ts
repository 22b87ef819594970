// The fused selection-score graph equals the scores computed from its parts: the learner's
// per-pair losses (runEvalStep), the reference's pair losses from its embeddings (in JS, float64),
// S = L − R, and the sums behind the "random batch" statistic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreSuperBatch } from '../../src/jest/scoring';
import { scoreMatrix } from '../../src/jest/scores';
import { pairScores } from '../../src/jest/selection';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { TrainingSession } from '../../src/runtime/training-session';
import { Rng } from '../../src/util/rng';

const MODEL = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 40, seqLen: 4 };

test('score graph: S = L − R, diagonals and sums match a direct computation', async () => {
  const B = 12;
  const E = 8;
  const rng = new Rng(3);
  const pixels = Uint8Array.from({ length: B * 16 * 16 * 3 }, () => rng.int(256));
  const tokens = Int32Array.from({ length: B * 4 }, () => rng.int(40));
  const unit = () => {
    const z = Float32Array.from({ length: B * E }, () => rng.normal());
    for (let i = 0; i < B; i++) {
      const row = z.subarray(i * E, (i + 1) * E);
      const n = Math.hypot(...row);
      row.forEach((v, k) => (row[k] = v / n));
    }
    return z;
  };
  const ref = { image: unit(), text: unit(), embedDim: E, tPrime: Math.log(10), bias: -10 };
  const session = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, seed: 2, runtime: { device: 'cpu', threads: 1 } });
  const L = (await session.runEvalStep({ images: [{ patchSize: 8, pixels }], tokens })).pairLosses;
  const R = new Float32Array(B * B);
  for (let i = 0; i < B; i++)
    for (let j = 0; j < B; j++) {
      let dot = 0;
      for (let k = 0; k < E; k++) dot += ref.image[i * E + k] * ref.text[j * E + k];
      const logit = Math.exp(ref.tPrime) * dot + ref.bias;
      const z = i === j ? 1 : -1;
      R[i * B + j] = Math.log1p(Math.exp(-z * logit));
    }
  const want = scoreMatrix('learnability', B, L, R);
  const got = await scoreSuperBatch(session, MODEL, { score: 'learnability', superBatch: B, patchSize: 8, referenceEmbedDim: E, withMatrix: true }, { pixels, tokens }, ref);
  got.matrix!.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `S[${i}] ${v} vs ${want[i]}`));
  const wantPairs = pairScores(want, B);
  got.pairs.sym.forEach((v, i) => assert.ok(Math.abs(v - wantPairs.sym[i]) < 2e-4, `(S + Sᵀ)[${i}]`));
  got.pairs.diag.forEach((v, i) => assert.ok(Math.abs(v - wantPairs.diag[i]) < 1e-4));
  let total = 0;
  let trace = 0;
  want.forEach((v, i) => (total += v));
  for (let i = 0; i < B; i++) trace += want[i * B + i];
  assert.ok(Math.abs(got.total - total) < 1e-3 && Math.abs(got.trace - trace) < 1e-3);
  for (let i = 0; i < B; i++) {
    assert.ok(Math.abs(got.learnerDiag![i] - L[i * B + i]) < 1e-5);
    assert.ok(Math.abs(got.referenceDiag![i] - R[i * B + i]) < 1e-4);
  }
  // easy-reference needs no learner pass at all: S = −R
  const easy = await scoreSuperBatch(session, MODEL, { score: 'easy-reference', superBatch: B, patchSize: 8, referenceEmbedDim: E }, null, ref);
  assert.equal(easy.matrix, null, 'S itself is only output when asked for');
  for (let i = 0; i < B; i++) assert.ok(Math.abs(easy.pairs.diag[i] + R[i * B + i]) < 1e-4);
  assert.equal(easy.learnerDiag, null);
  await session.release();
});
