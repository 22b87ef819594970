// Compare Runs in the dashboard: the table the page draws (protocol/dashboard.ts ComparisonState),
// built from the store's events and each run's config.json. vscode-free. The numbers are the
// engine's own (src/runs/compare.ts: steps and FLOPs to reach the baseline's final value, as
// `jest-studio compare` prints them; src/runs/config-diff.ts: the fields that differ); this only
// picks the metric and shapes the result for the wire.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { comparisonTable, evalCurve, evalMetrics } from '../../src/runs/compare';
import { configDiff } from '../../src/runs/config-diff';
import type { RunEvent } from '../../src/runs/events';
import { RUN_FILES } from '../../src/runs/folder';
import type { ComparisonMetric, ComparisonState } from '../../protocol/dashboard';

export interface ComparedRun {
  dir: string;
  name: string;
  events: readonly RunEvent[];
  /** The run's config.json (the resolved experiment); undefined when it could not be read. */
  config: unknown;
}

/** The engine's `compare` default (src/cli.ts): zero-shot top-5 on the first evaluated set. */
const DEFAULT_METRIC = 'zero-shot/top5';
/** A diff wider than this is cut (a page of fields nobody reads); values longer than this are cut too. */
const MAX_DIFF_ROWS = 200;
const MAX_VALUE_CHARS = 200;

/**
 * The metric to compare on: `chosen` while some run has it; else the engine's default on the
 * baseline's first evaluated set if the baseline has it; else the baseline's first metric; else
 * any run's first.
 */
export function comparisonMetric(metrics: readonly ComparisonMetric[], baseline: readonly RunEvent[], chosen?: string): ComparisonMetric | undefined {
  const byKey = (k: string) => metrics.find((m) => m.key === k);
  if (chosen && byKey(chosen)) return byKey(chosen);
  // the baseline's: a metric it lacks would have no target
  const own = evalMetrics([baseline as RunEvent[]]);
  if (own.length) {
    const preferred = own.find((o) => o.set === own[0].set && o.metric === DEFAULT_METRIC) ?? own[0];
    return byKey(`${preferred.set}/${preferred.metric}`);
  }
  return metrics[0];
}

function valueText(v: unknown): string | null {
  if (v === undefined) return null;
  const s = JSON.stringify(v);
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

/** The comparison of `runs` (the baseline first) on `chosen`, or on the default metric; null with fewer than two runs. */
export function buildComparison(runs: readonly ComparedRun[], chosen?: string): ComparisonState | null {
  if (runs.length < 2) return null;
  const metrics: ComparisonMetric[] = evalMetrics(runs.map((r) => r.events as RunEvent[])).map(({ set, metric }) => ({ key: `${set}/${metric}`, set, metric }));
  const m = comparisonMetric(metrics, runs[0].events, chosen);
  const table = m ? comparisonTable(runs.map((r) => ({ dir: r.dir, name: r.name, events: r.events as RunEvent[] })), m.set, m.metric) : null;
  const rows = runs.map((r, i) => {
    const t = table?.rows[i];
    const x = t?.reach ?? null;
    // evaluated on the metric even where there is no target (a baseline without it): its last value
    const last = m ? evalCurve(r.events as RunEvent[], m.set, m.metric).at(-1) : undefined;
    return {
      dir: r.dir,
      name: r.name,
      evaluated: last !== undefined,
      final: x?.final ?? last?.value ?? null,
      finalStep: x?.finalStep ?? last?.step ?? null,
      steps: x?.steps ?? null,
      flops: x?.flops ?? null,
      stepSpeedup: t?.stepSpeedup ?? null,
      flopSpeedup: t?.flopSpeedup ?? null,
    };
  });
  const config = configDiff(runs.map((r) => r.config))
    .slice(0, MAX_DIFF_ROWS)
    .map((d) => ({ path: d.path, values: d.values.map(valueText) }));
  return { metrics, metric: m?.key ?? '', target: table?.target ?? null, rows, config };
}

/** A config.json far larger than any experiment is not read. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** A run's config.json (the folder the host knows, the engine's own file name); undefined when missing or unreadable. */
export async function readRunConfig(dir: string): Promise<unknown> {
  const file = path.join(dir, RUN_FILES.config);
  try {
    if ((await fs.stat(file)).size > MAX_CONFIG_BYTES) return undefined;
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

