// The matrix-multiply floor (bench/matmul-floor.ts) must hold every product of the train step,
// with the step's own shapes and flags, and run as a real onnxruntime session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matmulFlops, matmulsOf, timeMatmulFloor } from '../../bench/matmul-floor';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { ModelConfig } from '../../src/model/config';
import { buildTrainStep } from '../../src/model/graphs';
import { nodeFlops } from '../../src/onnx';

const tiny: ModelConfig = { imageSize: 8, patchSizes: [2, 4], width: 16, depth: 1, heads: 2, mlpRatio: 2, embedDim: 8, vocabSize: 20, seqLen: 4 };

test('the floor lists every Gemm and MatMul of the train step, with their FLOPs', () => {
  // a Flexi mix: the patch-4 group resizes the stored patch-2 kernel (a 2-D x batched MatMul)
  const { graph } = buildTrainStep(tiny, DEFAULT_ADAMW, [{ patchSize: 2, count: 4 }, { patchSize: 4, count: 2 }]);
  const live = graph.liveNodes().filter((n) => n.op === 'Gemm' || n.op === 'MatMul');
  const specs = matmulsOf(graph);
  assert.equal(specs.length, live.length);
  assert.ok(specs.some((s) => s.transA) && specs.some((s) => s.transB), 'weight and input gradients use the transpose flags');
  // nodeFlops counts a Gemm's bias as one add per output element; the floor leaves biases out.
  const expected = live.reduce((f, n) => f + nodeFlops(n) - (n.op === 'Gemm' && n.inputs[2] ? n.outputs[0].shape.reduce((a, b) => a * b, 1) : 0), 0);
  assert.equal(matmulFlops(specs), expected);
});

test('the floor runs the products in onnxruntime and times them', async () => {
  const { graph } = buildTrainStep(tiny, DEFAULT_ADAMW, [{ patchSize: 4, count: 6 }]);
  const specs = matmulsOf(graph);
  const t = await timeMatmulFloor(specs, 1, 1, 3);
  assert.equal(t.products, specs.length);
  assert.ok(t.minMs > 0 && t.medianMs >= t.minMs && Number.isFinite(t.medianMs));
});
