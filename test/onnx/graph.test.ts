// The graph builder's contract: shapes checked at build time, FLOPs counted, float32 and float64
// graphs from the same code, dead nodes pruned from the file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { Graph, flopsByOp, gradients, graphFlops, op, serialize } from '../../src/onnx';
import { rand } from '../helpers/ort';

test('a shape mismatch throws, naming the op and both shapes', () => {
  const g = new Graph();
  const a = g.input('a', [2, 3]);
  const b = g.input('b', [4, 5]);
  assert.throws(() => op.matmul(a, b), /MatMul: inner dimensions differ: \[2, 3\] @ \[4, 5\]/);
  assert.throws(() => op.add(a, b), /cannot broadcast \[2, 3\] with \[4, 5\]/);
  assert.throws(() => op.gemm(a, b), /Gemm: inner dimensions differ/);
  assert.throws(() => op.reshape(a, [4, 2]), /Reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4,2\]/);
  assert.throws(() => op.concat([a, b], 0), /Concat: shapes \[2, 3\], \[4, 5\] do not agree/);
});

test('the FLOP count of a matmul-heavy graph agrees with 2·M·N·K arithmetic', () => {
  const [B, M, K, N, P] = [3, 64, 128, 96, 32];
  const g = new Graph();
  const x = g.input('x', [B, M, K]);
  const w1 = g.input('w1', [K, N]);
  const w2 = g.input('w2', [P, N]);
  const h = op.matmul(x, w1); // [B, M, N]
  const y = op.gemm(op.reshape(h, [-1, N]), w2, undefined, { transB: true }); // [B·M, P]
  g.output(y, 'y');
  const expected = 2 * B * M * N * K + 2 * (B * M) * P * N;
  assert.equal(graphFlops(g), expected);
  assert.deepEqual(flopsByOp(g).map(([k]) => k), ['MatMul', 'Gemm', 'Reshape']);
});

test('the same model code builds float32 and float64 graphs that agree', async () => {
  const r = rand(3);
  const xs = Array.from({ length: 4 * 8 }, () => r() * 4 - 2);
  const results: number[][] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const g = new Graph(dtype);
    const x = g.input('x', [4, 8]);
    const gelu = op.mul(op.mul(x, 0.5), op.add(op.erf(op.mul(x, Math.SQRT1_2)), 1));
    const y = op.layerNorm(op.softplus(gelu), g.floats(new Array(8).fill(1.5), [8]), g.floats(new Array(8).fill(0.1), [8]));
    g.output(op.softmax(y), 'y');
    const s = await ort.InferenceSession.create(serialize(g));
    const data = dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs);
    const out = await s.run({ x: new ort.Tensor(dtype, data, [4, 8]) });
    results.push(Array.from(out.y.data as Float32Array));
  }
  const maxDiff = Math.max(...results[0].map((v, i) => Math.abs(v - results[1][i])));
  assert.ok(maxDiff < 1e-5, `float32 vs float64 differ by ${maxDiff}`);
});

test('nodes that no output needs are not written', () => {
  const g = new Graph();
  const x = g.input('x', [2]);
  op.exp(x); // dead
  g.output(op.neg(x), 'y');
  const bytes = serialize(g);
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(text.includes('Neg'));
  assert.ok(!text.includes('Exp'));
});

test('a Transpose of a Transpose is one node with the composed permutation, none when they cancel', () => {
  const g = new Graph();
  const x = g.input('x', [2, 3, 4]);
  const t = op.transpose(x, [2, 0, 1]); // [4, 2, 3]
  assert.equal(op.transpose(t, [1, 2, 0]), x);
  const u = op.transpose(t, [0, 2, 1]); // [4, 3, 2] = x transposed by [2, 1, 0]
  assert.deepEqual(u.shape, [4, 3, 2]);
  assert.equal(u.producer!.inputs[0], x);
  assert.deepEqual(u.producer!.attrs.perm, [2, 1, 0]);
  assert.equal(op.transpose(x, [0, 1, 2]), x);
});

test("a transposed MatMul operand's gradient is a MatMul of the swapped operands, not a moved result", () => {
  // attention's keys enter Q·Kᵀ transposed: dK = dSᵀ·Q directly, with no Transpose of a product
  const g = new Graph();
  const q = g.input('q', [2, 3, 4]);
  const k = g.input('k', [2, 5, 4]);
  const w = g.input('w', [2, 3, 5]);
  const loss = op.reduceSum(op.mul(op.matmul(q, op.transposeLast2(k)), w), [0, 1, 2]);
  const [dk] = gradients(loss, [k]);
  g.output(dk, 'dk');
  assert.equal(dk.producer!.op, 'MatMul');
  const live = g.liveNodes();
  assert.ok(!live.some((n) => n.op === 'Transpose' && n.inputs[0].producer?.op === 'MatMul'), 'no Transpose of a MatMul result');
});

test('a bias gradient (a sum over leading broadcast axes) is a Gemm with a row of ones, not a ReduceSum', () => {
  // onnxruntime's ReduceSum down the rows runs at ~1 GFLOP/s; the one-row Gemm at memory speed
  const g = new Graph();
  const x = g.input('x', [2, 4, 3]);
  const b = g.input('b', [3]);
  const y = op.add(x, b);
  const [db] = gradients(op.reduceSum(op.mul(y, y), [0, 1, 2]), [b]);
  g.output(db, 'db');
  assert.deepEqual(db.shape, [3]);
  const gemm = db.producer!.inputs[0].producer!;
  assert.equal(gemm.op, 'Gemm');
  assert.deepEqual(gemm.inputs[0].shape, [1, 8]);
  assert.ok(!g.liveNodes().some((n) => n.op === 'ReduceSum'));
});
