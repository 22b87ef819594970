// The whole SigLIP two-tower model's gradient (mixed patch sizes, padding mask, sigmoid loss)
// against central finite differences in float64, over EVERY parameter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { serialize } from '../../src/onnx';
import { ModelConfig } from '../../src/model/config';
import { buildGradientStep, buildLossAndGradient } from '../../src/model/graphs';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { initParams } from '../../src/model/layout';
import { compareWithCentralDifferences } from '../helpers/gradcheck';
import { rand } from '../helpers/ort';

export const TINY: ModelConfig = {
  imageSize: 8,
  patchSizes: [2, 4],
  width: 8,
  depth: 1,
  heads: 2,
  mlpRatio: 2,
  embedDim: 6,
  vocabSize: 11,
  seqLen: 4,
};

test('whole-model gradient matches central finite differences (float64, every parameter)', async () => {
  const groups = [
    { patchSize: 2, count: 2 },
    { patchSize: 4, count: 2 },
  ];
  const built = buildLossAndGradient(TINY, groups, 'float64');
  const sess = await ort.InferenceSession.create(serialize(built.graph), { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const init = initParams(built.layout, 7);
  const theta = { decay: Float64Array.from(init.decay), plain: Float64Array.from(init.plain) };
  // Perturb the zero-initialised biases and unit norms so their gradients are generic.
  const r = rand(11);
  for (let i = 0; i < theta.plain.length; i++) theta.plain[i] += 0.1 * (r() * 2 - 1);
  const img = () => Uint8Array.from({ length: 2 * 8 * 8 * 3 }, () => Math.floor(r() * 256));
  const images0 = img();
  const images1 = img();
  // Captions with padding (0), including a one-token caption.
  const tokens = Int32Array.from([3, 4, 5, 0, 2, 7, 0, 0, 9, 0, 0, 0, 6, 10, 8, 1]);
  const feeds = () => ({
    'theta.decay': new ort.Tensor('float64', theta.decay, [theta.decay.length]),
    'theta.plain': new ort.Tensor('float64', theta.plain, [theta.plain.length]),
    'images.0': new ort.Tensor('uint8', images0, [2, 8, 8, 3]),
    'images.1': new ort.Tensor('uint8', images1, [2, 8, 8, 3]),
    tokens: new ort.Tensor('int32', tokens, [4, 4]),
  });
  const out = await sess.run(feeds());
  const lossAt = async () => ((await sess.run(feeds(), ['loss'])).loss.data as Float64Array)[0];
  const h = 1e-5;
  let checked = 0;
  for (const grp of ['decay', 'plain'] as const) {
    const x = theta[grp];
    const { relError: rel, numericNorm } = await compareWithCentralDifferences(x, out[`grad.${grp}`].data as Float64Array, lossAt, h);
    checked += x.length;
    assert.ok(numericNorm > 0, `${grp}: numeric gradient is zero`);
    assert.ok(rel < 1e-6, `${grp} group: relative error ${rel.toExponential(2)}`);
  }
  assert.equal(checked, built.layout.size.decay + built.layout.size.plain);
  await sess.release();
});

test('attention moves data with four Transposes per layer, forward and backward; every other Transpose swaps the last two axes', () => {
  // q, k, v heads-first and back (one each way), the heads merged and split again; onnxruntime
  // folds last-two-axes swaps into its MatMuls on the CPU (FusedMatMul)
  const model = { ...TINY, depth: 2 };
  const built = buildGradientStep(model, DEFAULT_ADAMW, [{ patchSize: 2, count: 3 }]);
  const inBlocks = built.graph.liveNodes().filter((n) => n.op === 'Transpose' && /block\d/.test(n.scope));
  const swapsLast2 = (p: number[]) => p.every((a, i) => (i < p.length - 2 ? a === i : a === 2 * p.length - 3 - i));
  const moves = inBlocks.filter((n) => !swapsLast2(n.attrs.perm as number[]));
  const attentions = 2 * model.depth; // image and text towers
  assert.equal(moves.length, 4 * attentions, moves.map((n) => `${n.scope} ${n.attrs.perm}`).join('\n'));
});
