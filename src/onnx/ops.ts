// The op set: each op's shape rule and the function that emits it. Gradient rules live in
// gradients.ts, FLOP counts in flops.ts, both keyed by the same op names.
//
// Static integer arguments (axes, shapes, sizes, bounds) are attributes (see graph.ts).
import { DType, Shape, isFloat, numel, sameShape, shapeStr } from './dtype';
import { Attrs, InferRule, Value } from './graph';

// ---------------------------------------------------------------------------------------------
// shape helpers

function fail(op: string, msg: string): never {
  throw new Error(`${op}: ${msg}`);
}

/** Numpy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(op, `cannot broadcast ${shapeStr(a)} with ${shapeStr(b)}`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

function attrInts(attrs: Attrs, key: string): number[] {
  const v = attrs[key];
  return Array.isArray(v) ? v : [];
}

function sameDType(op: string, inputs: readonly Value[]): DType {
  const d = inputs[0].dtype;
  for (const v of inputs) if (v.dtype !== d) fail(op, `mixed dtypes ${inputs.map((x) => x.dtype).join(', ')}`);
  return d;
}

function requireFloat(op: string, v: Value): void {
  if (!isFloat(v.dtype)) fail(op, `needs a float input, got ${v}`);
}

// ---------------------------------------------------------------------------------------------
// inference rules, one per op

const elementwiseBinary: InferRule = (inputs, _attrs) => [
  { shape: broadcastShapes('binary op', inputs[0].shape, inputs[1].shape), dtype: inputs[0].dtype },
];
const unary: InferRule = (inputs) => [{ shape: inputs[0].shape, dtype: inputs[0].dtype }];
const compare: InferRule = (inputs) => [
  { shape: broadcastShapes('compare', inputs[0].shape, inputs[1].shape), dtype: 'bool' },
];

function reduceShape(op: string, x: Shape, axes: number[], keepdims: boolean): number[] {
  const ax = new Set(axes.map((a) => normAxis(op, a, x.length)));
  const out: number[] = [];
  x.forEach((d, i) => {
    if (!ax.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

const reduce =
  (op: string): InferRule =>
  (inputs, attrs) => [
    {
      shape: reduceShape(op, inputs[0].shape, attrInts(attrs, 'axes'), attrs.keepdims !== 0),
      dtype: inputs[0].dtype,
    },
  ];

export const INFER: Record<string, InferRule> = {
  Add: elementwiseBinary,
  Sub: elementwiseBinary,
  Mul: elementwiseBinary,
  Div: elementwiseBinary,
  Pow: elementwiseBinary,
  Max: elementwiseBinary,
  Min: elementwiseBinary,
  Neg: unary,
  Exp: unary,
  Log: unary,
  Sqrt: unary,
  Erf: unary,
  Sigmoid: unary,
  Softplus: unary,
  Tanh: unary,
  Relu: unary,
  Abs: unary,
  Identity: unary,
  EyeLike: (inputs) => {
    if (inputs[0].rank !== 2) fail('EyeLike', `needs a matrix, got ${inputs[0]}`);
    return [{ shape: inputs[0].shape, dtype: inputs[0].dtype }];
  },
  Equal: compare,
  Greater: compare,
  Less: compare,
  Not: (inputs) => [{ shape: inputs[0].shape, dtype: 'bool' }],
  Cast: (inputs, attrs) => [{ shape: inputs[0].shape, dtype: attrs.to as DType }],
  Where: (inputs) => {
    if (inputs[0].dtype !== 'bool') fail('Where', `condition must be bool, got ${inputs[0]}`);
    if (inputs[1].dtype !== inputs[2].dtype) fail('Where', `branch dtypes differ: ${inputs[1]} vs ${inputs[2]}`);
    const s = broadcastShapes('Where', broadcastShapes('Where', inputs[0].shape, inputs[1].shape), inputs[2].shape);
    return [{ shape: s, dtype: inputs[1].dtype }];
  },
  MatMul: ([a, b]) => {
    const op = 'MatMul';
    if (a.rank < 2 || b.rank < 2) fail(op, `needs rank >= 2, got ${shapeStr(a.shape)} @ ${shapeStr(b.shape)}`);
    const [m, k] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k !== k2) fail(op, `inner dimensions differ: ${shapeStr(a.shape)} @ ${shapeStr(b.shape)}`);
    const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
    return [{ shape: [...batch, m, n], dtype: sameDType(op, [a, b]) }];
  },
  Gemm: (inputs, attrs) => {
    const op = 'Gemm';
    const [a, b, c] = inputs;
    if (a.rank !== 2 || b.rank !== 2) fail(op, `needs matrices, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
    const [m, k] = attrs.transA ? [a.shape[1], a.shape[0]] : a.shape;
    const [k2, n] = attrs.transB ? [b.shape[1], b.shape[0]] : b.shape;
    if (k !== k2) {
      fail(op, `inner dimensions differ: A${shapeStr(a.shape)}${attrs.transA ? 'ᵀ' : ''} B${shapeStr(b.shape)}${attrs.transB ? 'ᵀ' : ''}`);
    }
    if (c) broadcastShapes(op, [m, n], c.shape);
    if (c && !sameShape(broadcastShapes(op, [m, n], c.shape), [m, n])) fail(op, `C ${shapeStr(c.shape)} does not broadcast to [${m}, ${n}]`);
    return [{ shape: [m, n], dtype: sameDType(op, inputs) }];
  },
  Softmax: (inputs, attrs) => {
    normAxis('Softmax', attrs.axis as number, inputs[0].rank);
    return [{ shape: inputs[0].shape, dtype: inputs[0].dtype }];
  },
  LayerNormalization: (inputs, attrs) => {
    const op = 'LayerNormalization';
    const [x, scale, bias] = inputs;
    const axis = normAxis(op, attrs.axis as number, x.rank);
    const normShape = x.shape.slice(axis);
    if (!sameShape(scale.shape, normShape) || (bias && !sameShape(bias.shape, normShape))) {
      fail(op, `scale/bias ${shapeStr(scale.shape)} must equal the normalised dims ${shapeStr(normShape)} of ${shapeStr(x.shape)}`);
    }
    const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
    return [
      { shape: x.shape, dtype: x.dtype },
      { shape: statShape, dtype: x.dtype },
      { shape: statShape, dtype: x.dtype },
    ];
  },
  Gelu: (inputs) => {
    const x = inputs[0];
    return [0, 1, 2].map(() => ({ shape: x.shape, dtype: x.dtype })); // y, h = Φ(x), u = x/√2
  },
  ReduceSum: reduce('ReduceSum'),
  ReduceMean: reduce('ReduceMean'),
  ReduceSumSquare: reduce('ReduceSumSquare'),
  ReduceMax: reduce('ReduceMax'),
  Transpose: (inputs, attrs) => {
    const perm = attrInts(attrs, 'perm');
    const x = inputs[0];
    if (perm.length !== x.rank || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
      fail('Transpose', `perm [${perm}] is not a permutation of rank ${x.rank}`);
    }
    return [{ shape: perm.map((p) => x.shape[p]), dtype: x.dtype }];
  },
  Reshape: (inputs, attrs) => {
    const x = inputs[0];
    const target = attrInts(attrs, 'shape');
    const known = target.filter((d) => d !== -1);
    if (target.filter((d) => d === -1).length > 1 || known.some((d) => d <= 0)) {
      fail('Reshape', `target [${target}] may hold positive sizes and at most one -1`);
    }
    const total = numel(x.shape);
    const prod = numel(known);
    const out = target.map((d) => (d === -1 ? total / prod : d));
    if (numel(out) !== total || !out.every(Number.isInteger)) {
      fail('Reshape', `cannot reshape ${shapeStr(x.shape)} (${total} elements) to [${target}]`);
    }
    return [{ shape: out, dtype: x.dtype }];
  },
  Expand: (inputs, attrs) => [
    { shape: broadcastShapes('Expand', inputs[0].shape, attrInts(attrs, 'shape')), dtype: inputs[0].dtype },
  ],
  Concat: (inputs, attrs) => {
    const op = 'Concat';
    const r = inputs[0].rank;
    const axis = normAxis(op, attrs.axis as number, r);
    const out = [...inputs[0].shape];
    out[axis] = 0;
    for (const v of inputs) {
      if (v.rank !== r || v.shape.some((d, i) => i !== axis && d !== inputs[0].shape[i])) {
        fail(op, `shapes ${inputs.map((x) => shapeStr(x.shape)).join(', ')} do not agree off axis ${axis}`);
      }
      out[axis] += v.shape[axis];
    }
    return [{ shape: out, dtype: sameDType(op, inputs) }];
  },
  Split: (inputs, attrs) => {
    const x = inputs[0];
    const axis = normAxis('Split', attrs.axis as number, x.rank);
    const sizes = attrInts(attrs, 'split');
    if (sizes.reduce((s, d) => s + d, 0) !== x.shape[axis] || sizes.some((d) => d <= 0)) {
      fail('Split', `sizes [${sizes}] do not add up to dim ${axis} of ${shapeStr(x.shape)}`);
    }
    return sizes.map((d) => ({ shape: x.shape.map((s, i) => (i === axis ? d : s)), dtype: x.dtype }));
  },
  Slice: (inputs, attrs) => {
    const x = inputs[0];
    const out = [...x.shape];
    const [starts, ends, axes] = [attrInts(attrs, 'starts'), attrInts(attrs, 'ends'), attrInts(attrs, 'axes')];
    axes.forEach((a, i) => {
      const ax = normAxis('Slice', a, x.rank);
      if (starts[i] < 0 || ends[i] > x.shape[ax] || starts[i] >= ends[i]) {
        fail('Slice', `[${starts[i]}, ${ends[i]}) is not inside dim ${ax} of ${shapeStr(x.shape)}`);
      }
      out[ax] = ends[i] - starts[i];
    });
    return [{ shape: out, dtype: x.dtype }];
  },
  Pad: (inputs, attrs) => {
    const x = inputs[0];
    const pads = attrInts(attrs, 'pads');
    if (pads.length !== 2 * x.rank || pads.some((p) => p < 0)) fail('Pad', `pads [${pads}] do not fit ${shapeStr(x.shape)}`);
    return [{ shape: x.shape.map((d, i) => d + pads[i] + pads[i + x.rank]), dtype: x.dtype }];
  },
  Gather: ([data, indices], attrs) => {
    if (attrs.axis !== 0) fail('Gather', 'only axis 0 is supported');
    if (indices.dtype !== 'int64' && indices.dtype !== 'int32') fail('Gather', `indices must be integers, got ${indices}`);
    return [{ shape: [...indices.shape, ...data.shape.slice(1)], dtype: data.dtype }];
  },
  ScatterND: ([data, indices, updates]) => {
    const op = 'ScatterND';
    const q = indices.rank;
    const k = indices.shape[q - 1];
    const want = [...indices.shape.slice(0, q - 1), ...data.shape.slice(k)];
    if (!sameShape(updates.shape, want)) fail(op, `updates ${shapeStr(updates.shape)} must be ${shapeStr(want)}`);
    return [{ shape: data.shape, dtype: data.dtype }];
  },
};

// ---------------------------------------------------------------------------------------------
// emitters: the API model code calls

function emit(op: string, inputs: Value[], attrs: Attrs = {}): Value {
  const rule = INFER[op];
  if (!rule) throw new Error(`no shape rule for op ${op}`);
  try {
    return inputs[0].graph.apply(op, rule, inputs, attrs)[0];
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(op) ? msg : `${op}: ${msg} (inputs ${inputs.map(String).join(', ')})`);
  }
}

/** Numbers become scalars of the other operand's dtype. */
function lift(x: Value | number, like: Value): Value {
  return typeof x === 'number' ? like.graph.scalar(x, like.dtype) : x;
}
function binary(op: string, a: Value | number, b: Value | number): Value {
  const ref = typeof a === 'number' ? (b as Value) : a;
  const [va, vb] = [lift(a, ref), lift(b, ref)];
  if (va.dtype !== vb.dtype) fail(op, `mixed dtypes ${va} and ${vb}`);
  return emit(op, [va, vb]);
}

