// Reverse-mode gradient rules, one per op (tinygrad's gradient.py shape): each rule takes the
// node and the gradients of its outputs and returns NEW GRAPH NODES for the gradient of each
// input (null where an input is not differentiable). autodiff.ts sums fan-in.
import { sameShape } from './dtype';
import { Graph, Node, Value } from './graph';
import * as op from './ops';

type GradRule = (node: Node, dOut: readonly (Value | null)[]) => (Value | null)[];

/** Sum a broadcast gradient back down to the shape of the operand it came from. */
export function unbroadcast(grad: Value, shape: readonly number[]): Value {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  if (lead > 0 && axes.length === lead) return sumLeading(grad, lead); // a bias broadcast over rows
  const summed = axes.length ? op.reduceSum(grad, axes, true) : grad;
  return op.reshape(summed, [...shape]);
}

const onesRows = new WeakMap<Graph, Map<string, Value>>();

/**
 * Σ over the leading `lead` axes, as a product with a row of ones: onnxruntime's ReduceSum down
 * the rows of a [T, N] matrix runs at ~1 GFLOP/s (0.2 ms for [1024, 1024]), its Gemm with one
 * row reads the matrix once at memory speed. Every bias and layer-norm gradient is such a sum.
 */
export function sumLeading(x: Value, lead: number): Value {
  const rest = x.shape.slice(lead);
  const m = x.shape.slice(0, lead).reduce((a, b) => a * b, 1);
  const n = rest.reduce((a, b) => a * b, 1);
  let cache = onesRows.get(x.graph);
  if (!cache) onesRows.set(x.graph, (cache = new Map()));
  const key = `${x.dtype}:${m}`;
  let ones = cache.get(key);
  if (!ones) cache.set(key, (ones = x.graph.floats(new Array<number>(m).fill(1), [1, m])));
  return op.reshape(op.gemm(ones, op.reshape(x, [m, n])), rest);
}

/** Broadcast a reduced gradient back over the reduced axes. */
function unreduce(dy: Value, x: Value, axes: number[]): Value {
  const keep = x.shape.map((d, i) => (axes.map((a) => (a < 0 ? a + x.rank : a)).includes(i) ? 1 : d));
  return op.expand(op.reshape(dy, keep), [...x.shape]);
}

function reducedCount(x: Value, axes: number[]): number {
  return axes.reduce((n, a) => n * x.shape[a < 0 ? a + x.rank : a], 1);
}

const noGrad: GradRule = (node) => node.inputs.map(() => null);

