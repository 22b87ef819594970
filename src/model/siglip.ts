// The SigLIP two-tower model: a Flexi ViT image tower and a transformer text tower, each ending in
// a projection head and L2 normalisation, plus the learnable temperature t' and bias b.
// Reads top-down: parameters, image tower, text tower.
import { Value, op } from '../onnx';
import { FlexiPatchConfig, flexiPatchEmbed, flexiPatchParams } from '../nn/flexi';
import { block, blockParams, layerNorm, layerNormParams, linear, linearParams } from '../nn/layers';
import { ParamSpec, Params, matrix, vector } from '../nn/params';
import { INIT_BIAS, INIT_T_PRIME, ModelConfig, checkModelConfig } from './config';

function patchConfig(c: ModelConfig): FlexiPatchConfig {
  return { imageSize: c.imageSize, channels: 3, patchSizes: c.patchSizes, width: c.width };
}

/** Every parameter of the model, in a fixed order (the flat layout follows it). */
export function modelParams(c: ModelConfig): ParamSpec[] {
  checkModelConfig(c);
  const towerBlocks = (tower: string) =>
    Array.from({ length: c.depth }, (_, i) => blockParams(`${tower}.block${i}`, c.width, c.mlpRatio)).flat();
  return [
    ...flexiPatchParams('img.patch', patchConfig(c)),
    ...towerBlocks('img'),
    ...layerNormParams('img.ln_final', c.width),
    ...linearParams('img.head', c.width, c.embedDim),
    matrix('txt.tok', [c.vocabSize, c.width], { kind: 'normal', std: 0.02 }),
    matrix('txt.pos', [c.seqLen, c.width], { kind: 'normal', std: 0.02 }),
    ...towerBlocks('txt'),
    ...layerNormParams('txt.ln_final', c.width),
    ...linearParams('txt.head', c.width, c.embedDim),
    vector('t_prime', [1], { kind: 'const', value: INIT_T_PRIME }),
    vector('bias', [1], { kind: 'const', value: INIT_BIAS }),
  ];
}

function l2Normalize(z: Value): Value {
  return op.div(z, op.sqrt(op.add(op.reduceSumSquare(z, [1], true), 1e-12)));
}

/** images uint8 [N, S, S, 3] -> L2-normalised embeddings [N, E], at patch size p. */
export function encodeImages(P: Params, c: ModelConfig, images: Value, p: number): Value {
  return images.graph.scope(`image${p}`, () => imageTower(P, c, images, p));
}

function imageTower(P: Params, c: ModelConfig, images: Value, p: number): Value {
  const grid = (c.imageSize / p) ** 2;
  let x = flexiPatchEmbed(P, 'img.patch', images, p, patchConfig(c)); // [N·G², D]
  for (let i = 0; i < c.depth; i++) x = images.graph.scope(`block${i}`, () => block(P, `img.block${i}`, x, grid, c.heads));
  x = layerNorm(P, 'img.ln_final', x);
  const pooled = op.reduceMean(op.reshape(x, [-1, grid, c.width]), [1]); // [N, D]: mean over patches
  return l2Normalize(linear(P, 'img.head', pooled));
}

/** tokens int32 [N, L] (0 = pad) -> L2-normalised embeddings [N, E]. */
export function encodeTexts(P: Params, c: ModelConfig, tokens: Value): Value {
  return tokens.graph.scope('text', () => textTower(P, c, tokens));
}

function textTower(P: Params, c: ModelConfig, tokens: Value): Value {
  const L = c.seqLen;
  const g = tokens.graph;
  const valid = op.cast(op.not(op.equal(tokens, g.scalar(0, tokens.dtype))), g.float); // [N, L]
  // Padding keys get −1e9 before the softmax: exactly zero weight, and no NaN even for an all-pad row.
  const maskBias = op.reshape(op.mul(op.sub(valid, 1), 1e9), [-1, 1, 1, L]);
  const emb = op.add(op.gather(P('txt.tok'), tokens), P('txt.pos')); // [N, L, D]
  let x = op.reshape(emb, [-1, c.width]);
  for (let i = 0; i < c.depth; i++) x = g.scope(`block${i}`, () => block(P, `txt.block${i}`, x, L, c.heads, maskBias));
  x = layerNorm(P, 'txt.ln_final', x);
  // Mean over real tokens only (an empty caption pools to zeros instead of dividing by zero).
  const masked = op.mul(op.reshape(x, [-1, L, c.width]), op.reshape(valid, [-1, L, 1]));
  const count = op.max(op.reduceSum(valid, [1], true), 1); // [N, 1]
  const pooled = op.div(op.reduceSum(masked, [1]), count); // [N, D]
  return l2Normalize(linear(P, 'txt.head', pooled));
}
