// A pretrained image-text model in the layout the ecosystem exports (transformers.js model folders,
// Hugging Face Optimum exports): a vision graph, a text graph, tokenizer.json, config.json and
// preprocessor_config.json. This file reads and checks the folder WITHOUT onnxruntime (the graphs'
// input and output names come from their protobuf), so `validate` and the run's preflight can name
// a wrong file before any work; standard-reference.ts opens the sessions.
//
//   <folder>/config.json                model_type (clip, siglip, ...), text_config, vision_config
//   <folder>/preprocessor_config.json   resize / centre-crop / rescale / normalise
//   <folder>/tokenizer.json             (+ tokenizer_config.json, optional)
//   <folder>/onnx/vision_model.onnx     pixel_values float32 [n, 3, H, W] -> image_embeds | pooler_output
//   <folder>/onnx/text_model.onnx       input_ids int64 [n, L] (+ attention_mask) -> text_embeds | pooler_output
// (the two graphs may also sit in the folder itself, as some exports put them), or, as Optimum
// exports a CLIP or SigLIP by default, ONE graph for both towers:
//   <folder>/onnx/model.onnx (or model.onnx)  pixel_values + input_ids (+ attention_mask)
//                                             -> image_embeds, text_embeds, logits_per_image
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import type { DecodeSettings } from '../data/decode/settings';
import { StandardTokenizer } from '../data/standard-tokenizer';

export const STANDARD_FILES = {
  config: 'config.json',
  preprocessor: 'preprocessor_config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  vision: ['onnx/vision_model.onnx', 'vision_model.onnx'],
  text: ['onnx/text_model.onnx', 'text_model.onnx'],
  combined: ['onnx/model.onnx', 'model.onnx'],
} as const;

/** Output names of the embedding, in order of preference (HF names, then JEST Studio's own). */
export const IMAGE_EMBED_OUTPUTS = ['image_embeds', 'pooler_output', 'embeddings'] as const;
export const TEXT_EMBED_OUTPUTS = ['text_embeds', 'pooler_output', 'embeddings'] as const;
/** Text inputs we know how to feed; any other input the text graph declares is an error. */
const TEXT_INPUTS = ['input_ids', 'attention_mask', 'position_ids', 'token_type_ids'] as const;

export interface Preprocess {
  /** The square the image is decoded to, and how it gets there (decode/settings.ts). */
  decode: Pick<DecodeSettings, 'size' | 'fit'>;
  /** Applied to 0..255 values: (v * rescale - mean[c]) / std[c]. */
  rescale: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Said in the run's events when we do not reproduce the processor exactly. */
  notes: string[];
}

export interface StandardLayout {
  folder: string;
  modelType: string;
  files: { config: string; preprocessor: string; tokenizer: string; tokenizerConfig: string | null; vision: string; text: string };
  config: Record<string, unknown>;
  preprocess: Preprocess;
  /** L: every caption is padded or truncated to this. */
  textLength: number;
  /** text_config.vocab_size, when config.json says. */
  vocabSize: number | undefined;
  vision: { inputs: string[]; outputs: string[]; embedOutput: string };
  text: { inputs: string[]; outputs: string[]; embedOutput: string };
  /**
   * Both towers in one graph (Optimum's layout): files.vision and files.text are that file; each
   * tower is run with a one-row dummy input for the other. logits names its pair-logit output.
   */
  combined: { file: string; logits: string | null } | null;
  /** A graph output carrying the learned log-temperature / bias (SigLIP exports can have them). */
  scaleOutputs: { graph: 'vision' | 'text'; logitScale: string; logitBias: string | null } | null;
  /** Or config.json's logit_scale / logit_bias (what JEST Studio's own export writes). */
  configScale: { logitScale: number; logitBias: number } | null;
}

/**
 * transformers writes only the config keys that differ from its config classes' defaults, so a
 * real SigLIP's config.json can lack text_config.max_position_embeddings, hidden sizes and more.
 * These are those defaults (CLIPTextConfig / CLIPVisionConfig, SiglipTextConfig /
 * SiglipVisionConfig), filled in where the file is silent (and said in the run's notes).
 */
const CONFIG_DEFAULTS: Record<string, { top: Record<string, unknown>; text: Record<string, number>; vision: Record<string, number> }> = {
  clip: {
    top: { projection_dim: 512, logit_scale_init_value: 2.6592 },
    text: { vocab_size: 49408, hidden_size: 512, intermediate_size: 2048, num_hidden_layers: 12, num_attention_heads: 8, max_position_embeddings: 77 },
    vision: { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, image_size: 224, patch_size: 32 },
  },
  siglip: {
    top: {},
    text: { vocab_size: 32000, hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, max_position_embeddings: 64 },
    vision: { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, image_size: 224, patch_size: 16 },
  },
};

