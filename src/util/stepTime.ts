// The per-step wall-clock both ETAs read (the CLI's progress bar and the extension's status bar):
// an exponential moving average of StepEvent.ms.total, so an evaluation pause (one slow step) moves
// the estimate by a tenth of its excess rather than doubling it. One definition, so the terminal and
// the editor never disagree about how long a run has left.

/** The weight of the newest step. */
export const STEP_TIME_WEIGHT = 0.1;

/** The average after one more step of `ms`; `previous` undefined or NaN: the first step sets it. */
export function averageStepMs(previous: number | undefined, ms: number): number {
  return previous === undefined || Number.isNaN(previous) ? ms : (1 - STEP_TIME_WEIGHT) * previous + STEP_TIME_WEIGHT * ms;
}
