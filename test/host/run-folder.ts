// A finished run folder with a realistic metrics.jsonl (step events every step, evaluations of
// each held-out set at its own interval), for the folder-reading tests and bench/host.bench.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEvent } from '../../src/runs/events';

export interface RunFolderOptions {
  steps: number;
  /** Held-out set -> evaluate every this many steps. */
  evalEvery: Record<string, number>;
  /** Bytes of log text every 100 steps (a log event), to make lines of a chosen length. */
  captionBytes?: number;
  unicode?: boolean;
}

export function writeRunFolder(root: string, name: string, o: RunFolderOptions): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const createdAt = new Date(Date.UTC(2026, 0, 1) + name.length * 1000).toISOString();
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: name, name, createdAt, engine: 'test' }));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ name, data: { eval: Object.keys(o.evalEvery).map((n) => ({ name: n })) } }));
  fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'finished', step: o.steps, totalSteps: o.steps, updatedAt: createdAt }));
  const lines: string[] = [];
  const push = (e: Omit<RunEvent, 'v' | 'time'> & { type: RunEvent['type'] }) => lines.push(JSON.stringify({ v: 1, time: Date.parse(createdAt) + lines.length, ...e }));
  const flopsPerStep = { train: 1e9, learnerScoring: 2e8, referencePerExample: 1e6 };
  push({ type: 'run-start', runId: name, name, device: 'cpu', deviceNote: '', parameters: 1e6, flopsPerStep, resumedFrom: null, totalSteps: o.steps } as never);
  push({ type: 'status', status: 'running', step: 0 } as never);
  for (let step = 1; step <= o.steps; step++) {
    const flops = { train: step * 1e9, learnerScoring: step * 2e8, referenceScoring: 0, total: step * 1.2e9 };
    push({
      type: 'step', step, loss: 5 / Math.sqrt(step), lr: 1e-3 * Math.min(1, step / 100), gradNorm: 1 + 1 / step, flops,
      ms: { total: 20 + (step % 7), data: 2, scoring: 8, selection: 1, train: 9 }, examplesPerSecond: 3000 + (step % 13),
      selection: { method: 'jest', score: 'learnability', superBatch: 320, selected: 64, selectedScore: 0.4123 + step * 1e-5, randomScore: 0.1234, selectedLearnerLoss: 3.21, selectedReferenceLoss: 2.1, selectedNoisy: 5 },
    } as never);
    for (const [set, every] of Object.entries(o.evalEvery)) {
      if (step % every === 0) push({ type: 'eval', step, flops, set, metrics: { 'zero-shot/top1': step / (10 * o.steps), 'zero-shot/top5': step / (4 * o.steps) }, examples: 512 } as never);
    }
    if (o.captionBytes && step % 100 === 0) push({ type: 'log', level: 'info', message: (o.unicode ? 'é🙂' : 'x').repeat(Math.ceil(o.captionBytes / (o.unicode ? 6 : 1))) } as never);
  }
  push({ type: 'status', status: 'finished', step: o.steps } as never);
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  return dir;
}
