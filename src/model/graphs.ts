// The graphs built from the model: train step (forward + backward + AdamW), loss-and-gradient
// (for checks), scoring (per-pair loss matrix of a super-batch), and the pair-loss matrix of
// precomputed embeddings (cached reference). Input and output names are part of the runtime's
// contract and are listed in TRAIN_STEP_STATE.
import { FloatType, Graph, Value, gradients, graphFlops, op } from '../onnx';
import { AdamWConfig, adamw, adamwScalars } from './adamw';
import { ModelConfig } from './config';
import { FlatLayout, GROUPS, Group, bindFlat, flatInputs, flatLayout } from './layout';
import { pairLosses, sigmoidLoss } from './loss';
import { encodeImages, encodeTexts, modelParams } from './siglip';
import { Params } from '../nn/params';

/** A batch's images split by patch size: Flexi-JEST trains part of each batch at each size. */
export interface ImageGroup {
  patchSize: number;
  count: number;
}

export interface BuiltGraph {
  graph: Graph;
  layout: FlatLayout;
  /** FLOPs of one run of the graph (see onnx/flops.ts for the conventions). */
  flops: number;
}

/** Graph builders take `maxFanout` (see bindFlat): 15 for WebGPU, unbounded elsewhere. */
export const WEBGPU_MAX_FANOUT = 15;

/** AdamW's scalars as the gradient step outputs them (`adamw.scalars`), in this order. */
export const ADAMW_SCALARS = ['c1', 'c2', 'stepSize', 'epsHat', 'keep'] as const;

/** State carried from one train step to the next: [input name, output name]. */
export const TRAIN_STEP_STATE: [string, string][] = GROUPS.flatMap((g) =>
  ['theta', 'm', 'v'].map((s): [string, string] => [`${s}.${g}`, `${s}.${g}.next`]),
);

function checkGroups(model: ModelConfig, groups: ImageGroup[]): number {
  if (groups.length === 0) throw new Error('a batch needs at least one image group');
  for (const grp of groups) {
    if (!model.patchSizes.includes(grp.patchSize)) {
      throw new Error(`image group patch size ${grp.patchSize} is not one of model.patchSizes [${model.patchSizes}]`);
    }
    if (!Number.isInteger(grp.count) || grp.count <= 0) throw new Error(`image group count must be a positive integer, got ${grp.count}`);
  }
  return groups.reduce((s, grp) => s + grp.count, 0);
}

/** Batch inputs (images.k per group, tokens) and the image and text embeddings of the batch. */
function embedBatch(g: Graph, P: Params, model: ModelConfig, groups: ImageGroup[]): { zImg: Value; zTxt: Value } {
  const batch = checkGroups(model, groups);
  const images = groups.map((grp, k) => g.input(`images.${k}`, [grp.count, model.imageSize, model.imageSize, 3], 'uint8'));
  const tokens = g.input('tokens', [batch, model.seqLen], 'int32');
  const zImg = op.concat(images.map((im, k) => encodeImages(P, model, im, groups[k].patchSize)), 0); // [B, E]
  const zTxt = encodeTexts(P, model, tokens); // [B, E]
  return { zImg, zTxt };
}

/** What every training graph starts with: θ bound to the layout, the batch's sigmoid loss, its gradient per group. */
function lossAndGradient(
  g: Graph,
  model: ModelConfig,
  groups: ImageGroup[],
  layout: FlatLayout,
  theta: Record<Group, Value>,
  maxFanout: number,
): { loss: Value; grad: Record<Group, Value> } {
  const P = bindFlat(layout, theta, maxFanout);
  const { zImg, zTxt } = embedBatch(g, P, model, groups);
  const loss = sigmoidLoss(pairLosses(zImg, zTxt, P('t_prime'), P('bias')));
  const [decay, plain] = gradients(loss, [theta.decay, theta.plain]);
  return { loss, grad: { decay, plain } };
}

/**
 * One training step as a pure function:
 *   (θ, m, v per group; lr; step t ≥ 1; images.k uint8; tokens int32)
 *     -> (θ', m', v' per group as `<name>.next`; loss; grad_norm)
 */
export function buildTrainStep(
  model: ModelConfig,
  opt: AdamWConfig,
  groups: ImageGroup[],
  float: FloatType = 'float32',
  maxFanout = Infinity,
): BuiltGraph {
  const g = new Graph(float, 'train_step');
  const layout = flatLayout(modelParams(model));
  const theta = flatInputs(g, layout, 'theta');
  const m = flatInputs(g, layout, 'm');
  const v = flatInputs(g, layout, 'v');
  const lr = g.input('lr', []);
  const step = g.input('step', []);
  const { loss, grad } = lossAndGradient(g, model, groups, layout, theta, maxFanout);
  const { next, gradNorm } = g.scope('adamw', () => adamw({ theta, m, v }, grad, lr, step, opt));
  for (const grp of GROUPS) {
    g.output(next.theta[grp], `theta.${grp}.next`);
    g.output(next.m[grp], `m.${grp}.next`);
    g.output(next.v[grp], `v.${grp}.next`);
  }
  g.output(op.identity(loss), 'loss');
  g.output(gradNorm, 'grad_norm');
  return { graph: g, layout, flops: graphFlops(g) };
}