/** config.json with transformers' defaults where it is silent, and which keys were filled. */
export function withConfigDefaults(config: Record<string, unknown>): { config: Record<string, unknown>; filled: string[] } {
  const d = CONFIG_DEFAULTS[String(config.model_type ?? '')];
  if (!d) return { config, filled: [] };
  const filled: string[] = [];
  const merge = (o: Record<string, unknown>, defaults: Record<string, unknown>, prefix: string) => {
    const out = { ...o };
    for (const [k, v] of Object.entries(defaults)) {
      if (out[k] === undefined || out[k] === null) {
        out[k] = v;
        filled.push(`${prefix}${k}`);
      }
    }
    return out;
  };
  return {
    config: { ...merge(config, d.top, ''), text_config: merge(sub(config, 'text_config'), d.text, 'text_config.'), vision_config: merge(sub(config, 'vision_config'), d.vision, 'vision_config.') },
    filled,
  };
}

function readJson(file: string, what: string, fix: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: ${what}. ${fix}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}): re-export the model, or repair the file`);
  }
}

function sub(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = o[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function triple(v: unknown, dflt: [number, number, number], file: string, key: string): [number, number, number] {
  if (v === undefined) return dflt;
  const a = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(a) || a.length !== 3 || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`${file}: ${key} must be three numbers (one per RGB channel), got ${JSON.stringify(v)}`);
  }
  return a as [number, number, number];
}

/** How preprocessor_config.json turns a photo into pixel_values, in our decode's terms. */
export function readPreprocess(p: Record<string, unknown>, file: string, imageSize: number | undefined): Preprocess {
  const notes: string[] = [];
  const size = sub(p, 'size');
  const crop = sub(p, 'crop_size');
  const side = (o: Record<string, unknown>, v: unknown) => num(o.height) ?? num(o.shortest_edge) ?? num(v);
  const doResize = p.do_resize !== false;
  const doCrop = p.do_center_crop === true;
  let out: number | undefined;
  let fit: Preprocess['decode']['fit'];
  if (doCrop) {
    out = side(crop, p.crop_size);
    const resized = side(size, p.size);
    fit = 'cover';
    if (resized !== undefined && out !== undefined && resized !== out) {
      notes.push(`the processor resizes the short side to ${resized} and crops ${out}; we crop the centre square and resize it to ${out} (the border it trims is ${resized - out} px wider)`);
    }
  } else {
    out = side(size, p.size);
    fit = num(size.shortest_edge) !== undefined && num(size.height) === undefined ? 'cover' : 'fill';
    if (fit === 'cover') notes.push('the processor keeps the aspect ratio without a crop; we crop the centre square');
  }
  // JEST Studio's own export says how its images were decoded in training (letterboxed on white).
  const own = p.jest_studio_fit;
  if (own === 'contain' || own === 'cover' || own === 'fill') {
    fit = own;
    notes.length = 0;
  }
  out ??= imageSize;
  if (out === undefined || !Number.isInteger(out) || out < 1) throw new Error(`${file} gives no image size (size / crop_size) and config.json's vision_config.image_size is missing: add "size": {"height": H, "width": H}`);
  if (!doResize) notes.push('the processor does not resize; we decode every image to the model\'s square');
  const w = num(size.width) ?? num(crop.width);
  const h = num(size.height) ?? num(crop.height);
  if (w !== undefined && h !== undefined && w !== h) throw new Error(`${file} asks for ${w}x${h} images; only square inputs are supported`);
  const resample = num(p.resample);
  if (resample !== undefined && own === undefined) notes.push(`resampling is lanczos3 (the processor's PIL filter ${resample} differs by a few grey levels)`);
  return {
    decode: { size: out, fit },
    rescale: p.do_rescale === false ? 1 : (num(p.rescale_factor) ?? 1 / 255),
    mean: p.do_normalize === false ? [0, 0, 0] : triple(p.image_mean, [0.5, 0.5, 0.5], file, 'image_mean'),
    std: p.do_normalize === false ? [1, 1, 1] : triple(p.image_std, [0.5, 0.5, 0.5], file, 'image_std'),
    notes,
  };
}

/** TensorProto element types we feed: float32 images, int64 ids. */
const ELEM_NAMES: Record<number, string> = { 1: 'float32', 7: 'int64', 10: 'float16', 11: 'float64', 6: 'int32' };

