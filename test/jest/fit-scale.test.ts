// The temperature / bias fit for references trained with another loss (a CLIP): it must find the
// sigmoid loss's minimum over (t', b), recover the scale of data that was made with a known one,
// and refuse what it cannot fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/data/prng';
import { fitSigmoidScale, MAX_SCALE } from '../../src/jest/fit-scale';

/** n matching pairs in E dims: text = image + noise, both L2-normalised. */
function pairs(n: number, E: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const image = new Float32Array(n * E);
  const text = new Float32Array(n * E);
  for (let i = 0; i < n; i++) {
    let si = 0, st = 0;
    for (let k = 0; k < E; k++) {
      const x = normal();
      image[i * E + k] = x;
      text[i * E + k] = x + noise * normal();
    }
    for (let k = 0; k < E; k++) { si += image[i * E + k] ** 2; st += text[i * E + k] ** 2; }
    for (let k = 0; k < E; k++) { image[i * E + k] /= Math.sqrt(si); text[i * E + k] /= Math.sqrt(st); }
  }
  return { image, text };
}

function meanLoss(image: Float32Array, text: Float32Array, E: number, t: number, b: number): number {
  const n = image.length / E;
  let l = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let c = 0;
    for (let k = 0; k < E; k++) c += image[i * E + k] * text[j * E + k];
    const z = i === j ? 1 : -1;
    l += Math.log1p(Math.exp(-z * (Math.exp(t) * c + b)));
  }
  return l / (n * n);
}

test('the fit is the sigmoid loss minimum: every nearby (t\', b) is worse, and it beats SigLIP\'s init', () => {
  const E = 16;
  const { image, text } = pairs(64, E, 0.6, 3);
  const f = fitSigmoidScale(image, text, E);
  assert.ok(Number.isFinite(f.tPrime) && Number.isFinite(f.bias));
  assert.ok(Math.abs(meanLoss(image, text, E, f.tPrime, f.bias) - f.loss) < 1e-9, 'reported loss is the loss at the fit');
  assert.ok(f.loss < f.lossAtInit, `${f.loss} < ${f.lossAtInit}`);
  for (const [dt, db] of [[0.05, 0], [-0.05, 0], [0, 0.2], [0, -0.2], [0.05, 0.2], [-0.05, -0.2]]) {
    assert.ok(meanLoss(image, text, E, f.tPrime + dt, f.bias + db) > f.loss, `worse at (${dt}, ${db})`);
  }
  assert.ok(f.bias < 0, 'far more negative pairs than positive: a negative bias');
});

test('cleaner pairs get a sharper temperature', () => {
  const E = 16;
  const noisy = pairs(48, E, 1.0, 5);
  const clean = pairs(48, E, 0.2, 5);
  assert.ok(fitSigmoidScale(clean.image, clean.text, E).tPrime > fitSigmoidScale(noisy.image, noisy.text, E).tPrime);
});

test('fewer than two pairs is refused with the reason', () => {
  assert.throws(() => fitSigmoidScale(new Float32Array(4), new Float32Array(4), 4), /at least 2 image-text pairs/);
});

test('separable pairs (no finite optimum) stop at the temperature bound with the best bias there, and say so', () => {
  const E = 8;
  // every image is its caption exactly: positives at cosine 1, negatives far below
  const n = 8;
  const image = new Float32Array(n * E);
  for (let i = 0; i < n; i++) image[i * E + i] = 1;
  const f = fitSigmoidScale(image, image.slice(), E);
  assert.equal(f.atBound, true);
  assert.ok(Math.abs(f.tPrime - Math.log(MAX_SCALE)) < 1e-9, `t' ${f.tPrime}`);
  assert.ok(Number.isFinite(f.bias) && f.loss < 1e-3, `bias ${f.bias}, loss ${f.loss}`);
  assert.ok(f.iterations <= 100);
  const fine = fitSigmoidScale(...Object.values(pairs(32, 16, 0.8, 9)) as [Float32Array, Float32Array], 16);
  assert.equal(fine.atBound, false, 'noisy pairs have an interior optimum');
});
