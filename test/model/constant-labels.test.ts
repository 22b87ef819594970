// The sigmoid loss's labels and the score graph's diagonal mask are built from constants only.
// onnxruntime then folds them into initializers at load. On a GPU provider (which has no EyeLike
// kernel) an EyeLike that read the logits would make them travel device -> host -> device in the
// middle of every step; on an H100 that stall made WebGPU steps at the small size ~1.3x slower.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScoreGraph } from '../../src/jest/score-graph';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { WEBGPU_MAX_FANOUT, buildGradientStep, buildScoring, buildTrainStep } from '../../src/model/graphs';
import { Graph, Node, Value } from '../../src/onnx';

const MODEL = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 40, seqLen: 4 };

/** The graph inputs that `v` depends on (through any chain of nodes). */
function inputsBehind(g: Graph, v: Value): Set<string> {
  const inputs = new Set(g.inputs);
  const found = new Set<string>();
  const seen = new Set<Node>();
  const stack: Value[] = [v];
  while (stack.length) {
    const x = stack.pop()!;
    if (inputs.has(x)) found.add(x.name);
    const n = x.producer;
    if (n && !seen.has(n)) {
      seen.add(n);
      stack.push(...n.inputs);
    }
  }
  return found;
}

const graphs: [string, Graph][] = [
  ['train step (WebGPU)', buildTrainStep(MODEL, DEFAULT_ADAMW, [{ patchSize: 4, count: 8 }], 'float32', WEBGPU_MAX_FANOUT).graph],
  ['gradient step (CPU)', buildGradientStep(MODEL, DEFAULT_ADAMW, [{ patchSize: 4, count: 8 }]).graph],
  ['scoring', buildScoring(MODEL, 8, 8).graph],
  ['selection scores', buildScoreGraph(MODEL, { score: 'learnability', superBatch: 8, patchSize: 8, referenceEmbedDim: 16 }).graph],
];

for (const [name, g] of graphs) {
  test(`${name}: every EyeLike depends on no graph input`, () => {
    const eyes = g.nodes.filter((n) => n.op === 'EyeLike');
    assert.ok(eyes.length > 0, 'the graph should build its labels with EyeLike');
    for (const n of eyes) assert.deepEqual([...inputsBehind(g, n.outputs[0])], [], `${n.outputs[0].name} reads graph inputs`);
  });
}