function graphNames(file: string): { inputs: string[]; outputs: string[]; inputTypes: Record<string, string> } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new Error(`${file} cannot be read (${(e as Error).message})`);
  }
  let g: onnx.IGraphProto | null | undefined;
  try {
    g = onnx.ModelProto.decode(bytes).graph;
  } catch (e) {
    throw new Error(`${file} is not a readable ONNX model (${(e as Error).message}): re-export it`);
  }
  // Inputs that are also initializers are weights with defaults (older exporters list them).
  const inits = new Set((g?.initializer ?? []).map((t) => t.name ?? ''));
  const live = (g?.input ?? []).filter((i) => !inits.has(i.name ?? ''));
  const inputTypes = Object.fromEntries(live.map((i) => [i.name ?? '', ELEM_NAMES[i.type?.tensorType?.elemType ?? 0] ?? `type ${i.type?.tensorType?.elemType}`]));
  return { inputs: live.map((i) => i.name ?? ''), outputs: (g?.output ?? []).map((o) => o.name ?? ''), inputTypes };
}

function firstFile(folder: string, names: readonly string[], what: string): string {
  for (const n of names) if (fs.existsSync(path.join(folder, n))) return path.join(folder, n);
  throw new Error(`${folder} has no ${what} graph (looked for ${names.join(', ')}, and onnx/model.onnx with both towers): export the model's ${what} part to ONNX there (Optimum or transformers.js layout; see docs/reference-models.md)`);
}

