// "jest-studio precompute-reference": open the experiment's data and reference exactly as a run
// does, and build the on-disk embedding cache its runs then read (reference-scorer.ts). A run
// would build the same cache on its first step; doing it ahead lets several runs share the cost
// and keeps it out of their wall-clock.
import * as path from 'node:path';
import type { Experiment } from '../config/experiment';
import { RUN_FILES } from '../runs/folder';
import { openExperimentData } from '../train/inputs';
import { ENCODER_FILES, openEncoderReference } from './reference';
import { ReferenceScorer } from './reference-scorer';

/** Returns the cache folder. */
export async function precomputeReference(e: Experiment, log: (m: string) => void): Promise<string> {
  const ref = e.reference;
  if (!ref || (!ref.run && !ref.encoders)) throw new Error('the experiment has no reference: set reference.run or reference.encoders first (JEST: Choose Reference Model)');
  if (!ref.cacheEmbeddings) log('note: reference.cacheEmbeddings is false, so runs will not read this cache until it is true');
  const image = ref.encoders ? ref.encoders.image : path.join(ref.run!, RUN_FILES.models, ENCODER_FILES.image);
  const text = ref.encoders ? ref.encoders.text : path.join(ref.run!, RUN_FILES.models, ENCODER_FILES.text);
  const data = await openExperimentData(e, log);
  const device = e.runtime.device === 'auto' ? 'cpu' : e.runtime.device;
  const model = await openEncoderReference(image, text, device, e.runtime.threads);
  log(`reference: ${model.description}`);
  const scorer = await ReferenceScorer.create(model, data.pool, {
    cache: true,
    cacheRoot: data.cacheRoot,
    onProgress: (done, total) => log(`reference embeddings: ${done}/${total}`),
  });
  log(`reference embeddings ${scorer.cacheFlops ? 'computed' : 'were already cached'} in ${scorer.cacheSeconds.toFixed(1)} s: ${scorer.cacheDir}`);
  return scorer.cacheDir;
}
