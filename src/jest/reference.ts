// Reference models: a frozen image-text model trained on curated data. It is used only through
// its two encoders and its t', b, so a reference is a finished run (its exported encoders, made
// from its latest checkpoint when the run did not finish), a pair of .onnx encoders with JEST
// Studio's metadata (src/model/export.ts), or a pretrained model folder in the ecosystem's
// standard layout (CLIP, SigLIP: standard-reference.ts).
//
// The reference brings its OWN tokenizer (it was trained on other captions than the pool) and its
// OWN image size: pool captions are re-tokenized with it, and the pool is decoded again at its size
// when that differs from the learner's (open-reference.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { Experiment } from '../config/experiment';
import { tokenizerFromJSON, type CaptionTokenizerJson } from '../data/caption-tokenizer';
import { referenceEncoderFiles, referenceFileProblems } from './reference-files';
import { usesReference } from './scores';
import { ModelConfig } from '../model/config';
import type { DecodeSettings } from '../data/decode/settings';
import { readStandardLayout, openStandardTokenizer } from './standard-layout';
import { dualEncoderFlops } from './encoder-flops';
import { graphFlops } from '../onnx';
import { buildImageEmbedder, buildTextEmbedder } from '../model/graphs';
import { ResolvedDevice, sessionOptions } from '../runtime/device';

/** The reference's t' (log temperature) and b for the sigmoid pair loss, and where they came from. */
export interface ReferenceScale {
  tPrime: number;
  bias: number;
  /** trained: learned with the sigmoid loss (our runs); given: the experiment; graph / config: the model's files; fitted: on the curated set. */
  source: 'trained' | 'given' | 'graph' | 'config' | 'fitted';
  detail: string;
}

export interface ReferenceModel {
  /** For logs and errors: where it came from. */
  readonly description: string;
  /** Identifies the weights (a hash of both encoder files): part of the embedding cache key. */
  readonly fingerprint: string;
  readonly embedDim: number;
  /** The square the reference's images are decoded to (its own decode of the pool when it differs from the learner's). */
  readonly imageDecode: { size: number; fit: DecodeSettings['fit'] };
  readonly tPrime: number;
  readonly bias: number;
  readonly scale: ReferenceScale;
  /** Where we do not reproduce the model's own preprocessing exactly (logged). */
  readonly notes: readonly string[];
  /** Forward FLOPs to embed one image and one caption. */
  readonly flopsPerExample: number;
  /** L2-normalised embeddings [n, E] of images (uint8 NHWC at imageDecode.size). */
  embedImages(pixels: Uint8Array): Promise<Float32Array>;
  /** L2-normalised embeddings [n, E] of captions (any number, e.g. class names). */
  embedTexts(captions: readonly string[]): Promise<Float32Array>;
  /** Both, for n images and their n captions. */
  embed(pixels: Uint8Array, captions: readonly string[]): Promise<{ image: Float32Array; text: Float32Array }>;
  release(): Promise<void>;
}

export { ENCODER_FILES, STANDARD_EXPORT_DIR } from './reference-files';

/**
 * Before any work: the experiment's reference files exist (reference-files.ts) and its text
 * encoder is a reference (an ONNX model with JEST Studio's metadata). Undefined when all is well.
 */
export function referenceLoadProblem(e: Experiment): string | undefined {
  const missing = referenceFileProblems(e);
  if (missing.length) return missing.map((p) => p.message).join('; ');
  const ref = e.reference;
  if (usesReference(e) && ref?.folder) {
    try {
      const layout = readStandardLayout(ref.folder);
      openStandardTokenizer(layout);
      if (ref.logitScale === null && !layout.scaleOutputs && !layout.configScale && !e.data.curated) {
        return `the reference ${ref.folder} (${layout.modelType}) carries no sigmoid temperature and bias in its files (no logit_scale / logit_bias graph output or config.json entry): set reference.logitScale and reference.logitBias, or set data.curated so that they are fitted on it`;
      }
      if (!(layout.config.jest_studio as { flops_per_example?: unknown } | undefined)?.flops_per_example) dualEncoderFlops(layout.config, layout.textLength); // its sizes are known (the FLOP ledger needs them)
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }
  const files = usesReference(e) ? referenceEncoderFiles(e) : null;
  if (!files) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(files.text));
  } catch (err) {
    return `reference text encoder ${files.text} cannot be read (${(err as Error).message})`;
  }
  return referenceTextEncoderProblem(bytes, files.text);
}

const REFERENCE_METADATA = ['jest_studio.model', 'jest_studio.t_prime', 'jest_studio.bias', 'jest_studio.tokenizer'] as const;

