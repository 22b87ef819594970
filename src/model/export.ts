// Standalone image and text encoders as ordinary .onnx files (parameters baked in, any batch
// size), for reference models, for use outside JEST Studio, and for the embedding cache.
//
// Contract (documented for users bringing their own reference encoders):
//   image encoder: input  `images`     uint8  [batch, S, S, 3]  RGB, NHWC, 0..255
//                  output `embeddings` float32 [batch, E]       L2-normalised
//   text encoder:  input  `tokens`     int32  [batch, L]        ids, 0 = padding
//                  output `embeddings` float32 [batch, E]       L2-normalised
// Metadata props: jest_studio.kind, jest_studio.model (the ModelConfig as JSON),
// jest_studio.patch_size (image), jest_studio.t_prime and jest_studio.bias (the learned
// temperature t' and bias b, which the pair loss needs: l = softplus(−z·(e^t'·⟨x,y⟩ + b))),
// jest_studio.tokenizer (text encoder: the tokenizer JSON its ids come from).
import { Graph, op, serialize } from '../onnx';
import { ModelConfig } from './config';
import { FlatValues, bindConstants, flatLayout, paramView } from './layout';
import { encodeImages, encodeTexts, modelParams } from './siglip';

/** The batch the graph is built at; the file declares the batch dim symbolic, so any batch runs. */
const BUILD_BATCH = 2;

function metadata(model: ModelConfig, params: FlatValues, kind: string): Record<string, string> {
  const layout = flatLayout(modelParams(model));
  return {
    'jest_studio.kind': kind,
    'jest_studio.model': JSON.stringify(model),
    'jest_studio.t_prime': String(paramView(layout, params, 't_prime')[0]),
    'jest_studio.bias': String(paramView(layout, params, 'bias')[0]),
  };
}

export function exportImageEncoder(model: ModelConfig, params: FlatValues, patchSize = model.patchSizes[0]): Uint8Array {
  const g = new Graph('float32', 'image_encoder');
  const P = bindConstants(g, flatLayout(modelParams(model)), params);
  const images = g.input('images', [BUILD_BATCH, model.imageSize, model.imageSize, 3], 'uint8');
  g.output(op.identity(encodeImages(P, model, images, patchSize)), 'embeddings');
  return serialize(g, {
    dynamicAxes: { images: { 0: 'batch' }, embeddings: { 0: 'batch' } },
    metadata: { ...metadata(model, params, 'image_encoder'), 'jest_studio.patch_size': String(patchSize) },
    docString: 'JEST Studio SigLIP image encoder: uint8 [batch, S, S, 3] RGB -> L2-normalised float32 [batch, E]',
  });
}

/** `tokenizer` (its JSON) is stored in the metadata so the encoder is usable on raw captions. */
export function exportTextEncoder(model: ModelConfig, params: FlatValues, tokenizer?: unknown): Uint8Array {
  const g = new Graph('float32', 'text_encoder');
  const P = bindConstants(g, flatLayout(modelParams(model)), params);
  const tokens = g.input('tokens', [BUILD_BATCH, model.seqLen], 'int32');
  g.output(op.identity(encodeTexts(P, model, tokens)), 'embeddings');
  return serialize(g, {
    dynamicAxes: { tokens: { 0: 'batch' }, embeddings: { 0: 'batch' } },
    metadata: { ...metadata(model, params, 'text_encoder'), ...(tokenizer ? { 'jest_studio.tokenizer': JSON.stringify(tokenizer) } : {}) },
    docString: 'JEST Studio SigLIP text encoder: int32 [batch, L] token ids (0 = pad) -> L2-normalised float32 [batch, E]',
  });
}
