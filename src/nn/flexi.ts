// Flexi patch embedding (FlexiViT): ONE stored kernel and ONE position-embedding grid serve every
// patch size. The kernel is stored at the smallest patch size and PI-resized to the others; the
// position embeddings are bilinearly resampled to each grid. Both resamplings are constant
// matrices applied in-graph, so every patch size trains the same weights (Flexi-JEST scores at a
// coarse patch size and trains at a mix of sizes).
import { Value, op } from '../onnx';
import { ParamSpec, Params, matrix, vector } from './params';
import { Matrix, bilinearResize2d, piResize } from './resize';

export interface FlexiPatchConfig {
  imageSize: number;
  channels: number;
  /** Patch sizes the model may run at; each must divide imageSize. The smallest is the stored one. */
  patchSizes: number[];
  width: number;
}

export function basePatch(cfg: FlexiPatchConfig): number {
  return Math.min(...cfg.patchSizes);
}

export function flexiPatchParams(name: string, cfg: FlexiPatchConfig): ParamSpec[] {
  for (const p of cfg.patchSizes) {
    if (cfg.imageSize % p !== 0) throw new Error(`patch size ${p} does not divide image size ${cfg.imageSize}`);
  }
  const pb = basePatch(cfg);
  const fanIn = cfg.channels * pb * pb;
  const grid = cfg.imageSize / pb;
  return [
    matrix(`${name}.kernel`, [fanIn, cfg.width], { kind: 'xavier', fanIn, fanOut: cfg.width }),
    vector(`${name}.bias`, [cfg.width], { kind: 'zeros' }),
    matrix(`${name}.pos`, [grid * grid, cfg.width], { kind: 'normal', std: 0.02 }),
  ];
}

function constMatrix(like: Value, m: Matrix): Value {
  return like.graph.floats(m.data, [m.rows, m.cols]);
}

/**
 * images uint8 [N, S, S, C] (NHWC, as decoded) -> tokens [N·G², D] at patch size p, G = S / p.
 * Pixels are scaled to [-1, 1] in-graph so batches cross the binding as bytes. Float images are
 * taken as already scaled (the standard-layout export's pixel_values, model/export-standard.ts).
 */
export function flexiPatchEmbed(P: Params, name: string, images: Value, p: number, cfg: FlexiPatchConfig): Value {
  if (!cfg.patchSizes.includes(p)) throw new Error(`patch size ${p} is not one of the model's [${cfg.patchSizes}]`);
  const [S, C, D] = [cfg.imageSize, cfg.channels, cfg.width];
  const pb = basePatch(cfg);
  const G = S / p;
  const Gb = S / pb;
  // Cut into patches while still bytes (the 6-D transpose moves a quarter of the data), then
  // scale to [-1, 1].
  const bytes = op.reshape(op.transpose(op.reshape(images, [-1, G, p, G, p, C]), [0, 1, 3, 5, 2, 4]), [-1, C * p * p]);
  const patches = images.dtype === 'uint8' ? op.sub(op.mul(op.cast(bytes, images.graph.float), 1 / 127.5), 1) : bytes;
  let kernel = P(`${name}.kernel`); // [C·pb², D]
  if (p !== pb) {
    const m = constMatrix(kernel, piResize(pb, p)); // [p², pb²]
    kernel = op.reshape(op.matmul(m, op.reshape(kernel, [C, pb * pb, D])), [C * p * p, D]);
  }
  const tokens = op.gemm(patches, kernel, P(`${name}.bias`)); // [N·G², D]
  let pos = P(`${name}.pos`); // [Gb², D]
  if (G !== Gb) pos = op.matmul(constMatrix(pos, bilinearResize2d(Gb, G)), pos); // [G², D]
  return op.reshape(op.add(op.reshape(tokens, [-1, G * G, D]), pos), [-1, D]);
}