/**
 * Is this .onnx text encoder a reference JEST Studio can use: an ONNX model carrying the model
 * config, t', b and tokenizer? Undefined when it is; else why not. Decodes the file, opens no session.
 */
export function referenceTextEncoderProblem(bytes: Uint8Array, file: string): string | undefined {
  let keys: Set<string>;
  try {
    keys = new Set(onnx.ModelProto.decode(bytes).metadataProps.map((p) => p.key ?? ''));
  } catch (e) {
    return `reference text encoder ${file} is not a readable ONNX model (${(e as Error).message})`;
  }
  const missing = REFERENCE_METADATA.filter((k) => !keys.has(k));
  return missing.length ? `reference text encoder ${file} lacks metadata ${missing.join(', ')}: encoders made elsewhere must carry the model config, t', b and tokenizer (see docs/reference-models.md)` : undefined;
}

function meta(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key, p.value]));
}

/** Open a pair of encoder files (JEST Studio's export, or anything with the same contract). */
export async function openEncoderReference(
  imagePath: string,
  textPath: string,
  device: ResolvedDevice,
  threads: number,
): Promise<ReferenceModel> {
  const read = async (p: string, what: string) => {
    try {
      return new Uint8Array(await fs.readFile(p));
    } catch (e) {
      throw new Error(`reference ${what} encoder ${p} cannot be read (${(e as Error).message}). Point reference.encoders at existing .onnx files, or reference.run at a finished run.`);
    }
  };
  const [imgBytes, txtBytes] = [await read(imagePath, 'image'), await read(textPath, 'text')];
  const problem = referenceTextEncoderProblem(txtBytes, textPath);
  if (problem) throw new Error(problem);
  const im = meta(imgBytes);
  const tm = meta(txtBytes);
  const model = JSON.parse(tm['jest_studio.model']) as ModelConfig;
  const patch = Number(im['jest_studio.patch_size'] ?? model.patchSizes[0]);
  const tokenizer = tokenizerFromJSON(JSON.parse(tm['jest_studio.tokenizer']) as CaptionTokenizerJson);
  const opts = sessionOptions(device, threads);
  const [imgSession, txtSession] = await Promise.all([ort.InferenceSession.create(imgBytes, opts), ort.InferenceSession.create(txtBytes, opts)]);
  const fingerprint = createHash('sha256').update(imgBytes).update(txtBytes).digest('hex').slice(0, 16);
  // FLOPs per example: the same graphs at batch 1, counted by our own counter.
  const flopsPerExample = graphFlops(buildImageEmbedder(model, 1, patch).graph) + graphFlops(buildTextEmbedder(model, 1).graph);
  const S = model.imageSize;
  const embedImages = async (pixels: Uint8Array): Promise<Float32Array> => {
    const n = pixels.length / (S * S * 3);
    if (!Number.isInteger(n)) throw new Error(`the reference expects ${S}x${S} RGB images; got ${pixels.length} bytes`);
    return (await imgSession.run({ images: new ort.Tensor('uint8', pixels, [n, S, S, 3]) })).embeddings.data as Float32Array;
  };
  const embedTexts = async (captions: readonly string[]): Promise<Float32Array> => {
    const tokens = tokenizer.encodeBatch(captions);
    return (await txtSession.run({ tokens: new ort.Tensor('int32', tokens, [captions.length, model.seqLen]) })).embeddings.data as Float32Array;
  };

  return {
    description: `encoders ${path.basename(imagePath)} + ${path.basename(textPath)}`,
    fingerprint,
    embedDim: model.embedDim,
    // JEST Studio's runs decode with the prepare defaults (fit contain), the same as the pool's
    imageDecode: { size: S, fit: 'contain' },
    tPrime: Number(tm['jest_studio.t_prime']),
    bias: Number(tm['jest_studio.bias']),
    scale: { tPrime: Number(tm['jest_studio.t_prime']), bias: Number(tm['jest_studio.bias']), source: 'trained', detail: 'learned with the sigmoid loss (the encoders\' metadata)' },
    notes: [],
    flopsPerExample,
    embedImages,
    embedTexts,
    async embed(pixels, captions) {
      const n = captions.length;
      if (pixels.length !== n * S * S * 3) throw new Error(`the reference expects ${S}x${S} RGB images; got ${pixels.length} bytes for ${n} captions`);
      const [image, text] = await Promise.all([embedImages(pixels), embedTexts(captions)]);
      return { image, text };
    },
    async release() {
      await Promise.all([imgSession.release(), txtSession.release()]);
    },
  };
}
