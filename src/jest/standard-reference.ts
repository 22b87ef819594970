// A pretrained CLIP / SigLIP (or any dual encoder in the standard layout, standard-layout.ts) as a
// JEST reference: its own decode of the images (size and crop from preprocessor_config.json), its
// own tokenizer (tokenizer.json through @huggingface/tokenizers), its graphs run as they were
// exported, and embeddings L2-normalised here (HF's *_embeds are not; normalising twice is
// harmless).
//
// The pair loss needs SigLIP's t' (log temperature) and b. Where they come from, first found wins:
// the experiment (reference.logitScale / logitBias), a graph output (logit_scale / logit_bias),
// config.json's logit_scale / logit_bias (JEST Studio's own export writes them), or, for a model
// trained with another loss (CLIP's softmax), a fit on the curated set (fit-scale.ts), done by
// the caller. `scale.source` says which, and the run logs it.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { toInt64 } from '../data/tokenizer';
import { l2normaliseRows } from '../util/vectors';
import { ResolvedDevice, sessionOptions } from '../runtime/device';
import { dualEncoderFlops } from './encoder-flops';
import type { ReferenceModel, ReferenceScale } from './reference';
import { openStandardTokenizer, readStandardLayout, type Preprocess, type StandardLayout } from './standard-layout';

/** Images per session run: 64 photos at 224 px are 38 MB of float input. */
const IMAGE_CHUNK = 64;
/** Captions per session run. */
const TEXT_CHUNK = 512;

/** uint8 NHWC [n, S, S, 3] -> float32 NCHW pixel_values, rescaled and normalised per channel. */
export function toPixelValues(pixels: Uint8Array, n: number, S: number, pre: Pick<Preprocess, 'rescale' | 'mean' | 'std'>): Float32Array {
  const out = new Float32Array(n * 3 * S * S);
  const plane = S * S;
  for (let c = 0; c < 3; c++) {
    const a = pre.rescale / pre.std[c];
    const b = -pre.mean[c] / pre.std[c];
    for (let i = 0; i < n; i++) {
      const src = i * plane * 3 + c;
      const dst = (i * 3 + c) * plane;
      for (let k = 0; k < plane; k++) out[dst + k] = pixels[src + 3 * k] * a + b;
    }
  }
  return out;
}

export interface StandardReferenceOptions {
  device: ResolvedDevice;
  threads: number;
  /** The experiment's reference.logitScale / logitBias (null: not given). */
  logitScale: number | null;
  logitBias: number | null;
}

/** A reference whose t' and b are not known yet (CLIP): the caller fits them (fit-scale.ts). */
export type UnscaledReference = Omit<ReferenceModel, 'tPrime' | 'bias' | 'scale'> & { scale: ReferenceScale | null; layout: StandardLayout };

/**
 * What identifies a standard-layout model's embeddings (the key of every cache built from them):
 * its graphs, tokenizer and padding, L, and preprocessing. `graphs`: their bytes, when read already.
 */
export async function standardFingerprint(layout: StandardLayout, graphs?: Uint8Array[]): Promise<string> {
  const hash = createHash('sha256');
  for (const g of graphs ?? (await Promise.all([...new Set([layout.files.vision, layout.files.text])].map((f) => fs.readFile(f))))) hash.update(g);
  for (const f of [layout.files.tokenizer, layout.files.tokenizerConfig, layout.files.preprocessor, layout.files.config]) if (f) hash.update(await fs.readFile(f));
  return hash.digest('hex').slice(0, 16);
}

/** For logs, events and tables: "<type> model <folder> (<S> px, L=<L>, <kind> tokenizer)". */
export function standardDescription(layout: StandardLayout, tokenizerKind: string): string {
  return `${layout.modelType} model ${path.basename(path.resolve(layout.folder))} (${layout.preprocess.decode.size} px, L=${layout.textLength}, ${tokenizerKind} tokenizer)`;
}

