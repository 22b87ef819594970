// The FLOP ledger: what a run has spent, split into learner training, learner scoring and
// reference scoring, so comparisons count selection's cost the way the paper does.
import type { FlopLedger } from '../runs/events';

export class Ledger {
  train = 0;
  learnerScoring = 0;
  referenceScoring = 0;

  constructor(start?: FlopLedger) {
    if (start) {
      this.train = start.train;
      this.learnerScoring = start.learnerScoring;
      this.referenceScoring = start.referenceScoring;
    }
  }

  snapshot(): FlopLedger {
    return {
      train: this.train,
      learnerScoring: this.learnerScoring,
      referenceScoring: this.referenceScoring,
      total: this.train + this.learnerScoring + this.referenceScoring,
    };
  }
}
