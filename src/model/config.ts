// The SigLIP two-tower model's configuration: plain data, every field commented.

export interface ModelConfig {
  /** Square input images, pixels per side (images arrive as uint8 NHWC RGB). */
  imageSize: number;
  /** Patch sizes the Flexi image tower runs at (each divides imageSize); the smallest is full resolution. */
  patchSizes: number[];
  /** Transformer width of both towers. */
  width: number;
  /** Transformer blocks per tower. */
  depth: number;
  /** Attention heads (width must be divisible by it). */
  heads: number;
  /** MLP hidden size as a multiple of width. */
  mlpRatio: number;
  /** Joint embedding size (the towers' projection heads). */
  embedDim: number;
  /** Token vocabulary size, including pad (id 0) and unknown (id 1). */
  vocabSize: number;
  /** Caption length in tokens (pad id 0 fills the rest). */
  seqLen: number;
}

/** The small model the prototype measured on emoji/icons (~0.46M params at a 5.5k vocabulary; the
 * vocabulary is a cap: the tokenizer uses fewer ids when the captions have fewer words). */
export const DEFAULT_MODEL: ModelConfig = {
  imageSize: 16,
  patchSizes: [4, 8],
  width: 64,
  depth: 1,
  heads: 4,
  mlpRatio: 4,
  embedDim: 64,
  vocabSize: 8192,
  seqLen: 8,
};

/** SigLIP's initial temperature t = exp(t') = 10 and bias b = -10 (Zhai et al., 2023). */
export const INIT_T_PRIME = Math.log(10);
export const INIT_BIAS = -10;

/** Throws naming the field when a configuration cannot describe a model. */
export function checkModelConfig(c: ModelConfig): void {
  const positive: (keyof ModelConfig)[] = ['imageSize', 'width', 'depth', 'heads', 'mlpRatio', 'embedDim', 'vocabSize', 'seqLen'];
  for (const k of positive) {
    const v = c[k] as number;
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new Error(`model.${k} must be a positive number, got ${v}`);
  }
  if (c.width % c.heads !== 0) throw new Error(`model.width (${c.width}) must be divisible by model.heads (${c.heads})`);
  if (!Array.isArray(c.patchSizes) || c.patchSizes.length === 0) throw new Error('model.patchSizes must list at least one patch size');
  for (const p of c.patchSizes) {
    if (!Number.isInteger(p) || p <= 0 || c.imageSize % p !== 0) {
      throw new Error(`model.patchSizes: ${p} does not divide model.imageSize (${c.imageSize})`);
    }
  }
  if (c.vocabSize < 3) throw new Error('model.vocabSize must leave room for pad (0), unknown (1) and at least one word');
}
