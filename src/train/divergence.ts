// A run that diverges without a NaN: with a learning rate far too high (30 to 1000 here), gradient
// clipping keeps every number finite, the loss leaps far above where it started, and the run used
// to "finish" at chance accuracy without a word. The guard stops it at the leap.
//
// The rule: a loss above SPIKE x the run's first loss (the untrained model's; a checkpoint keeps it,
// so a resumed run is judged against the same start) is divergence. A healthy run's loss falls from its start, and a hard
// batch (JEST picks hard ones) sits well under twice it. Measured on the tests' tiny model (150
// steps, clipNorm 1): lr 3e-3 to 1 never went past 1.1x the first loss; lr 3, 30, 100 and 1000
// leapt past 4x within 21 steps and are stopped. lr 10 is not: its loss peaked at 1.3x and then sat
// where the slow healthy runs also sit, so a leap guard cannot tell it from them.
// test/train/divergence.test.ts runs each of these learning rates.
const SPIKE = 4;
/** A first loss near zero (a resumed, nearly perfect fit) would make any noise look like a leap. */
const FLOOR = 0.25;

export class DivergenceGuard {
  /** `start`: the first loss, restored from a checkpoint so a resumed run is judged as the uninterrupted one is. */
  constructor(private start?: number) {}

  /** What a checkpoint keeps (undefined before the first step). */
  get firstLoss(): number | undefined {
    return this.start;
  }

  /** The loss of `step`; returns why the run diverged, or undefined while it has not. */
  observe(loss: number, step: number): string | undefined {
    if (this.start === undefined) {
      this.start = loss;
      return undefined;
    }
    const ref = Math.max(this.start, FLOOR);
    if (loss > SPIKE * ref) return `the loss leapt to ${loss.toPrecision(3)} at step ${step}, over ${SPIKE}x its ${this.start.toPrecision(3)} at the start`;
    return undefined;
  }
}