export const GRADIENTS: Record<string, GradRule> = {
  Add: ({ inputs: [a, b] }, [dy]) => [unbroadcast(dy!, a.shape), unbroadcast(dy!, b.shape)],
  Sub: ({ inputs: [a, b] }, [dy]) => [unbroadcast(dy!, a.shape), unbroadcast(op.neg(dy!), b.shape)],
  Mul: ({ inputs: [a, b] }, [dy]) => [unbroadcast(op.mul(dy!, b), a.shape), unbroadcast(op.mul(dy!, a), b.shape)],
  Div: ({ inputs: [a, b], outputs: [y] }, [dy]) => {
    const da = op.div(dy!, b);
    return [unbroadcast(da, a.shape), unbroadcast(op.neg(op.mul(da, y)), b.shape)];
  },
  Pow: ({ inputs: [a, b], outputs: [y] }, [dy]) => {
    // d/da a^b = b·a^(b-1); d/db a^b = a^b·ln a (only defined for a > 0)
    const da = op.mul(dy!, op.mul(b, op.pow(a, op.sub(b, 1))));
    const db = op.mul(dy!, op.mul(y, op.log(a)));
    return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
  },
  Neg: (_n, [dy]) => [op.neg(dy!)],
  Exp: ({ outputs: [y] }, [dy]) => [op.mul(dy!, y)],
  Log: ({ inputs: [x] }, [dy]) => [op.div(dy!, x)],
  Sqrt: ({ outputs: [y] }, [dy]) => [op.div(op.mul(dy!, 0.5), y)],
  Erf: ({ inputs: [x] }, [dy]) => [op.mul(dy!, op.mul(op.exp(op.neg(op.mul(x, x))), 2 / Math.sqrt(Math.PI)))],
  Sigmoid: ({ outputs: [y] }, [dy]) => [op.mul(dy!, op.mul(y, op.sub(1, y)))],
  Softplus: ({ inputs: [x] }, [dy]) => [op.mul(dy!, op.sigmoid(x))],
  Tanh: ({ outputs: [y] }, [dy]) => [op.mul(dy!, op.sub(1, op.mul(y, y)))],
  Relu: ({ inputs: [x] }, [dy]) => [op.where(op.greater(x, 0), dy!, 0)],
  Abs: ({ inputs: [x] }, [dy]) => [op.where(op.less(x, 0), op.neg(dy!), dy!)],
  Identity: (_n, [dy]) => [dy],
  Max: ({ inputs: [a, b] }, [dy]) => {
    const aWins = op.less(b, a); // ties send the gradient to b, like torch.maximum's subgradient choice
    return [unbroadcast(op.where(aWins, dy!, 0), a.shape), unbroadcast(op.where(aWins, 0, dy!), b.shape)];
  },
  Min: ({ inputs: [a, b] }, [dy]) => {
    const aWins = op.less(a, b);
    return [unbroadcast(op.where(aWins, dy!, 0), a.shape), unbroadcast(op.where(aWins, 0, dy!), b.shape)];
  },
  Where: ({ inputs: [c, a, b] }, [dy]) => [
    null,
    unbroadcast(op.where(c, dy!, 0), a.shape),
    unbroadcast(op.where(c, 0, dy!), b.shape),
  ],
  Cast: ({ inputs: [x] }, [dy]) => [op.cast(dy!, x.dtype)],
  EyeLike: noGrad,
  Equal: noGrad,
  Greater: noGrad,
  Less: noGrad,
  Not: noGrad,

  MatMul: ({ inputs: [a, b] }, [dy]) => [
    unbroadcast(op.matmul(dy!, op.transposeLast2(b)), a.shape),
    unbroadcast(op.matmul(op.transposeLast2(a), dy!), b.shape),
  ],
  Gemm: ({ inputs: [a, b, c], attrs }, [dy]) => {
    // Y = A'B' + C with A' = op(A), B' = op(B): dA' = dY·B'ᵀ, dB' = A'ᵀ·dY, transposed back
    // through the same flags so no Transpose node is ever emitted.
    const tA = attrs.transA === 1;
    const tB = attrs.transB === 1;
    const dA = tA ? op.gemm(b, dy!, undefined, { transA: tB, transB: true }) : op.gemm(dy!, b, undefined, { transB: !tB });
    const dB = tB ? op.gemm(dy!, a, undefined, { transA: true, transB: tA }) : op.gemm(a, dy!, undefined, { transA: !tA });
    return c ? [dA, dB, unbroadcast(dy!, c.shape)] : [dA, dB];
  },
  Softmax: ({ outputs: [y], attrs }, [dy]) => {
    // dx = y ⊙ (dy − Σ dy⊙y) along the softmax axis
    const dot = op.reduceSum(op.mul(dy!, y), [attrs.axis as number], true);
    return [op.mul(y, op.sub(dy!, dot))];
  },
  Gelu: ({ outputs: [, h, u] }, [dy]) => {
    // d/dx x·Φ(x) = Φ(x) + x·φ(x) = h + u·e^(−u²)/√π, with the 1/√π folded into the exponent: six
    // passes over the activations, where autodiff through the five forward ops took ten
    const c = -0.5 * Math.log(Math.PI);
    return [op.mul(dy!, op.add(h, op.mul(u, op.exp(op.sub(c, op.mul(u, u))))))];
  },
  LayerNormalization: ({ inputs: [x, scale], outputs: [, mean, invStd], attrs }, [dy]) => {
    // With x̂ = (x − μ)·r and g = dy·γ over the normalised axes (size n):
    //   dx = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)),  dγ = Σ_lead dy ⊙ x̂,  dβ = Σ_lead dy
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + x.rank : (attrs.axis as number);
    const normAxes = x.shape.map((_, i) => i).slice(axis);
    const leadAxes = x.shape.map((_, i) => i).slice(0, axis);
    const xhat = op.mul(op.sub(x, mean), invStd);
    const g = op.mul(dy!, scale);
    const gMean = op.reduceMean(g, normAxes, true);
    const gxMean = op.reduceMean(op.mul(g, xhat), normAxes, true);
    const dx = op.mul(invStd, op.sub(op.sub(g, gMean), op.mul(xhat, gxMean)));
    const dScale = sumLeading(op.mul(dy!, xhat), leadAxes.length);
    const dBias = sumLeading(dy!, leadAxes.length);
    return [dx, dScale, dBias];
  },

  ReduceSum: ({ inputs: [x], attrs }, [dy]) => [unreduce(dy!, x, attrs.axes as number[])],
  ReduceMean: ({ inputs: [x], attrs }, [dy]) => {
    const axes = attrs.axes as number[];
    return [unreduce(op.mul(dy!, 1 / reducedCount(x, axes)), x, axes)];
  },
  ReduceSumSquare: ({ inputs: [x], attrs }, [dy]) => [op.mul(unreduce(dy!, x, attrs.axes as number[]), op.mul(x, 2))],

  Transpose: ({ attrs }, [dy]) => {
    const perm = attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    // (A·B)ᵀ = Bᵀ·Aᵀ: when the gradient is a MatMul's result (the keys' gradient in attention),
    // multiply the swapped operands instead of moving the result. On the CPU onnxruntime folds
    // the operand swaps into its MatMul (FusedMatMul transA/transB; other providers may run them
    // as Transposes). The first MatMul is left dead: a gradient value reaches one rule (fan-in
    // arrives as an Add), so only a caller asking for this very gradient would still read it.
    const m = dy!.producer;
    const swapsLast2 = inverse.every((a, i) => (i < dy!.rank - 2 ? a === i : a === 2 * dy!.rank - 3 - i));
    if (m?.op === 'MatMul' && swapsLast2 && m.inputs.every((v) => v.rank === dy!.rank)) {
      return [op.matmul(op.transposeLast2(m.inputs[1]), op.transposeLast2(m.inputs[0]))];
    }
    return [op.transpose(dy!, inverse)];
  },
  Reshape: ({ inputs: [x] }, [dy]) => [op.reshape(dy!, [...x.shape])],
  Expand: ({ inputs: [x] }, [dy]) => [unbroadcast(dy!, x.shape)],
  Concat: ({ inputs, attrs }, [dy]) => op.split(dy!, inputs.map((v) => v.shape[((attrs.axis as number) + v.rank) % v.rank]), attrs.axis as number),
  Split: ({ inputs: [x], outputs, attrs }, dOuts) => {
    // Outputs nobody used contribute zeros.
    const parts = outputs.map((o, i) => dOuts[i] ?? op.zeros(o));
    return [op.concat(parts, attrs.axis as number)];
  },
  Slice: ({ inputs: [x], attrs }, [dy]) => {
    const pads = new Array<number>(2 * x.rank).fill(0);
    const [starts, ends, axes] = [attrs.starts, attrs.ends, attrs.axes] as number[][];
    axes.forEach((a, i) => {
      const ax = a < 0 ? a + x.rank : a;
      pads[ax] = starts[i];
      pads[ax + x.rank] = x.shape[ax] - ends[i];
    });
    return [op.pad(dy!, pads)];
  },
  Pad: ({ inputs: [x], attrs }, [dy]) => {
    const pads = attrs.pads as number[];
    const axes = x.shape.map((_, i) => i);
    return [op.slice(dy!, axes.map((i) => pads[i]), axes.map((i) => pads[i] + x.shape[i]), axes)];
  },
  Gather: ({ inputs: [data, indices] }, [dy]) => {
    // The embedding gradient: scatter-add rows of dy into a zero table.
    const idx = op.reshape(op.cast(indices, 'int64'), [...indices.shape, 1]);
    return [op.scatterAdd(op.zeros(data), idx, dy!), null];
  },
};

/** The ops whose outputs carry no gradient at all (comparisons, index computations). */
export const NON_DIFFERENTIABLE = new Set(['Equal', 'Greater', 'Less', 'Not', 'EyeLike', 'ReduceMax']);
