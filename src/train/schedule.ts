// Learning-rate schedules: linear warm-up, then cosine / linear decay to minLrRatio·lr, or constant.
import type { OptimizerConfig } from '../config/experiment';

/** The learning rate for the step about to be taken (0-based `step` of `total`). */
export function learningRate(o: OptimizerConfig, step: number, total: number): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if (o.schedule === 'constant') return o.lr;
  const span = Math.max(1, total - o.warmupSteps - 1);
  const t = Math.min(1, Math.max(0, (step - o.warmupSteps) / span));
  const floor = o.lr * o.minLrRatio;
  if (o.schedule === 'linear') return o.lr - (o.lr - floor) * t;
  return floor + (o.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
