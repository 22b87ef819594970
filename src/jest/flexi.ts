// Flexi-JEST resolution plans: at which patch size the learner scores the super-batch, how each
// training batch is split across patch sizes, and at which one evaluation runs (always the
// finest: full resolution).
import type { Experiment } from '../config/experiment';
import type { ImageGroup } from '../model/graphs';

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
