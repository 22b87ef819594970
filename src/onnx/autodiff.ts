// Reverse-mode automatic differentiation over the graph, emitting gradient NODES.
//
// Like micrograd's backward(): walk the nodes in reverse topological order and ACCUMULATE each
// input's gradient (fan-out means a value gets one contribution per consumer; we sum them with
// graph additions). Like tinygrad: only nodes on a path from a wanted input to the target are
// visited, and a missing rule fails loudly.
import { isFloat, sameShape, shapeStr } from './dtype';
import { Node, Value } from './graph';
import { GRADIENTS, NON_DIFFERENTIABLE } from './gradients';
import * as op from './ops';

/**
 * Gradients of `target` with respect to each of `wrt`.
 * `seed` is d(something)/d(target); it defaults to ones (so a scalar target gives plain gradients).
 * An input the target does not depend on gets an explicit zero tensor.
 */
export function gradients(target: Value, wrt: readonly Value[], seed?: Value): Value[] {
  const g = target.graph;
  if (!isFloat(target.dtype)) throw new Error(`gradients: target ${target} is not floating point`);
  if (seed && !sameShape(seed.shape, target.shape)) {
    throw new Error(`gradients: seed ${shapeStr(seed.shape)} must match target ${shapeStr(target.shape)}`);
  }

  // Forward reachability: which values depend on some wrt (only they need a gradient).
  const depends = new Set<Value>(wrt);
  for (const n of g.nodes) {
    if (NON_DIFFERENTIABLE.has(n.op)) continue;
    if (n.inputs.some((i) => depends.has(i))) for (const o of n.outputs) depends.add(o);
  }
  if (!depends.has(target)) return wrt.map((w) => op.zeros(w));

  // Backward reachability from the target, restricted to dependent values.
  const onPath = new Set<Node>();
  const stack: Node[] = target.producer ? [target.producer] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (onPath.has(n)) continue;
    onPath.add(n);
    for (const i of n.inputs) if (depends.has(i) && i.producer) stack.push(i.producer);
  }

  return g.scope('backward', () => backward(target, wrt, seed, depends, onPath));
}

function backward(target: Value, wrt: readonly Value[], seed: Value | undefined, depends: Set<Value>, onPath: Set<Node>): Value[] {
  const g = target.graph;
  const grads = new Map<Value, Value>();
  const accumulate = (v: Value, dv: Value) => {
    if (!sameShape(v.shape, dv.shape)) {
      throw new Error(`gradient of ${v} has shape ${shapeStr(dv.shape)} (rule bug for ${v.producer?.op ?? 'input'})`);
    }
    const prev = grads.get(v);
    grads.set(v, prev ? op.add(prev, dv) : dv);
  };
  accumulate(target, seed ?? op.expand(g.scalar(1, target.dtype), [...target.shape]));
  // Node creation order is a topological order; gradient nodes appended now come after it.
  const order = g.nodes.filter((n) => onPath.has(n));
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const dOut = node.outputs.map((o) => grads.get(o) ?? null);
    if (dOut.every((d) => d === null)) continue;
    const rule = GRADIENTS[node.op];
    if (!rule) throw new Error(`no gradient rule for op ${node.op} (on the path to ${target})`);
    const dIn = g.scope(node.scope, () => rule(node, dOut)); // backward/<the forward scope>
    if (dIn.length !== node.inputs.length) {
      throw new Error(`gradient rule for ${node.op} returned ${dIn.length} gradients for ${node.inputs.length} inputs`);
    }
    node.inputs.forEach((input, i) => {
      const d = dIn[i];
      if (d && depends.has(input)) accumulate(input, d);
    });
  }
  return wrt.map((w) => grads.get(w) ?? op.zeros(w));
}
