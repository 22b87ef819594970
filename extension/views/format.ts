// Short text for runs in the tree, the status bar and quick picks. Numbers come from the engine's
// events (RunSummary.lastMetrics); this only formats them.
import type { RunSummary } from '../runs/store';

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** The run's headline evaluation metric: zero-shot top-5 of the first set that has it, else top-1, else i2t/r1. */
export function headlineMetric(s: RunSummary): string | undefined {
  for (const suffix of ['zero-shot/top5', 'zero-shot/top1', 'i2t/r1']) {
    const key = Object.keys(s.lastMetrics).find((k) => k.endsWith(`/${suffix}`));
    if (key) return `${suffix.replace('zero-shot/', '')} ${pct(s.lastMetrics[key])}`;
  }
  return undefined;
}

export function progressText(s: RunSummary): string {
  return s.totalSteps ? `${s.step}/${s.totalSteps}` : `step ${s.step}`;
}

/** "running 40/100 · loss 1.234 · top5 45.0%" */
export function describeRun(s: RunSummary): string {
  const parts = [`${s.status}${s.live && s.status !== 'running' && s.status !== 'starting' ? ' (live)' : ''}`, progressText(s)];
  if (s.lastMetrics.loss !== undefined) parts.push(`loss ${s.lastMetrics.loss.toFixed(3)}`);
  const h = headlineMetric(s);
  if (h) parts.push(h);
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
