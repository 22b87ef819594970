// The GPU code path without a GPU: train steps on onnxruntime's WebGPU provider over lavapipe
// (Mesa's software Vulkan, installed by scripts/setup-system.sh --vulkan), parameters and AdamW
// state kept on the device between steps, results matching the CPU provider. On a machine with a
// GPU, point VK_DRIVER_FILES (or VK_ICD_FILENAMES) at its Vulkan driver and the same test runs there.
//
// Skips when no Vulkan driver is named or installed (test/helpers/webgpu.ts); CI sets
// JEST_REQUIRE_WEBGPU=1 so there it must run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { TrainingSession } from '../../src/runtime/training-session';
import { rows, syntheticSet } from '../helpers/synthetic-batches';
import { WEBGPU_SKIP, assertVulkanDriver } from '../helpers/webgpu';

const MODEL = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 };

test('WebGPU train steps keep state on the device and match the CPU provider', { skip: WEBGPU_SKIP }, async () => {
  assertVulkanDriver();
  const set = syntheticSet(64, 16, 4, 21);
  const batches = [0, 1, 2, 3].map((s) => {
    const b = rows(set, s * 16, 16, 16, 4);
    return s % 2
      ? { images: [{ patchSize: 4, pixels: b.pixels.subarray(0, 8 * 768) }, { patchSize: 8, pixels: b.pixels.subarray(8 * 768) }], tokens: b.tokens }
      : { images: [{ patchSize: 4, pixels: b.pixels }], tokens: b.tokens };
  });
  const run = async (device: 'cpu' | 'webgpu') => {
    const s = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, seed: 5, runtime: { device, threads: 2 } });
    const losses: number[] = [];
    const locations: string[] = [];
    for (const b of batches) {
      losses.push((await s.runTrainStep(b, 3e-3)).loss);
      locations.push(s.stateLocation);
    }
    const evalLoss = (await s.runEvalStep(batches[0])).loss;
    const params = await s.getContiguousParameters();
    await s.release();
    return { losses, locations, evalLoss, params };
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  assert.deepEqual(gpu.locations, ['gpu-buffer', 'gpu-buffer', 'gpu-buffer', 'gpu-buffer'], 'state must stay on the device between steps');
  assert.deepEqual(cpu.locations, ['cpu', 'cpu', 'cpu', 'cpu']);
  gpu.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) < 1e-4 * Math.abs(cpu.losses[i]), `step ${i}: webgpu ${l} vs cpu ${cpu.losses[i]}`));
  assert.ok(Math.abs(gpu.evalLoss - cpu.evalLoss) < 1e-4 * Math.abs(cpu.evalLoss));
  for (const g of ['decay', 'plain'] as const) {
    let err2 = 0;
    let ref2 = 0;
    cpu.params[g].forEach((v, i) => {
      err2 += (v - gpu.params[g][i]) ** 2;
      ref2 += v * v;
    });
    const rel = Math.sqrt(err2 / ref2);
    assert.ok(rel < 1e-4, `${g} parameters after 4 steps: relative difference ${rel}`);
  }
});

test('asking for an unavailable provider fails naming the install step', async () => {
  await assert.rejects(
    TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, runtime: { device: 'cuda', threads: 1 } }),
    /cuda execution provider is not available: .*\n.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node/,
  );
});