export const add = (a: Value | number, b: Value | number) => binary('Add', a, b);
export const sub = (a: Value | number, b: Value | number) => binary('Sub', a, b);
export const mul = (a: Value | number, b: Value | number) => binary('Mul', a, b);
export const div = (a: Value | number, b: Value | number) => binary('Div', a, b);
export const pow = (a: Value | number, b: Value | number) => binary('Pow', a, b);
export const max = (a: Value | number, b: Value | number) => binary('Max', a, b);
export const min = (a: Value | number, b: Value | number) => binary('Min', a, b);

export const neg = (x: Value) => emit('Neg', [x]);
export const exp = (x: Value) => emit('Exp', [x]);
export const log = (x: Value) => emit('Log', [x]);
export const sqrt = (x: Value) => emit('Sqrt', [x]);
export const erf = (x: Value) => emit('Erf', [x]);
export const sigmoid = (x: Value) => emit('Sigmoid', [x]);
export const softplus = (x: Value) => emit('Softplus', [x]);
export const tanh = (x: Value) => emit('Tanh', [x]);
export const relu = (x: Value) => emit('Relu', [x]);
export const abs = (x: Value) => emit('Abs', [x]);
export const identity = (x: Value) => emit('Identity', [x]);
/**
 * The identity matrix of x's shape. EyeLike reads only its input's shape, so it is given a constant
 * of that shape: onnxruntime folds the eye into an initializer at load, and a GPU provider (which
 * has no EyeLike kernel) never copies x to the host and back in the middle of a step.
 */
