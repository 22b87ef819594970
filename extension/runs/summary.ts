// A run's summary and how each engine event updates it. Plain data and a pure function (no
// vscode), so the tree, the status bar and the tests agree on what a summary says.
import type { RunEvent, RunStatus } from '../../src/runs/events';

export interface RunSummary {
  /** Absolute path of the run folder; the run's identity. */
  dir: string;
  name: string;
  /** died: status.json still says running (or starting), but its process is gone (killed, or the disk filled before it could say). */
  status: RunStatus | 'died' | 'unknown';
  step: number;
  totalSteps: number;
  /** The latest step metrics (loss, lr, gradNorm, examplesPerSecond) and eval metrics as `<set>/<metric>`. */
  lastMetrics: Record<string, number>;
  /** A process is (or, for folders read from disk, appears to be) writing this run now. */
  live: boolean;
}

/** Fold one event into a summary (pure; exported for tests). */
export function applyEvent(s: RunSummary, e: RunEvent): void {
  switch (e.type) {
    case 'run-start':
      s.name = e.name;
      s.totalSteps = e.totalSteps;
      if (s.status === 'unknown') s.status = 'starting';
      break;
    case 'step':
      s.step = e.step;
      s.lastMetrics.loss = e.loss;
      s.lastMetrics.lr = e.lr;
      s.lastMetrics.gradNorm = e.gradNorm;
      s.lastMetrics.examplesPerSecond = e.examplesPerSecond;
      s.lastMetrics.flops = e.flops.total;
      if (s.status === 'starting' || s.status === 'unknown') s.status = 'running';
      break;
    case 'eval':
      for (const [k, v] of Object.entries(e.metrics)) s.lastMetrics[`${e.set}/${k}`] = v;
      break;
    case 'status':
      s.status = e.status;
      s.step = Math.max(s.step, e.step);
      break;
    default:
      break;
  }
}
