// Transformer building blocks as graph functions. Activations stay 2-D, [N·T, D], between
// blocks (Gemm needs matrices and its gradients need no batched transposes); attention reshapes
// to [N, H, T, dh] inside. Reshapes keep the batch dim as -1 so exported graphs take any batch.
import { Value, op } from '../onnx';
import { ParamSpec, Params, matrix, vector } from './params';

export function linearParams(name: string, dIn: number, dOut: number): ParamSpec[] {
  return [
    matrix(`${name}.w`, [dIn, dOut], { kind: 'xavier', fanIn: dIn, fanOut: dOut }),
    vector(`${name}.b`, [dOut], { kind: 'zeros' }),
  ];
}

/** x [M, dIn] -> [M, dOut] */
export function linear(P: Params, name: string, x: Value): Value {
  return op.gemm(x, P(`${name}.w`), P(`${name}.b`));
}

export function layerNormParams(name: string, d: number): ParamSpec[] {
  return [vector(`${name}.scale`, [d], { kind: 'ones' }), vector(`${name}.bias`, [d], { kind: 'zeros' })];
}

export function layerNorm(P: Params, name: string, x: Value): Value {
  return op.layerNorm(x, P(`${name}.scale`), P(`${name}.bias`), -1, 1e-6);
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)), as in ViT and SigLIP (one node with its own gradient rule). */
export function gelu(x: Value): Value {
  return op.gelu(x);
}

export function mlpParams(name: string, d: number, hidden: number): ParamSpec[] {
  return [...linearParams(`${name}.fc1`, d, hidden), ...linearParams(`${name}.fc2`, hidden, d)];
}

export function mlp(P: Params, name: string, x: Value): Value {
  return linear(P, `${name}.fc2`, gelu(linear(P, `${name}.fc1`, x)));
}

export function attentionParams(name: string, d: number): ParamSpec[] {
  return [...linearParams(`${name}.qkv`, d, 3 * d), ...linearParams(`${name}.out`, d, d)];
}

/**
 * Multi-head self-attention over x [N·T, D] with T = seq.
 * maskBias [N, 1, 1, T] is 0 for real tokens and very negative for padding (keys only).
 */
export function attention(P: Params, name: string, x: Value, seq: number, heads: number, maskBias?: Value): Value {
  const d = x.shape[1];
  if (d % heads !== 0) throw new Error(`attention ${name}: width ${d} is not divisible by ${heads} heads`);
  const dh = d / heads;
  // One Transpose takes q, k and v to heads-first together, [N·T, 3·D] -> [3, N, H, T, dh]; the
  // keys enter their product transposed (onnxruntime folds that into its MatMul), so forward and
  // backward move each tensor once each way instead of once per q, k, v and per product.
  const qkv = op.transpose(op.reshape(linear(P, `${name}.qkv`, x), [-1, seq, 3, heads, dh]), [2, 0, 3, 1, 4]);
  const [q, k, v] = op.split(qkv, [1, 1, 1], 0);
  const heads4 = (t: Value) => op.reshape(t, [-1, heads, seq, dh]); // [N, H, T, dh]
  // pre-scaled before the reshape: a scale right at the MatMul would be folded into it, rounding differently
  const qh = heads4(op.mul(q, 1 / Math.sqrt(dh)));
  let scores = op.matmul(qh, op.transposeLast2(heads4(k))); // [N, H, T, T]
  if (maskBias) scores = op.add(scores, maskBias);
  const ctx = op.matmul(op.softmax(scores, -1), heads4(v)); // [N, H, T, dh]
  const merged = op.reshape(op.transpose(ctx, [0, 2, 1, 3]), [-1, d]); // [N·T, D]
  return linear(P, `${name}.out`, merged);
}

export function blockParams(name: string, d: number, mlpRatio: number): ParamSpec[] {
  return [
    ...layerNormParams(`${name}.ln1`, d),
    ...attentionParams(`${name}.attn`, d),
    ...layerNormParams(`${name}.ln2`, d),
    ...mlpParams(`${name}.mlp`, d, Math.round(d * mlpRatio)),
  ];
}

/** Pre-LN transformer block: x + attn(ln(x)), then x + mlp(ln(x)). */
export function block(P: Params, name: string, x: Value, seq: number, heads: number, maskBias?: Value): Value {
  const h = op.add(x, attention(P, `${name}.attn`, layerNorm(P, `${name}.ln1`, x), seq, heads, maskBias));
  return op.add(h, mlp(P, `${name}.mlp`, layerNorm(P, `${name}.ln2`, h)));
}