export const eyeLike = (x: Value) => emit('EyeLike', [zeros(x)]);

export const equal = (a: Value, b: Value | number) => emit('Equal', [a, lift(b, a)]);
export const greater = (a: Value, b: Value | number) => emit('Greater', [a, lift(b, a)]);
export const less = (a: Value, b: Value | number) => emit('Less', [a, lift(b, a)]);
export const not = (x: Value) => emit('Not', [x]);
export const cast = (x: Value, to: DType) => emit('Cast', [x], { to });
export const where = (cond: Value, a: Value | number, b: Value | number) => {
  const ref = typeof a === 'number' ? (b as Value) : a;
  return emit('Where', [cond, lift(a, ref), lift(b, ref)]);
};

export const matmul = (a: Value, b: Value) => emit('MatMul', [a, b]);

/** Y = op(A)·op(B) (+ C): the weight-gradient workhorse, transposes are free. */
export function gemm(a: Value, b: Value, c?: Value, opts: { transA?: boolean; transB?: boolean } = {}): Value {
  const attrs: Attrs = { transA: opts.transA ? 1 : 0, transB: opts.transB ? 1 : 0 };
  return emit('Gemm', c ? [a, b, c] : [a, b], attrs);
}

export const softmax = (x: Value, axis = -1) => emit('Softmax', [x], { axis });

