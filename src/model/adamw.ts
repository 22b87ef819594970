// AdamW over the two flat parameter groups: its scalars always in the graph; the elementwise update
// in the graph on GPUs (state stays on the device) and in runtime/adamw.wat on the CPU (one fused
// pass, no state outputs to copy), with the same float32 operations in the same order.
//
// torch.optim.AdamW semantics (decoupled weight decay, bias correction), rearranged so that every
// scalar factor is folded into one multiply and the big vectors are touched as few times as
// possible:
//   clip   s  = min(1, maxNorm / (‖g‖ + 1e-6))                  (one pass: ‖g‖²)
//   m' = β1·m + ((1−β1)·s)·g ;  v' = β2·v + ((1−β2)·s²)·g²       (clipping folded into the moments)
//   θ' = θ·(1 − lr·λ) − (lr·√bc2 / bc1) · m' / (√v' + ε·√bc2)   (= torch's m̂ / (√v̂ + ε))
// with bc1 = 1 − β1^t, bc2 = 1 − β2^t, t the 1-based step, λ applied to the decay group only.
import { Value, op } from '../onnx';
import { GROUPS, Group } from './layout';

export interface AdamWConfig {
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay (SigLIP uses 0.95; torch's default is 0.999). */
  beta2: number;
  /** Denominator epsilon. */
  eps: number;
  /** Decoupled weight decay λ, applied to matrices only. */
  weightDecay: number;
  /** Global gradient-norm clipping threshold; 0 turns clipping off. */
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 1e-4, clipNorm: 1 };

export interface AdamWState {
  theta: Record<Group, Value>;
  m: Record<Group, Value>;
  v: Record<Group, Value>;
}

/**
 * AdamW's per-step scalars, from the gradient (global norm for clipping), lr and the 1-based step.
 * The in-graph update below and the CPU's host kernel (runtime/adamw.wat) both use exactly these.
 */
export interface AdamWScalars {
  gradNorm: Value;
  /** (1 − β1)·s and (1 − β2)·s², s the clipping factor. */
  c1: Value;
  c2: Value;
  /** lr·√bc2 / bc1 */
  stepSize: Value;
  /** ε·√bc2 */
  epsHat: Value;
  /** 1 − lr·λ, the decay group's shrink factor. */
  keep: Value;
}

export function adamwScalars(grad: Record<Group, Value>, lr: Value, step: Value, cfg: AdamWConfig): AdamWScalars {
  const sumSq = op.add(op.reduceSumSquare(grad.decay, [0]), op.reduceSumSquare(grad.plain, [0]));
  const gradNorm = op.sqrt(sumSq);
  const scale = cfg.clipNorm > 0 ? op.min(op.div(cfg.clipNorm, op.add(gradNorm, 1e-6)), 1) : null;
  const c1 = scale ? op.mul(scale, 1 - cfg.beta1) : lr.graph.scalar(1 - cfg.beta1);
  const c2 = scale ? op.mul(op.mul(scale, scale), 1 - cfg.beta2) : lr.graph.scalar(1 - cfg.beta2);
  const bc1 = op.sub(1, op.pow(lr.graph.scalar(cfg.beta1), step));
  const sqrtBc2 = op.sqrt(op.sub(1, op.pow(lr.graph.scalar(cfg.beta2), step)));
  const stepSize = op.div(op.mul(lr, sqrtBc2), bc1);
  const epsHat = op.mul(sqrtBc2, cfg.eps);
  const keep = op.sub(1, op.mul(lr, cfg.weightDecay));
  return { gradNorm, c1, c2, stepSize, epsHat, keep };
}

/** The update as graph nodes (the GPU path: state stays on the device). */
export function adamw(
  state: AdamWState,
  grad: Record<Group, Value>,
  lr: Value,
  step: Value,
  cfg: AdamWConfig,
): { next: AdamWState; gradNorm: Value } {
  const { gradNorm, c1, c2, stepSize, epsHat, keep } = adamwScalars(grad, lr, step, cfg);
  const next: AdamWState = { theta: { ...state.theta }, m: { ...state.m }, v: { ...state.v } };
  for (const group of GROUPS) {
    const g = grad[group];
    const m = op.add(op.mul(state.m[group], cfg.beta1), op.mul(g, c1));
    const v = op.add(op.mul(state.v[group], cfg.beta2), op.mul(op.mul(g, g), c2));
    const update = op.mul(op.div(m, op.add(op.sqrt(v), epsHat)), stepSize);
    const theta = group === 'decay' && cfg.weightDecay > 0 ? op.mul(state.theta[group], keep) : state.theta[group];
    next.theta[group] = op.sub(theta, update);
    next.m[group] = m;
    next.v[group] = v;
  }
  return { next, gradNorm };
}
