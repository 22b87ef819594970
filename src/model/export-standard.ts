// A trained model written in the ecosystem's standard layout (the one jest/standard-layout.ts
// reads: transformers.js model folders, Optimum exports), so another tool can run our encoders
// with onnxruntime and a Hugging Face tokenizer, and our own loader reads them back as a reference:
//
//   onnx/vision_model.onnx    pixel_values float32 [n, 3, S, S] ((v/255 − 0.5) / 0.5) -> image_embeds [n, E]
//   onnx/text_model.onnx      input_ids int64 [n, L] (0 = pad) -> text_embeds [n, E]
//   tokenizer.json            our word tokenizer as a WordPiece model (a word is one piece or
//                             unknown, exactly its rules), tokenizer_config.json; or the standard
//                             tokenizer the learner was trained with (data.tokenizer), as given:
//                             then the text graph also takes attention_mask and maps the
//                             tokenizer's ids to ours itself ((id + 1) · mask, 0 = padding)
//   preprocessor_config.json  resize to S x S, mean = std = 0.5 (our tower's [-1, 1] scaling)
//   config.json               model_type jest_studio_siglip, HF-named text/vision sizes, the
//                             learned logit_scale (t') and logit_bias (b), and what only we read
//                             (jest_studio: the ModelConfig, patch size, FLOPs per example)
// Embeddings are L2-normalised, as in our own encoders.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Graph, graphFlops, op, serialize } from '../onnx';
import type { TokenizerJson } from '../data/tokenizer';
import type { CaptionTokenizerJson } from '../data/caption-tokenizer';
import { PAD_ID, UNK_ID } from '../data/tokenizer';
import { ModelConfig } from './config';
import { FlatValues, bindConstants, flatLayout, paramView } from './layout';
import { buildImageEmbedder, buildTextEmbedder } from './graphs';
import { encodeImages, encodeTexts, modelParams } from './siglip';

const BUILD_BATCH = 2;
export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';
/** Our word rule (data/tokenizer.ts) as the Split pre-tokenizer's pattern: matches are kept. */
const WORD_PATTERN = "[\\p{L}\\p{N}\\p{M}]+(?:'[\\p{L}\\p{N}\\p{M}]+)*|[^\\s\\p{L}\\p{N}\\p{M}]";

export function standardVisionModel(model: ModelConfig, params: FlatValues, patchSize: number): Uint8Array {
  const g = new Graph('float32', 'vision_model');
  const P = bindConstants(g, flatLayout(modelParams(model)), params);
  const S = model.imageSize;
  const pv = g.input('pixel_values', [BUILD_BATCH, 3, S, S], 'float32');
  g.output(op.identity(encodeImages(P, model, op.transpose(pv, [0, 2, 3, 1]), patchSize)), 'image_embeds');
  return serialize(g, {
    dynamicAxes: { pixel_values: { 0: 'batch_size' }, image_embeds: { 0: 'batch_size' } },
    docString: 'JEST Studio SigLIP vision model: pixel_values float32 [n, 3, S, S] normalised with mean = std = 0.5 -> L2-normalised image_embeds',
  });
}

/** `shifted`: the learner used a standard tokenizer, whose id k is our k + 1 (0 = padding). */
export function standardTextModel(model: ModelConfig, params: FlatValues, shifted = false): Uint8Array {
  const g = new Graph('float32', 'text_model');
  const P = bindConstants(g, flatLayout(modelParams(model)), params);
  let ids = g.input('input_ids', [BUILD_BATCH, model.seqLen], 'int64');
  const axes: Record<string, Record<number, string>> = { input_ids: { 0: 'batch_size' }, text_embeds: { 0: 'batch_size' } };
  if (shifted) {
    const mask = g.input('attention_mask', [BUILD_BATCH, model.seqLen], 'int64');
    ids = op.mul(op.add(ids, g.scalar(1, 'int64')), mask);
    axes.attention_mask = { 0: 'batch_size' };
  }
  g.output(op.identity(encodeTexts(P, model, ids)), 'text_embeds');
  return serialize(g, {
    dynamicAxes: axes,
    docString: 'JEST Studio SigLIP text model: input_ids int64 [n, L] (0 = pad) -> L2-normalised text_embeds',
  });
}

