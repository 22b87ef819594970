// Forward FLOPs of a pretrained transformer encoder pair from its config.json, for the FLOP ledger.
// A foreign ONNX graph has no static shapes we could count node by node (our own graphs are
// counted by onnx/flops.ts), so this counts what dominates a ViT and a text transformer: the
// matrix products, 2 FLOPs per multiply-add, the same convention as onnx/flops.ts. Norms,
// softmax and activations are left out (a few per cent of a ViT-B/32's total).

export interface TowerShape {
  /** Tokens through the encoder. */
  tokens: number;
  width: number;
  mlp: number;
  layers: number;
}

/** One pre-LN transformer layer over T tokens: q, k, v, out projections, QK^T, AV, the MLP. */
export function layerFlops(t: TowerShape): number {
  const { tokens: T, width: W, mlp: M } = t;
  return 2 * (4 * T * W * W + 2 * T * T * W + 2 * T * W * M);
}

function n(o: Record<string, unknown>, k: string, dflt?: number): number {
  const v = o[k];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (dflt !== undefined) return dflt;
  throw new Error(`config.json lacks ${k}, needed to count the reference's FLOPs`);
}

/** Forward FLOPs to embed one image and one caption of `textLength` tokens. */
export function dualEncoderFlops(config: Record<string, unknown>, textLength: number): { image: number; text: number } {
  const vc = (config.vision_config ?? {}) as Record<string, unknown>;
  const tc = (config.text_config ?? {}) as Record<string, unknown>;
  const type = String(config.model_type ?? '');
  const S = n(vc, 'image_size');
  const p = n(vc, 'patch_size');
  const W = n(vc, 'hidden_size');
  const patches = Math.floor(S / p) ** 2;
  const clsToken = type === 'siglip' ? 0 : 1;
  const v: TowerShape = { tokens: patches + clsToken, width: W, mlp: n(vc, 'intermediate_size'), layers: n(vc, 'num_hidden_layers') };
  const proj = n(config, 'projection_dim', type === 'siglip' ? 0 : W);
  let image = 2 * patches * 3 * p * p * W + v.layers * layerFlops(v) + 2 * W * proj;
  // SigLIP's attention-pooling head: one query over the tokens, then its MLP.
  if (type === 'siglip') image += 2 * (2 * v.tokens * W * W + 2 * W * W + 2 * v.tokens * W + 2 * W * v.mlp);
  const tw = n(tc, 'hidden_size');
  const t: TowerShape = { tokens: textLength, width: tw, mlp: n(tc, 'intermediate_size'), layers: n(tc, 'num_hidden_layers') };
  const text = t.layers * layerFlops(t) + 2 * tw * (type === 'siglip' ? tw : proj);
  return { image, text };
}
