// Opening an experiment's reference for a run (and for precompute-reference): the model, from
// whichever of reference.run / encoders / folder is set; its t' and b, fitted on the curated set
// when the model's files do not carry them (a CLIP); and its own decode of the pool when it takes
// other images than the learner (a 224 px CLIP curating a 32 px learner). Each step says in the
// log what it did, so the run's events record where the reference's numbers came from.
import * as path from 'node:path';
import type { Experiment } from '../config/experiment';
import type { PreparedDataset } from '../data/cache/dataset';
import type { ResolvedDevice } from '../runtime/device';
import { RUN_FILES } from '../runs/folder';
import { prepareSource, type ExperimentData } from '../train/inputs';
import { cachedJson } from '../util/json-cache';
import { fitSigmoidScale, MAX_SCALE } from './fit-scale';
import { ENCODER_FILES, openEncoderReference, type ReferenceModel, type ReferenceScale } from './reference';
import { poolServesReference, ReferenceScorer } from './reference-scorer';
import { openStandardReference, type UnscaledReference } from './standard-reference';

/** Curated pairs the temperature fit uses: 1024² pairs pin two numbers down well. */
export const FIT_EXAMPLES = 1024;

/** The experiment's reference model, with its t' and b settled. */
export async function openReferenceModel(e: Experiment, device: ResolvedDevice, log: (m: string) => void, data: Pick<ExperimentData, 'cacheRoot'>): Promise<ReferenceModel> {
  const ref = e.reference;
  if (ref?.folder) {
    const m = await openStandardReference(ref.folder, { device, threads: e.runtime.threads, logitScale: ref.logitScale, logitBias: ref.logitBias });
    const scale = m.scale ?? (await fitOnCurated(e, m, log, data.cacheRoot));
    return { ...m, tPrime: scale.tPrime, bias: scale.bias, scale };
  }
  let image: string;
  let text: string;
  if (ref?.encoders) ({ image, text } = ref.encoders);
  else if (ref?.run) {
    image = path.join(ref.run, RUN_FILES.models, ENCODER_FILES.image);
    text = path.join(ref.run, RUN_FILES.models, ENCODER_FILES.text);
  } else {
    throw new Error(`selection.score "${e.selection.score}" needs a reference model: set reference.run to a finished run (e.g. a uniform run on the curated set), reference.encoders to a pair of .onnx files, or reference.folder to a pretrained CLIP / SigLIP export`);
  }
  return openEncoderReference(image, text, device, e.runtime.threads);
}

/** t' and b for a model trained with another loss: the sigmoid loss's optimum on curated pairs. */
async function fitOnCurated(e: Experiment, m: UnscaledReference, log: (m: string) => void, cacheRoot: string): Promise<ReferenceScale> {
  if (!e.data.curated) {
    throw new Error(`the reference ${m.description} carries no sigmoid temperature and bias in its files (no logit_scale / logit_bias graph output or config.json entry; a CLIP was trained with a softmax and has none, a SigLIP export usually leaves them out): set reference.logitScale and reference.logitBias, or set data.curated so that they are fitted on it`);
  }
  // read at most once (not at all when the fit is cached): rows from the files, not all in memory
  const curated = await prepareSource(e.data.curated, e, cacheRoot, log, { max: FIT_EXAMPLES, image: m.imageDecode, open: { inMemory: false } });
  const file = path.join(cacheRoot, 'reference-scale', `${m.fingerprint}-${curated.manifest.fingerprint.slice(0, 16)}.json`);
  const fit = await cachedJson(file, async () => {
    const rows = Array.from({ length: Math.min(FIT_EXAMPLES, curated.size) }, (_, i) => i);
    const b = curated.get(rows);
    const z = await m.embed(b.pixels, b.captions);
    return fitSigmoidScale(z.image, z.text, m.embedDim);
  });
  curated.close();
  const detail = `fitted on ${Math.round(Math.sqrt(fit.pairs))} examples of data.curated (${curated.manifest.name}): mean pair loss ${fit.loss.toPrecision(4)} (${fit.lossAtInit.toPrecision(4)} at SigLIP's initial t' = log 10, b = -10)${fit.atBound ? `; the curated pairs are separable, so t' stopped at its bound log ${MAX_SCALE} (a sharper temperature would lower the loss further)` : ''}`;
  return { tPrime: fit.tPrime, bias: fit.bias, source: 'fitted', detail };
}

/** The pool decoded as the reference takes it, checked to be the same examples row for row. */
async function referenceView(e: Experiment, m: ReferenceModel, data: ExperimentData, log: (m: string) => void): Promise<PreparedDataset> {
  const view = await prepareSource(e.data.train, e, data.cacheRoot, log, { max: e.data.maxTrainExamples, image: m.imageDecode });
  const a = data.pool.examples;
  const b = view.examples;
  const differs = a.length !== b.length ? 0 : a.findIndex((x, i) => x.id !== b[i].id);
  if (a.length !== b.length || differs >= 0) {
    const where = a.length !== b.length ? `${a.length} vs ${b.length} examples` : `row ${differs}: ${a[differs].id} vs ${b[differs].id}`;
    throw new Error(`the pool decoded at ${m.imageDecode.size} px for the reference is not the same examples as at ${data.pool.imageSize} px (${where}; an image that decodes at one size and not the other?): see ${view.dir}/report.json, fix or remove that image, and run again`);
  }
  log(`reference decode: the pool at ${m.imageDecode.size} px (fit ${m.imageDecode.fit}) beside the learner's ${data.pool.imageSize} px, cached in ${view.dir}`);
  return view;
}

export async function openReferenceScorer(e: Experiment, data: ExperimentData, device: ResolvedDevice, log: (m: string) => void): Promise<ReferenceScorer> {
  const ref = e.reference!;
  const model = await openReferenceModel(e, device, log, data);
  try {
    log(`reference: ${model.description}${ref.cacheEmbeddings ? ' (embedding the pool once, cached)' : ''}`);
    log(`reference t' = ${model.tPrime.toPrecision(6)}, b = ${model.bias.toPrecision(6)} (${model.scale.source}: ${model.scale.detail})`);
    for (const note of model.notes) log(`reference preprocessing: ${note}`);
    const scorer = await ReferenceScorer.create(model, data.pool, {
      cache: ref.cacheEmbeddings,
      cacheRoot: data.cacheRoot,
      // decoded only if pixels are needed: not when the embedding cache exists already
      view: poolServesReference(model, data.pool) ? undefined : () => referenceView(e, model, data, log),
      onProgress: (done, total) => {
        if (done === total || done % 8192 < 512) log(`reference embeddings: ${done}/${total}`);
      },
    });
    if (ref.cacheEmbeddings) log(`reference embeddings ready in ${scorer.cacheSeconds.toFixed(1)} s${scorer.cacheFlops ? '' : ' (from cache)'}`);
    return scorer;
  } catch (err) {
    await model.release().catch(() => undefined);
    throw err;
  }
}