export async function openStandardReference(folder: string, o: StandardReferenceOptions): Promise<UnscaledReference> {
  const layout = readStandardLayout(folder);
  const tokenizer = openStandardTokenizer(layout);
  const opts = sessionOptions(o.device, o.threads);
  const [vBytes, tBytes] = await Promise.all([fs.readFile(layout.files.vision), layout.combined ? Promise.resolve(Buffer.alloc(0)) : fs.readFile(layout.files.text)]);
  // one session for a combined graph (both towers in model.onnx)
  const vision = await ort.InferenceSession.create(vBytes, opts);
  const text = layout.combined ? vision : await ort.InferenceSession.create(tBytes, opts);
  const releaseAll = () => Promise.all(layout.combined ? [vision.release()] : [vision.release(), text.release()]);
  const fingerprint = await standardFingerprint(layout, layout.combined ? [vBytes] : [vBytes, tBytes]);
  try {
    return await finishOpening();
  } catch (err) {
    await releaseAll().catch(() => undefined);
    throw err;
  }

  async function finishOpening(): Promise<UnscaledReference> {
    const S = layout.preprocess.decode.size;
    const L = tokenizer.maxLength;

    // A combined graph runs both towers each time: the other tower gets one row of dummy input.
    const blankImage = () => new ort.Tensor('float32', new Float32Array(3 * S * S), [1, 3, S, S]);
    const textFeeds = (captions: readonly string[]) => {
      const n = captions.length;
      const { ids, mask } = tokenizer.encodeBatch(captions);
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of layout.text.inputs) {
        if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', toInt64(ids), [n, L]);
        else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', toInt64(mask), [n, L]);
        else if (name === 'position_ids') feeds[name] = new ort.Tensor('int64', toInt64(Int32Array.from({ length: n * L }, (_, k) => k % L)), [n, L]);
        else if (name === 'token_type_ids') feeds[name] = new ort.Tensor('int64', new BigInt64Array(n * L), [n, L]);
      }
      return feeds;
    };
    const runText = (captions: readonly string[], fetch: string[]) => text.run(layout.combined ? { ...textFeeds(captions), pixel_values: blankImage() } : textFeeds(captions), fetch);
    const runVision = (pv: ort.Tensor, fetch: string[]) => vision.run(layout.combined ? { ...textFeeds(['']), pixel_values: pv } : { pixel_values: pv }, fetch);

    // t' and b: given, else a graph output, else config.json, else unknown (fitted by the caller).
    let scale: ReferenceScale | null = null;
    if (o.logitScale !== null) {
      scale = { tPrime: o.logitScale, bias: o.logitBias ?? 0, source: 'given', detail: 'reference.logitScale / logitBias in the experiment' };
    } else if (layout.scaleOutputs) {
      const so = layout.scaleOutputs;
      const fetch = [so.logitScale, ...(so.logitBias ? [so.logitBias] : [])];
      const r = so.graph === 'text' ? await runText(['a'], fetch) : await runVision(blankImage(), fetch);
      const t = Number(r[so.logitScale].data[0]);
      const b = so.logitBias ? Number(r[so.logitBias].data[0]) : 0;
      scale = { tPrime: t, bias: b, source: 'graph', detail: `outputs ${fetch.join(', ')} of ${path.basename(so.graph === 'text' ? layout.files.text : layout.files.vision)}` };
    } else if (layout.configScale) {
      scale = { tPrime: layout.configScale.logitScale, bias: layout.configScale.logitBias, source: 'config', detail: `logit_scale / logit_bias in ${path.basename(layout.files.config)}` };
    } else if (layout.combined?.logits && /^siglip/.test(layout.modelType)) {
      // A SigLIP in one graph gives its pair logits e^t'·cos + b: two images and two captions
      // give four (cos, logit) points on that line. (A CLIP's logits are a softmax's: not used.)
      scale = await scaleFromLogits(layout.combined.logits);
    }

    async function scaleFromLogits(logits: string): Promise<ReferenceScale | null> {
      const px = new Float32Array(2 * 3 * S * S);
      for (let k = 3 * S * S; k < px.length; k++) px[k] = ((k % 97) / 48) - 1; // a blank and a ramp
      const r = await vision.run({ ...textFeeds(['a photo of a cat', 'a red circle']), pixel_values: new ort.Tensor('float32', px, [2, 3, S, S]) }, [logits, 'image_embeds', 'text_embeds']);
      const E = r.image_embeds.dims.at(-1)!;
      const img = l2normaliseRows(new Float32Array(r.image_embeds.data as Float32Array), E);
      const txt = l2normaliseRows(new Float32Array(r.text_embeds.data as Float32Array), E);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
        let c = 0;
        for (let k = 0; k < E; k++) c += img[i * E + k] * txt[j * E + k];
        xs.push(c);
        ys.push(Number(r[logits].data[i * 2 + j]));
      }
      const mx = xs.reduce((a, b) => a + b) / 4;
      const my = ys.reduce((a, b) => a + b) / 4;
      const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      if (!(sxx > 1e-12)) return null;
      const slope = xs.reduce((a, x, k) => a + (x - mx) * (ys[k] - my), 0) / sxx;
      const bias = my - slope * mx;
      const off = Math.max(...xs.map((x, k) => Math.abs(slope * x + bias - ys[k])));
      if (!(slope > 0) || off > 1e-3 * Math.max(1, Math.abs(slope))) return null; // not e^t'·cos + b
      return { tPrime: Math.log(slope), bias, source: 'graph', detail: `from ${logits} of ${path.basename(layout.combined!.file)} (= e^t'·cos + b)` };
    }

    // The embedding width, from one probe (ONNX shapes of exported outputs are often symbolic).
    const probe = await runText(['a'], [layout.text.embedOutput]);
    const embedDim = probe[layout.text.embedOutput].dims.at(-1)!;
    // Our own export carries the count our FLOP counter made of its graphs; others are counted from config.json.
    const own = (layout.config.jest_studio as { flops_per_example?: { image: number; text: number } } | undefined)?.flops_per_example;
    const flops = own ?? dualEncoderFlops(layout.config, L);

    const embedImages = async (pixels: Uint8Array): Promise<Float32Array> => {
      const n = pixels.length / (S * S * 3);
      if (!Number.isInteger(n)) throw new Error(`the reference ${folder} takes ${S}x${S} RGB images; got ${pixels.length} bytes`);
      const image = new Float32Array(n * embedDim);
      for (let start = 0; start < n; start += IMAGE_CHUNK) {
        const m = Math.min(IMAGE_CHUNK, n - start);
        const pv = toPixelValues(pixels.subarray(start * S * S * 3, (start + m) * S * S * 3), m, S, layout.preprocess);
        const r = await runVision(new ort.Tensor('float32', pv, [m, 3, S, S]), [layout.vision.embedOutput]);
        const out = r[layout.vision.embedOutput];
        if (out.dims.at(-1) !== embedDim) throw new Error(`${layout.files.vision} gives ${out.dims.at(-1)}-wide image embeddings but the text graph gives ${embedDim}: use the *_with_projection exports of both`);
        image.set(out.data as Float32Array, start * embedDim);
      }
      return l2normaliseRows(image, embedDim);
    };
    const embedTexts = async (captions: readonly string[]): Promise<Float32Array> => {
      const text = new Float32Array(captions.length * embedDim);
      for (let start = 0; start < captions.length; start += TEXT_CHUNK) {
        const t = await runText(captions.slice(start, start + TEXT_CHUNK), [layout.text.embedOutput]);
        text.set(t[layout.text.embedOutput].data as Float32Array, start * embedDim);
      }
      return l2normaliseRows(text, embedDim);
    };

    return {
      description: standardDescription(layout, tokenizer.kind),
      fingerprint,
      embedDim,
      imageDecode: layout.preprocess.decode,
      notes: layout.preprocess.notes,
      flopsPerExample: flops.image + flops.text,
      scale,
      layout,
      embedImages,
      embedTexts,
      async embed(pixels, captions) {
        const n = captions.length;
        if (pixels.length !== n * S * S * 3) throw new Error(`the reference ${folder} takes ${S}x${S} RGB images; got ${pixels.length} bytes for ${n} captions`);
        return { image: await embedImages(pixels), text: await embedTexts(captions) };
      },
      async release() {
        await releaseAll();
      },
    };
  }
}
