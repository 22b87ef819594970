// What must match between an interrupted-and-resumed run and an uninterrupted one: every step,
// evaluation and snapshot, bit for bit; wall-clock timings, ids and checkpoint/status bookkeeping aside.
import type { RunEvent } from '../../src/runs/events';

export function comparable(events: RunEvent[]): unknown[] {
  return events.flatMap((e) => {
    if (e.type === 'step') return [{ t: 'step', step: e.step, loss: e.loss, lr: e.lr, gradNorm: e.gradNorm, flops: e.flops, selection: e.selection }];
    if (e.type === 'eval') return [{ t: 'eval', step: e.step, metrics: e.metrics, flops: e.flops, set: e.set }];
    if (e.type === 'snapshot') return [{ t: 'snapshot', step: e.step }];
    return [];
  });
}