/** Our word tokenizer as a Hugging Face tokenizer.json that encodes every caption to the same ids. */
export function wordTokenizerAsStandard(t: TokenizerJson): Record<string, unknown> {
  const vocab: Record<string, number> = { [PAD_TOKEN]: PAD_ID, [UNK_TOKEN]: UNK_ID };
  t.words.forEach((w, i) => (vocab[w] = i + 2));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: PAD_ID, content: PAD_TOKEN, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: UNK_ID, content: UNK_TOKEN, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Split', pattern: { Regex: WORD_PATTERN }, behavior: 'Removed', invert: true },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    // No "##" pieces: a word is in the vocabulary whole or it is <unk>, as our rule 3 says.
    model: { type: 'WordPiece', unk_token: UNK_TOKEN, continuing_subword_prefix: '##', max_input_chars_per_word: 1000000, vocab },
  };
}

/** Write the standard-layout folder for a trained model (parameters `params`) into `dir`. */
export async function writeStandardLayout(dir: string, model: ModelConfig, params: FlatValues, tokenizer: CaptionTokenizerJson, patchSize = model.patchSizes[0]): Promise<void> {
  const standard = tokenizer.format === 'jest-studio-standard-tokenizer' ? tokenizer : null;
  const layout = flatLayout(modelParams(model));
  const mlp = Math.round(model.width * model.mlpRatio);
  const tower = { hidden_size: model.width, num_hidden_layers: model.depth, num_attention_heads: model.heads, intermediate_size: mlp };
  const config = {
    model_type: 'jest_studio_siglip',
    architectures: ['JestStudioSiglipModel'],
    projection_dim: model.embedDim,
    logit_scale: paramView(layout, params, 't_prime')[0],
    logit_bias: paramView(layout, params, 'bias')[0],
    // with a standard tokenizer, its ids run to model.vocabSize - 2 (the graph adds one)
    text_config: { ...tower, vocab_size: standard ? model.vocabSize - 1 : model.vocabSize, max_position_embeddings: model.seqLen, ...(standard ? {} : { pad_token_id: PAD_ID }) },
    vision_config: { ...tower, image_size: model.imageSize, patch_size: patchSize, num_channels: 3 },
    jest_studio: {
      model,
      patch_size: patchSize,
      // counted by our own FLOP counter on the same graphs (what a run's ledger charges)
      flops_per_example: { image: graphFlops(buildImageEmbedder(model, 1, patchSize).graph), text: graphFlops(buildTextEmbedder(model, 1).graph) },
    },
  };
  const preprocessor = {
    image_processor_type: 'SiglipImageProcessor',
    do_resize: true,
    size: { height: model.imageSize, width: model.imageSize },
    resample: 1,
    do_center_crop: false,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    // Our decode letterboxes on white (data prepare's fit "contain"); other tools resize.
    jest_studio_fit: 'contain',
  };
  const tokenizerConfig = standard
    ? { ...standard.config, model_max_length: model.seqLen }
    : { tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: model.seqLen, pad_token: PAD_TOKEN, unk_token: UNK_TOKEN, padding_side: 'right', truncation_side: 'right', do_lower_case: true };
  await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fs.writeFile(path.join(dir, 'onnx', 'vision_model.onnx'), standardVisionModel(model, params, patchSize));
  await fs.writeFile(path.join(dir, 'onnx', 'text_model.onnx'), standardTextModel(model, params, !!standard));
  await fs.writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(standard ? standard.tokenizer : wordTokenizerAsStandard(tokenizer as TokenizerJson)));
  await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  await fs.writeFile(path.join(dir, 'preprocessor_config.json'), JSON.stringify(preprocessor, null, 2));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
}
