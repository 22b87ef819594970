// Flexi-JEST resolution plans: at which patch size the learner scores the super-batch, how each
// training batch is split across patch sizes, and at which one evaluation runs (always the
// finest: full resolution).
import type { Experiment } from '../config/experiment';
import type { ImageGroup } from '../model/graphs';
import { Rng } from '../util/rng';

export interface ResolutionPlan {
  scoringPatchSize: number;
  /** The training batch's groups, in order (counts add up to the batch size). */
  train: ImageGroup[];
  evalPatchSize: number;
}

export function resolutionPlan(e: Experiment): ResolutionPlan {
  const full = Math.min(...e.model.patchSizes);
  const b = e.training.batchSize;
  if (!e.flexi.enabled) return { scoringPatchSize: full, train: [{ patchSize: full, count: b }], evalPatchSize: full };
  const train = e.flexi.trainMix
    .map((m) => ({ patchSize: m.patchSize, count: Math.round(m.fraction * b) }))
    .filter((g) => g.count > 0);
  const total = train.reduce((s, g) => s + g.count, 0);
  if (total !== b) throw new Error(`flexi.trainMix splits a batch of ${b} into ${total} examples: fractions × batchSize must be whole numbers adding up to it`);
  return { scoringPatchSize: e.flexi.scoringPatchSize, train, evalPatchSize: full };
}

/**
 * The order in which a selected batch is cut into the training mix's patch-size groups (the first
 * `train[0].count` train at train[0].patchSize, and so on). Joint selection returns its picks in
 * draw order, chunk by chunk, each chunk conditioned on the ones before, so cutting in that order
 * would always train the first chunks fine and the later, conditionally chosen ones coarse. A
 * shuffle seeded by (run seed, step) makes an example's resolution independent of when it was
 * drawn, and needs no state in the checkpoint: a resumed run cuts every step as before. A single
 * group (no Flexi mix) keeps the draw order, so such runs are unchanged.
 */
export function flexiTrainOrder(selected: Int32Array, groups: number, seed: number, step: number): Int32Array {
  if (groups <= 1) return selected;
  const out = Int32Array.from(selected);
  const rng = new Rng((Math.imul(seed ^ 0x466c6578, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