/**
 * The CPU's train step: forward, backward and AdamW's scalars; the elementwise update runs on the
 * host (runtime/host-adamw.ts), so no parameter-sized state crosses the binding as an output.
 *   (θ per group; lr; step t ≥ 1; images.k uint8; tokens int32)
 *     -> (grad.<group>; adamw.scalars [c1, c2, stepSize, epsHat, keep]; loss; grad_norm)
 */
export function buildGradientStep(
  model: ModelConfig,
  opt: AdamWConfig,
  groups: ImageGroup[],
  float: FloatType = 'float32',
  maxFanout = Infinity,
): BuiltGraph {
  const g = new Graph(float, 'gradient_step');
  const layout = flatLayout(modelParams(model));
  const theta = flatInputs(g, layout, 'theta');
  const lr = g.input('lr', []);
  const step = g.input('step', []);
  const { loss, grad } = lossAndGradient(g, model, groups, layout, theta, maxFanout);
  const s = g.scope('adamw', () => adamwScalars(grad, lr, step, opt));
  g.output(grad.decay, 'grad.decay');
  g.output(grad.plain, 'grad.plain');
  g.output(op.concat(ADAMW_SCALARS.map((k) => op.reshape(s[k], [1])), 0), 'adamw.scalars');
  g.output(op.identity(loss), 'loss');
  g.output(s.gradNorm, 'grad_norm');
  return { graph: g, layout, flops: graphFlops(g) };
}

/** Loss and its gradient, no update: for finite-difference and PyTorch parity checks. */
export function buildLossAndGradient(model: ModelConfig, groups: ImageGroup[], float: FloatType = 'float32', maxFanout = Infinity): BuiltGraph {
  const g = new Graph(float, 'loss_and_gradient');
  const layout = flatLayout(modelParams(model));
  const theta = flatInputs(g, layout, 'theta');
  const { loss, grad } = lossAndGradient(g, model, groups, layout, theta, maxFanout);
  g.output(op.identity(loss), 'loss');
  for (const grp of GROUPS) g.output(op.identity(grad[grp]), `grad.${grp}`);
  return { graph: g, layout, flops: graphFlops(g) };
}

/**
 * Scoring a super-batch of S examples at one patch size: the S×S per-pair loss matrix (the
 * learner's L or the reference's R in the paper) and both embeddings. Forward only.
 */
export function buildScoring(
  model: ModelConfig,
  superBatch: number,
  patchSize: number,
  float: FloatType = 'float32',
  maxFanout = Infinity,
): BuiltGraph {
  const g = new Graph(float, 'scoring');
  const layout = flatLayout(modelParams(model));
  const theta = flatInputs(g, layout, 'theta');
  const P = bindFlat(layout, theta, maxFanout);
  const { zImg, zTxt } = embedBatch(g, P, model, [{ patchSize, count: superBatch }]);
  g.output(pairLosses(zImg, zTxt, P('t_prime'), P('bias')), 'pair_losses');
  g.output(op.identity(zImg), 'image_embeddings');
  g.output(op.identity(zTxt), 'text_embeddings');
  return { graph: g, layout, flops: graphFlops(g) };
}

/** The pair-loss matrix from precomputed embeddings (a cached reference model's R). */
export function buildPairLossFromEmbeddings(n: number, embedDim: number, float: FloatType = 'float32'): Graph {
  const g = new Graph(float, 'pair_losses');
  const zImg = g.input('image_embeddings', [n, embedDim]);
  const zTxt = g.input('text_embeddings', [n, embedDim]);
  const tPrime = g.input('t_prime', [1]);
  const bias = g.input('bias', [1]);
  g.output(pairLosses(zImg, zTxt, tPrime, bias), 'pair_losses');
  return g;
}

/** Image embeddings only, parameters as inputs: evaluation and reference embedding of a pool. */
export function buildImageEmbedder(model: ModelConfig, n: number, patchSize: number, maxFanout = Infinity): BuiltGraph {
  const g = new Graph('float32', 'image_embedder');
  const layout = flatLayout(modelParams(model));
  const P = bindFlat(layout, flatInputs(g, layout, 'theta'), maxFanout);
  const images = g.input('images.0', [n, model.imageSize, model.imageSize, 3], 'uint8');
  g.output(op.identity(encodeImages(P, model, images, patchSize)), 'image_embeddings');
  return { graph: g, layout, flops: graphFlops(g) };
}

/** Text embeddings only (zero-shot class names, reference embedding of captions). */
export function buildTextEmbedder(model: ModelConfig, n: number, maxFanout = Infinity): BuiltGraph {
  const g = new Graph('float32', 'text_embedder');
  const layout = flatLayout(modelParams(model));
  const P = bindFlat(layout, flatInputs(g, layout, 'theta'), maxFanout);
  const tokens = g.input('tokens', [n, model.seqLen], 'int32');
  g.output(op.identity(encodeTexts(P, model, tokens)), 'text_embeddings');
  return { graph: g, layout, flops: graphFlops(g) };
}
