// FLOP counts per node and per graph. Conventions (stated so numbers are comparable):
//  - a multiply-add is 2 FLOPs: MatMul/Gemm cost 2·M·N·K per matrix product (+M·N for a bias);
//  - elementwise arithmetic and transcendentals cost 1 per output element;
//  - Softmax 5, LayerNormalization 8 per element; reductions 1 per input element (2 for sum of squares);
//  - movement and indexing ops (Reshape, Transpose, Concat, Split, Slice, Pad, Expand, Gather,
//    Cast, Identity, comparisons) cost 0: they move bytes, they do no arithmetic.
// The paper's FLOP comparisons count model arithmetic the same way (matmuls dominate).
import { numel } from './dtype';
import { Graph, Node } from './graph';

const PER_OUTPUT_ELEMENT: Record<string, number> = {
  Add: 1, Sub: 1, Mul: 1, Div: 1, Pow: 1, Max: 1, Min: 1, Neg: 1, Exp: 1, Log: 1, Sqrt: 1, Erf: 1,
  Sigmoid: 1, Softplus: 1, Tanh: 1, Relu: 1, Abs: 1, Where: 1, Softmax: 5, LayerNormalization: 8, Gelu: 5,
};
const PER_INPUT_ELEMENT: Record<string, number> = {
  ReduceSum: 1, ReduceMean: 1, ReduceMax: 1, ReduceSumSquare: 2, ScatterND: 0,
};

export function nodeFlops(n: Node): number {
  if (n.op === 'MatMul') {
    const [a] = n.inputs;
    const k = a.shape[a.rank - 1];
    return 2 * numel(n.outputs[0].shape) * k;
  }
  if (n.op === 'Gemm') {
    const [a, , c] = n.inputs;
    const k = n.attrs.transA ? a.shape[0] : a.shape[1];
    const mn = numel(n.outputs[0].shape);
    return 2 * mn * k + (c ? mn : 0);
  }
  if (n.op === 'ScatterND') return numel(n.inputs[2].shape); // one add per update element
  const out = PER_OUTPUT_ELEMENT[n.op];
  if (out !== undefined) return out * numel(n.outputs[0].shape);
  const inp = PER_INPUT_ELEMENT[n.op];
  if (inp !== undefined) return inp * numel(n.inputs[0].shape);
  return 0;
}

/** FLOPs of everything the graph's outputs depend on. */
export function graphFlops(g: Graph): number {
  return g.liveNodes().reduce((s, n) => s + nodeFlops(n), 0);
}

/** FLOPs per op type, largest first: where a step's arithmetic goes. */
export function flopsByOp(g: Graph): [string, number][] {
  const m = new Map<string, number>();
  for (const n of g.liveNodes()) m.set(n.op, (m.get(n.op) ?? 0) + nodeFlops(n));
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}