/** Read and check a standard-layout folder; throws an error naming the file and the fix. */
export function readStandardLayout(folder: string): StandardLayout {
  if (!fs.existsSync(folder)) throw new Error(`reference.folder ${folder} does not exist (relative paths are from the experiment file's folder)`);
  const f = (n: string) => path.join(folder, n);
  const raw = readJson(f(STANDARD_FILES.config), 'a reference folder needs the model\'s config.json (model_type, text_config, vision_config)', 'Copy it from the model\'s export');
  const { config, filled } = withConfigDefaults(raw);
  const modelType = String(config.model_type ?? '');
  if (!modelType) throw new Error(`${f(STANDARD_FILES.config)} has no model_type: expected "clip", "siglip" or another dual-encoder's type`);
  const tc = sub(config, 'text_config');
  const vc = sub(config, 'vision_config');
  const pre = readJson(f(STANDARD_FILES.preprocessor), 'it says how images are resized and normalised', 'Copy preprocessor_config.json from the model\'s export');
  const preprocess = readPreprocess(pre, f(STANDARD_FILES.preprocessor), num(vc.image_size));
  if (filled.length) preprocess.notes.push(`config.json does not say ${filled.join(', ')}: transformers' ${modelType} defaults are used (it writes only what differs from them)`);
  if (num(vc.image_size) !== undefined && num(vc.image_size) !== preprocess.decode.size) {
    throw new Error(`${f(STANDARD_FILES.preprocessor)} makes ${preprocess.decode.size} px images but config.json's vision_config.image_size is ${String(vc.image_size)}: the two files are from different models`);
  }
  if (!fs.existsSync(f(STANDARD_FILES.tokenizer))) throw new Error(`${f(STANDARD_FILES.tokenizer)} is missing: the reference's captions must be tokenized as it was trained. Copy tokenizer.json from the model's export (transformers writes it with save_pretrained)`);
  const exists = (names: readonly string[]) => names.find((n) => fs.existsSync(path.join(folder, n)));
  const combinedName = !exists(STANDARD_FILES.vision) || !exists(STANDARD_FILES.text) ? exists(STANDARD_FILES.combined) : undefined;
  let visionFile: string;
  let textFile: string;
  let vision: ReturnType<typeof graphNames>;
  let text: ReturnType<typeof graphNames>;
  let combined: StandardLayout['combined'] = null;
  if (combinedName) {
    // one graph: its pixel_values belong to the vision tower, the rest of its inputs to the text tower
    visionFile = textFile = path.join(folder, combinedName);
    const g = graphNames(visionFile);
    if (!g.inputs.includes('pixel_values') || !g.inputs.includes('input_ids')) throw new Error(`${visionFile} has inputs ${g.inputs.join(', ')}: a model.onnx with both towers takes pixel_values and input_ids (or export the vision and text models as onnx/vision_model.onnx and onnx/text_model.onnx)`);
    for (const o of ['image_embeds', 'text_embeds']) if (!g.outputs.includes(o)) throw new Error(`${visionFile} has outputs ${g.outputs.join(', ')}, not ${o}: export the whole model (Optimum's default for CLIP / SigLIP), or the two towers separately`);
    vision = { inputs: ['pixel_values'], outputs: g.outputs, inputTypes: g.inputTypes };
    text = { inputs: g.inputs.filter((n) => n !== 'pixel_values'), outputs: g.outputs, inputTypes: g.inputTypes };
    combined = { file: visionFile, logits: g.outputs.includes('logits_per_image') ? 'logits_per_image' : null };
  } else {
    visionFile = firstFile(folder, STANDARD_FILES.vision, 'vision');
    vision = graphNames(visionFile);
    textFile = firstFile(folder, STANDARD_FILES.text, 'text');
    text = graphNames(textFile);
  }
  if (!vision.inputs.includes('pixel_values')) throw new Error(`${visionFile} has inputs ${vision.inputs.join(', ') || '(none)'}, not pixel_values: it is not a vision encoder in the standard layout (export the vision model with input pixel_values)`);
  const extra = vision.inputs.filter((n) => n !== 'pixel_values');
  if (extra.length) throw new Error(`${visionFile} needs inputs ${extra.join(', ')} besides pixel_values: export the vision model alone (its only input pixel_values)`);
  if (!text.inputs.includes('input_ids')) throw new Error(`${textFile} has inputs ${text.inputs.join(', ') || '(none)'}, not input_ids: it is not a text encoder in the standard layout`);
  if (vision.inputTypes.pixel_values !== 'float32') throw new Error(`${visionFile} takes ${vision.inputTypes.pixel_values} pixel_values; JEST Studio feeds float32: use the fp32 export of the model (transformers.js folders have onnx/vision_model.onnx beside _fp16 / _quantized variants)`);
  if (text.inputTypes.input_ids !== 'int64') throw new Error(`${textFile} takes ${text.inputTypes.input_ids} input_ids; JEST Studio feeds int64 as transformers exports do: re-export the text model`);
  const unknown = text.inputs.filter((n) => !(TEXT_INPUTS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`${textFile} needs inputs ${unknown.join(', ')}, which JEST Studio cannot fill (it feeds ${TEXT_INPUTS.join(', ')}): export the text model alone`);
  const pick = (outs: string[], prefs: readonly string[], file: string) => {
    const o = prefs.find((p) => outs.includes(p));
    if (!o) throw new Error(`${file} has outputs ${outs.join(', ')}, none of ${prefs.join(', ')}: export the model "with projection" so it outputs its embedding`);
    return o;
  };
  const scaleIn = (g: { outputs: string[] }) => g.outputs.includes('logit_scale');
  const scaleGraph = scaleIn(text) ? 'text' : scaleIn(vision) ? 'vision' : null;
  const scaleOutputs = scaleGraph ? { graph: scaleGraph, logitScale: 'logit_scale', logitBias: (scaleGraph === 'text' ? text : vision).outputs.includes('logit_bias') ? 'logit_bias' : null } as const : null;
  const cs = num(config.logit_scale);
  const textLength = num(tc.max_position_embeddings) ?? num(readJsonOptional(f(STANDARD_FILES.tokenizerConfig))?.model_max_length);
  if (textLength === undefined || textLength > 4096) throw new Error(`${f(STANDARD_FILES.config)} has no text_config.max_position_embeddings (the caption length L): add it`);
  return {
    folder,
    modelType,
    files: {
      config: f(STANDARD_FILES.config),
      preprocessor: f(STANDARD_FILES.preprocessor),
      tokenizer: f(STANDARD_FILES.tokenizer),
      tokenizerConfig: fs.existsSync(f(STANDARD_FILES.tokenizerConfig)) ? f(STANDARD_FILES.tokenizerConfig) : null,
      vision: visionFile,
      text: textFile,
    },
    config,
    preprocess,
    textLength,
    vocabSize: num(tc.vocab_size),
    vision: { ...vision, embedOutput: pick(vision.outputs, IMAGE_EMBED_OUTPUTS, visionFile) },
    text: { ...text, embedOutput: pick(text.outputs, TEXT_EMBED_OUTPUTS, textFile) },
    combined,
    scaleOutputs: combined ? null : scaleOutputs,
    configScale: cs !== undefined ? { logitScale: cs, logitBias: num(config.logit_bias) ?? 0 } : null,
  };
}

function readJsonOptional(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The folder's tokenizer, padded to the model's L, checked against the model: every id it can
 * produce must be a row of the text encoder's embedding table (config.json's vocab_size).
 */
export function openStandardTokenizer(layout: StandardLayout): StandardTokenizer {
  const file = layout.files.tokenizer;
  const tokenizer = readJson(file, 'the reference\'s tokenizer', 'Copy tokenizer.json from the model\'s export');
  const config = layout.files.tokenizerConfig ? readJson(layout.files.tokenizerConfig, 'tokenizer settings', 'Copy it from the export, or delete it') : {};
  const t = new StandardTokenizer({ tokenizer, config }, layout.textLength, file);
  if (layout.vocabSize !== undefined && t.vocabSize > layout.vocabSize) {
    throw new Error(`${file} has ${t.vocabSize} token ids but ${layout.files.config} says text_config.vocab_size ${layout.vocabSize}: this tokenizer is not the model's (ids past ${layout.vocabSize - 1} have no embedding). Copy the tokenizer.json exported with this model`);
  }
  return t;
}
