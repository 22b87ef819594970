// bench:device --profile (bench/step-profile.ts) reads onnxruntime's real session profile: on the
// CPU it must find the step's kernels, Gemm among them, and no device timestamps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProfile, profileTrainStep } from '../../bench/step-profile';
import { batchData } from '../../bench/step.bench';
import { ModelConfig } from '../../src/model/config';
import { buildTrainStep } from '../../src/model/graphs';
import { DEFAULT_ADAMW } from '../../src/model/adamw';

const tiny: ModelConfig = { imageSize: 8, patchSizes: [2, 4], width: 16, depth: 1, heads: 2, mlpRatio: 2, embedDim: 8, vocabSize: 20, seqLen: 4 };

test('the profile of a CPU train step counts its kernels per run and names the op types', async () => {
  const p = await profileTrainStep(tiny, 'cpu', batchData(tiny, 6, 1), 6, 1, 3);
  const live = buildTrainStep(tiny, DEFAULT_ADAMW, [{ patchSize: 2, count: 6 }]).graph.liveNodes().length;
  // onnxruntime fuses and folds some nodes, so a run has fewer kernels than the graph has nodes
  assert.ok(p.kernels > live / 4 && p.kernels <= live, `${p.kernels} kernels per run for ${live} graph nodes`);
  assert.equal(p.kernels, Math.round(p.kernels), 'every run emits the same kernels');
  assert.equal(p.gpuMs, null);
  assert.ok(p.cpuByOp.some(([op]) => op === 'Gemm'));
  const total = p.cpuByOp.reduce((s, [, ms]) => s + ms, 0);
  assert.ok(Math.abs(total - p.cpuMs) < 1e-6 * Math.max(1, p.cpuMs));
  // one thread, kernels one after another: their time fits inside the runs that contain them
  assert.ok(p.cpuMs > 0 && p.cpuMs <= p.meanWallMs * 1.01, `kernel time ${p.cpuMs} ms vs run ${p.meanWallMs} ms`);
  assert.match(formatProfile('tiny', 'cpu', p), /^tiny on cpu: profiled run .* ms \(state via the host\); in kernel calls .* ms over \d+ nodes\n {2}CPU by op: /);
});