/** ONNX LayerNormalization; returns Y and the Mean / InvStdDev it saved (used by its gradient). */
export function layerNorm(x: Value, scale: Value, bias: Value, axis = -1, epsilon = 1e-6): Value {
  requireFloat('LayerNormalization', x);
  return emit('LayerNormalization', [x, scale, bias], { axis, epsilon });
}

/**
 * Exact GELU, x·Φ(x) = x·½(1 + erf(x/√2)), as ViT and SigLIP use it. One node here, written as
 * the five ops it stands for (serialize.ts; opset 17 has no Gelu); its extra outputs h = Φ(x) and
 * u = x/√2 are what its gradient reuses.
 */
export function gelu(x: Value): Value {
  requireFloat('Gelu', x);
  return emit('Gelu', [x]);
}

export const reduceSum = (x: Value, axes: number[], keepdims = false) =>
  emit('ReduceSum', [x], { axes, keepdims: keepdims ? 1 : 0 });
export const reduceMean = (x: Value, axes: number[], keepdims = false) =>
  emit('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
export const reduceSumSquare = (x: Value, axes: number[], keepdims = false) =>
  emit('ReduceSumSquare', [x], { axes, keepdims: keepdims ? 1 : 0 });
export const reduceMax = (x: Value, axes: number[], keepdims = false) =>
  emit('ReduceMax', [x], { axes, keepdims: keepdims ? 1 : 0 });
/** Sum of every element, as a scalar. */
export const sumAll = (x: Value) => reduceSum(x, x.shape.map((_, i) => i));

/**
 * A Transpose of a Transpose is one node with the composed permutation, and none at all when that
 * is the identity: gradients transpose operands that the forward pass already transposed
 * (attention's keys), and each Transpose left in the graph is a full copy of its tensor.
 */
export function transpose(x: Value, perm: number[]): Value {
  // a malformed perm goes to the shape rule, which names the problem
  if (perm.length !== x.rank) return emit('Transpose', [x], { perm });
  if (perm.every((a, i) => a === i)) return x; // like reshape to the same shape: the value itself
  const p = x.producer;
  if (p?.op === 'Transpose') return transpose(p.inputs[0], perm.map((i) => (p.attrs.perm as number[])[i]));
  return emit('Transpose', [x], { perm });
}
/** Swap the last two axes: the matrix transpose of a (batched) MatMul operand. */
export function transposeLast2(x: Value): Value {
  if (x.rank < 2) throw new Error(`Transpose: transposeLast2 needs rank >= 2, got ${x}`);
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}
/** Target may hold one -1; keep the batch dim as -1 in model code so exported graphs take any batch. */
export const reshape = (x: Value, shape: number[]) =>
  sameShape(x.shape, shape) ? x : emit('Reshape', [x], { shape });
export const expand = (x: Value, shape: number[]) => emit('Expand', [x], { shape });
export const concat = (xs: Value[], axis: number) => (xs.length === 1 ? xs[0] : emit('Concat', xs, { axis }));
export function split(x: Value, sizes: number[], axis: number): Value[] {
  if (sizes.length === 1) return [x];
  return x.graph.apply('Split', INFER.Split, [x], { axis, split: sizes });
}
export const slice = (x: Value, starts: number[], ends: number[], axes: number[]) =>
  emit('Slice', [x], { starts, ends, axes });
export const pad = (x: Value, pads: number[]) => emit('Pad', [x], { pads });
export const gather = (data: Value, indices: Value) => emit('Gather', [data, indices], { axis: 0 });
export const scatterAdd = (data: Value, indices: Value, updates: Value) =>
  emit('ScatterND', [data, indices, updates], { reduction: 'add' });

/** Zeros of a shape, as a broadcast of one scalar (no large constant in the model file). */
export const zeros = (like: Value, shape: Shape = like.shape) => expand(like.graph.scalar(0, like.dtype), [...shape]);

/** The full-output LayerNormalization node, for gradient rules that need the saved statistics. */
export function layerNormStats(y: Value): { mean: Value; invStd: Value } {
  const n = y.producer;
  if (!n || n.op !== 'LayerNormalization') throw new Error(`${y} is not a LayerNormalization output`);
  return { mean: n.outputs[1], invStd: n.outputs[2] };
}
