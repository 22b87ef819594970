// The JEST trainer on the WebGPU provider: a reference-model run (learnability scores, Flexi-JEST
// coarse scoring and mixed-resolution training, evaluation) trains on the GPU path and computes what
// the CPU computes. Each device gets its own data cache, so the reference's embeddings are made
// on that device too. Runs over lavapipe where no GPU is named (test/helpers/webgpu.ts).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EvalEvent, RunStartEvent, StepEvent } from '../../src/runs/events';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { WEBGPU_SKIP, assertVulkanDriver } from '../helpers/webgpu';
import { experiment, tempRoot } from './helpers';

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12);

test('a Flexi-JEST run with a reference model trains on WebGPU as it does on the CPU', { skip: WEBGPU_SKIP }, async () => {
  assertVulkanDriver();
  const root = await tempRoot('webgpu-run');
  const refDir = path.join(root, 'reference');
  const refExp = experiment({ name: 'reference' });
  refExp.data.train = refExp.data.curated!;
  refExp.training.steps = 20;
  const ref = await runTraining(refExp, { runDir: refDir, resume: false, cacheRoot: path.join(root, 'cache-ref') });
  assert.equal(ref.status, 'finished', ref.message);

  const runs: Record<string, { start: RunStartEvent; steps: StepEvent[]; evals: EvalEvent[] }> = {};
  for (const device of ['cpu', 'webgpu'] as const) {
    const e = experiment({ name: device });
    e.training.steps = 6;
    e.evaluation.every = 6;
    e.selection = { ...e.selection, method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 4 };
    e.flexi = { enabled: true, scoringPatchSize: 8, trainMix: [{ patchSize: 4, fraction: 0.5 }, { patchSize: 8, fraction: 0.5 }] };
    e.reference = { run: refDir, encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true };
    e.runtime = { device, threads: 2 };
    const r = await runTraining(e, { runDir: path.join(root, device), resume: false, cacheRoot: path.join(root, `cache-${device}`) });
    assert.equal(r.status, 'finished', r.message);
    const events = readRun(r.runDir).events;
    runs[device] = {
      start: events.find((x): x is RunStartEvent => x.type === 'run-start')!,
      steps: events.filter((x): x is StepEvent => x.type === 'step'),
      evals: events.filter((x): x is EvalEvent => x.type === 'eval'),
    };
  }
  const { cpu, webgpu } = runs;
  assert.equal(webgpu.start.device, 'webgpu');
  assert.equal(webgpu.steps.length, 6);
  webgpu.steps.forEach((s, i) => {
    const c = cpu.steps[i];
    assert.ok(close(s.loss, c.loss, 1e-4), `step ${i + 1}: loss ${s.loss} on webgpu, ${c.loss} on the cpu`);
    assert.ok(close(s.selection!.selectedScore, c.selection!.selectedScore, 1e-3), `step ${i + 1}: selected score ${s.selection!.selectedScore} vs ${c.selection!.selectedScore}`);
    assert.ok(s.selection!.selectedScore > s.selection!.randomScore, 'the selected batch beats a random one on the score');
  });
  const metric = (r: typeof cpu) => r.evals.at(-1)!.metrics['zero-shot/top1'];
  assert.ok(Math.abs(metric(webgpu) - metric(cpu)) <= 0.02, `zero-shot top-1 ${metric(webgpu)} on webgpu vs ${metric(cpu)} on the cpu`);
});
