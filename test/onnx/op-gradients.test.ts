// Every differentiable op's gradient rule against central finite differences, in float64,
// run in onnxruntime (broadcasting and every Gemm transpose combination included).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value, op } from '../../src/onnx';
import { GRADIENTS, NON_DIFFERENTIABLE } from '../../src/onnx/gradients';
import { InputSpec, gradcheck } from '../helpers/gradcheck';

const TOL = 1e-7;

interface Case {
  op: string;
  name?: string;
  build: (...xs: Value[]) => Value | Value[];
  inputs: InputSpec[];
}

const positive = (shape: number[]): InputSpec => ({ shape, lo: 0.5, hi: 2 });
const any = (shape: number[]): InputSpec => ({ shape });
// values kept away from 0 so kinks (Relu, Abs) are not straddled by the finite difference
const offZero = (shape: number[]): InputSpec => ({
  shape,
  data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 2 ? 1 : -1) * (0.2 + 0.1 * (i % 5))),
});

const CASES: Case[] = [
  { op: 'Add', name: 'Add broadcast [2,3,4]+[3,1]', build: op.add, inputs: [any([2, 3, 4]), any([3, 1])] },
  { op: 'Sub', name: 'Sub broadcast [4]-[2,3,4]', build: op.sub, inputs: [any([4]), any([2, 3, 4])] },
  { op: 'Mul', name: 'Mul broadcast [2,1,4]*[3,1]', build: op.mul, inputs: [any([2, 1, 4]), any([3, 1])] },
  { op: 'Div', name: 'Div broadcast [2,3]/[3]', build: op.div, inputs: [any([2, 3]), positive([3])] },
  { op: 'Pow', build: op.pow, inputs: [positive([2, 3]), any([3])] },
  { op: 'Max', build: op.max, inputs: [any([3, 4]), any([4])] },
  { op: 'Min', build: op.min, inputs: [any([3, 4]), any([3, 1])] },
  { op: 'Neg', build: op.neg, inputs: [any([5])] },
  { op: 'Exp', build: op.exp, inputs: [any([2, 3])] },
  { op: 'Log', build: op.log, inputs: [positive([2, 3])] },
  { op: 'Sqrt', build: op.sqrt, inputs: [positive([2, 3])] },
  { op: 'Erf', build: op.erf, inputs: [{ shape: [9], data: [-3, -1.5, -0.7, -0.1, 0.05, 0.4, 1.1, 2.2, 4] }] },
  { op: 'Gelu', build: op.gelu, inputs: [{ shape: [10], data: [-4, -2.5, -1, -0.3, 0, 0.2, 0.9, 1.7, 3, 5] }] },
  { op: 'Sigmoid', build: op.sigmoid, inputs: [{ shape: [2, 3], lo: -4, hi: 4 }] },
  { op: 'Softplus', build: op.softplus, inputs: [{ shape: [6], data: [-30, -3, -0.5, 0.3, 2, 25] }] },
  { op: 'Tanh', build: op.tanh, inputs: [any([2, 3])] },
  { op: 'Relu', build: op.relu, inputs: [offZero([2, 5])] },
  { op: 'Abs', build: op.abs, inputs: [offZero([7])] },
  { op: 'Identity', build: op.identity, inputs: [any([3])] },
  {
    op: 'Where',
    build: (a, b) => op.where(op.greater(a, 0), a, b),
    inputs: [offZero([2, 4]), any([4])],
  },
  { op: 'Cast', build: (x) => op.cast(x, 'float64'), inputs: [any([3])] },
  { op: 'MatMul', name: 'MatMul 2-D', build: op.matmul, inputs: [any([3, 4]), any([4, 2])] },
  { op: 'MatMul', name: 'MatMul batched with broadcast [2,3,4]@[4,5]', build: op.matmul, inputs: [any([2, 3, 4]), any([4, 5])] },
  { op: 'MatMul', name: 'MatMul [2,1,3,4]@[3,4,2]', build: op.matmul, inputs: [any([2, 1, 3, 4]), any([3, 4, 2])] },
  ...[false, true].flatMap((tA) =>
    [false, true].map(
      (tB): Case => ({
        op: 'Gemm',
        name: `Gemm transA=${tA} transB=${tB} with bias`,
        build: (a, b, c) => op.gemm(a, b, c, { transA: tA, transB: tB }),
        inputs: [any(tA ? [4, 3] : [3, 4]), any(tB ? [5, 4] : [4, 5]), any([5])],
      }),
    ),
  ),
  { op: 'Softmax', build: (x) => op.softmax(x, -1), inputs: [any([2, 3, 5])] },
  { op: 'Softmax', name: 'Softmax axis 1', build: (x) => op.softmax(x, 1), inputs: [any([2, 3, 5])] },
  {
    op: 'LayerNormalization',
    build: (x, s, b) => op.layerNorm(x, s, b, -1, 1e-5),
    inputs: [{ shape: [2, 3, 6], lo: -2, hi: 2 }, positive([6]), any([6])],
  },
  { op: 'ReduceSum', build: (x) => op.reduceSum(x, [0, 2]), inputs: [any([2, 3, 4])] },
  { op: 'ReduceSum', name: 'ReduceSum keepdims', build: (x) => op.reduceSum(x, [1], true), inputs: [any([2, 3, 4])] },
  { op: 'ReduceMean', build: (x) => op.reduceMean(x, [-1], true), inputs: [any([2, 3, 4])] },
  { op: 'ReduceSumSquare', build: (x) => op.reduceSumSquare(x, [1]), inputs: [any([2, 3, 4])] },
  { op: 'Transpose', build: (x) => op.transpose(x, [2, 0, 1]), inputs: [any([2, 3, 4])] },
  {
    op: 'Transpose',
    name: 'Transpose of a Transpose (the builder composes the two)',
    build: (x) => op.transpose(op.transpose(x, [2, 0, 1]), [0, 2, 1]),
    inputs: [any([2, 3, 4])],
  },
  // attention's keys: the gradient of a transposed MatMul operand is a MatMul's result, which the
  // Transpose rule replaces by the product of the swapped operands (batched, broadcast, 2-D)
  ...[
    [[2, 3, 4], [2, 5, 4]],
    [[1, 3, 4], [2, 5, 4]],
    [[3, 4], [5, 4]],
  ].map(
    ([a, b]): Case => ({
      op: 'Transpose',
      name: `Transpose of last two axes into a MatMul, [${a}]@T([${b}])`,
      build: (x, y) => op.mul(op.matmul(x, op.transposeLast2(y)), 1.5),
      inputs: [any(a), any(b)],
    }),
  ),
  {
    op: 'Transpose',
    name: 'Transpose of last two axes into a MatMul, T([2,4,3])@[2,4,5]',
    build: (a, b) => op.mul(op.matmul(op.transposeLast2(a), b), 1.5),
    inputs: [any([2, 4, 3]), any([2, 4, 5])],
  },
  { op: 'Reshape', build: (x) => op.reshape(x, [-1, 4]), inputs: [any([2, 3, 4])] },
  { op: 'Expand', build: (x) => op.expand(x, [2, 3, 4]), inputs: [any([3, 1])] },
  { op: 'Concat', build: (a, b) => op.concat([a, b], 1), inputs: [any([2, 3]), any([2, 2])] },
  { op: 'Split', build: (x) => op.split(x, [1, 3, 2], -1), inputs: [any([2, 6])] },
  { op: 'Split', name: 'Split with an unused output', build: (x) => op.split(x, [2, 4], 1)[1], inputs: [any([2, 6])] },
  { op: 'Slice', build: (x) => op.slice(x, [1, 0], [3, 2], [0, 2]), inputs: [any([4, 3, 5])] },
  { op: 'Pad', build: (x) => op.pad(x, [1, 0, 2, 1]), inputs: [any([2, 3])] },
  {
    op: 'Gather',
    name: 'Gather (embedding) with repeated indices',
    build: (table, ids) => op.gather(table, ids),
    inputs: [any([5, 3]), { shape: [2, 3], dtype: 'int64', data: [0, 4, 4, 2, 0, 1] }],
  },
  {
    op: 'Sigmoid',
    name: 'fan-out: one value used by three consumers (gradients accumulate)',
    build: (x) => op.mul(op.add(op.exp(x), x), op.sigmoid(x)),
    inputs: [any([4])],
  },
];

for (const c of CASES) {
  test(`gradient of ${c.name ?? c.op} matches finite differences`, async () => {
    const res = await gradcheck(c.build, c.inputs);
    assert.ok(res.checked > 0);
    res.numericNorms.forEach((n, i) => assert.ok(n > 1e-6, `input ${i}: numeric gradient is zero, the check would be vacuous`));
    res.relErrors.forEach((e, i) => assert.ok(e < TOL, `input ${i}: relative error ${e.toExponential(2)} >= ${TOL}`));
  });
}

test('every op with a gradient rule is covered by a finite-difference case', () => {
  const covered = new Set(CASES.map((c) => c.op));
  const missing = Object.keys(GRADIENTS).filter((k) => !covered.has(k) && !NON_DIFFERENTIABLE.has(k));
  assert.deepEqual(missing, []);
});
