// "jest-studio precompute-reference": open the experiment's data and reference exactly as a run
// does, and build the on-disk embedding cache its runs then read (reference-scorer.ts). A run
// would build the same cache on its first step; doing it ahead lets several runs share the cost
// and keeps it out of their wall-clock.
import type { Experiment } from '../config/experiment';
import { openExperimentData } from '../train/inputs';
import { openReferenceScorer } from './open-reference';

/** Returns the cache folder. */
export async function precomputeReference(e: Experiment, log: (m: string) => void): Promise<string> {
  const ref = e.reference;
  if (!ref || (!ref.run && !ref.encoders && !ref.folder)) throw new Error('the experiment has no reference: set reference.run, reference.encoders or reference.folder first (JEST: Choose Reference Model)');
  if (!ref.cacheEmbeddings) log('note: reference.cacheEmbeddings is false, so runs will not read this cache until it is true');
  const data = await openExperimentData(e, log);
  const device = e.runtime.device === 'auto' ? 'cpu' : e.runtime.device;
  const scorer = await openReferenceScorer({ ...e, reference: { ...ref, cacheEmbeddings: true } }, data, device, log);
  log(`reference embeddings ${scorer.cacheFlops ? 'computed' : 'were already cached'} in ${scorer.cacheSeconds.toFixed(1)} s: ${scorer.cacheDir}`);
  await scorer.release();
  return scorer.cacheDir;
}
