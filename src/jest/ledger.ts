// The FLOP ledger: what a run has spent, split into learner training, learner scoring and
// reference scoring, so comparisons count selection's cost the way the paper does; and, apart,
// the one-off reference embedding cache, so a report can show it amortised and charged.
import type { FlopLedger } from '../runs/events';

export class Ledger {
  train = 0;
  learnerScoring = 0;
  referenceScoring = 0;
  /** Set once, when the reference's embedding cache is ready (FlopLedger.referenceCache). */
  referenceCache = 0;

  constructor(start?: FlopLedger) {
    if (start) {
      this.train = start.train;
      this.learnerScoring = start.learnerScoring;
      this.referenceScoring = start.referenceScoring;
      this.referenceCache = start.referenceCache ?? 0;
    }
  }

  snapshot(): FlopLedger {
    return {
      train: this.train,
      learnerScoring: this.learnerScoring,
      referenceScoring: this.referenceScoring,
      total: this.train + this.learnerScoring + this.referenceScoring,
      referenceCache: this.referenceCache,
    };
  }
}
