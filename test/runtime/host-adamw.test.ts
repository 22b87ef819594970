// The CPU's fused AdamW (runtime/adamw.wat, run by host-adamw.ts) against AdamW as graph nodes:
// same float32 operations in the same order, so training must be BIT-identical, including
// clipping, weight decay, bias correction over many steps and Flexi mixed-resolution batches.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { assembleAdamW } from '../../scripts/build-wasm';
import { ADAMW_WASM_BASE64 } from '../../src/runtime/adamw-wasm';
import { AdamWConfig, DEFAULT_ADAMW } from '../../src/model/adamw';
import { ModelConfig } from '../../src/model/config';
import { TrainBatch, TrainingSession, TrainingState } from '../../src/runtime/training-session';
import { HostAdamW } from '../../src/runtime/host-adamw';
import { rows, syntheticSet } from '../helpers/synthetic-batches';

const MODEL: ModelConfig = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 };

function bitsEqual(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let diff = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) diff++;
  return diff;
}

async function train(hostAdamW: boolean, opt: AdamWConfig, batches: TrainBatch[], lrs: number[]): Promise<{ state: TrainingState; losses: number[]; session: TrainingSession }> {
  const session = await TrainingSession.create({ model: MODEL, optimizer: opt, seed: 5, runtime: { device: 'cpu', threads: 2, hostAdamW } });
  const losses: number[] = [];
  for (let s = 0; s < lrs.length; s++) losses.push((await session.runTrainStep(batches[s % batches.length], lrs[s])).loss);
  // the claim is about the two paths: make sure each ran (and, on the host, that onnxruntime wrote
  // every gradient into our memory, the premise of the speed-up)
  assert.deepEqual(session.optimizerPlacement, { placement: hostAdamW ? 'host' : 'graph', gradientCopies: 0 });
  return { state: await session.getState(), losses, session };
}

function batches(): TrainBatch[] {
  const set = syntheticSet(96, MODEL.imageSize, MODEL.seqLen, 11);
  const out: TrainBatch[] = [];
  for (let k = 0; k < 3; k++) {
    const r = rows(set, k * 32, 32, MODEL.imageSize, MODEL.seqLen);
    const px = MODEL.imageSize * MODEL.imageSize * 3;
    // every third batch is a Flexi mix: 20 images at patch 4, 12 at patch 8
    out.push(k === 2
      ? { images: [{ patchSize: 4, pixels: r.pixels.subarray(0, 20 * px) }, { patchSize: 8, pixels: r.pixels.subarray(20 * px) }], tokens: r.tokens }
      : { images: [{ patchSize: 4, pixels: r.pixels }], tokens: r.tokens });
  }
  return out;
}

for (const [name, opt] of [
  ['clipping on, decay on', { ...DEFAULT_ADAMW, weightDecay: 0.1, clipNorm: 0.5 }],
  ['clipping off, decay off', { ...DEFAULT_ADAMW, weightDecay: 0, clipNorm: 0 }],
] as [string, AdamWConfig][]) {
  test(`host AdamW trains bit-identically to AdamW in the graph (${name}, 12 steps)`, async () => {
    const b = batches();
    const lrs = Array.from({ length: 12 }, (_, s) => 3e-3 * Math.min(1, (s + 1) / 4));
    const inGraph = await train(false, opt, b, lrs);
    const host = await train(true, opt, b, lrs);
    assert.deepEqual(host.losses, inGraph.losses);
    for (const part of ['params', 'm', 'v'] as const) {
      for (const g of ['decay', 'plain'] as const) {
        assert.equal(bitsEqual(host.state[part][g], inGraph.state[part][g]), 0, `${part}.${g} differs`);
      }
    }
    assert.equal(host.state.step, 12);
    // loading a state into the host store continues exactly like the graph path does
    await host.session.loadState(inGraph.state);
    const a = await host.session.runTrainStep(b[0], 1e-3);
    await inGraph.session.loadState(inGraph.state);
    const c = await inGraph.session.runTrainStep(b[0], 1e-3);
    assert.equal(a.loss, c.loss);
    const [sa, sc] = [await host.session.getState(), await inGraph.session.getState()];
    assert.equal(bitsEqual(sa.params.decay, sc.params.decay), 0);
    await host.session.release();
    await inGraph.session.release();
  });
}

test('the kernel handles lengths that are not a multiple of 4, and copies the gradient when the fetch was not written', () => {
  const sizes = { decay: 7, plain: 1 };
  const initial = { 'theta.decay': new Float32Array(7).fill(0.5), 'theta.plain': new Float32Array([2]), 'm.decay': new Float32Array(7), 'm.plain': new Float32Array(1), 'v.decay': new Float32Array(7), 'v.plain': new Float32Array(1) };
  const store = new HostAdamW(sizes, initial, 0.9, 0.95);
  assert.deepEqual(Object.keys(store.feeds()), ['theta.decay', 'theta.plain']);
  const grad = { decay: Float32Array.from([1, -2, 3, -4, 5, -6, 7]), plain: new Float32Array([0.25]) };
  store.fetches(); // as before every run: marks the gradient buffers
  // results as a binding that did NOT write into our fetch buffers would return them
  const scalars = Float32Array.from([0.1, 0.05, 1e-3, 1e-8, 0.99]);
  store.commit({ 'grad.decay': { data: grad.decay }, 'grad.plain': { data: grad.plain }, 'adamw.scalars': { data: scalars } } as never);
  const F = Math.fround;
  return store.read().then((s) => {
    for (let i = 0; i < 7; i++) {
      const g = grad.decay[i];
      const m = F(F(0 * F(0.9)) + F(g * scalars[0]));
      const v = F(F(0 * F(0.95)) + F(F(g * g) * scalars[1]));
      const th = F(F(F(0.5) * scalars[4]) - F(F(m / F(F(Math.sqrt(v)) + scalars[3])) * scalars[2]));
      assert.equal(s['m.decay'][i], m);
      assert.equal(s['v.decay'][i], v);
      assert.equal(s['theta.decay'][i], th, `element ${i} (the last three run in the scalar tail)`);
    }
    const g = grad.plain[0];
    const m = F(F(0 * F(0.9)) + F(g * scalars[0]));
    const v = F(F(0 * F(0.95)) + F(F(g * g) * scalars[1]));
    assert.equal(s['theta.plain'][0], F(F(2) - F(F(m / F(F(Math.sqrt(v)) + scalars[3])) * scalars[2])), 'the plain group is not decayed');
    assert.equal(store.gradientCopies, 1, 'the unwritten fetch was noticed and the gradient copied');
    store.dispose();
    assert.throws(() => store.feeds(), /after the training session was released/);
  });
});

test('adamw-wasm.ts holds exactly the assembled adamw.wat', async () => {
  const bytes = await assembleAdamW();
  assert.equal(Buffer.from(bytes).toString('base64'), ADAMW_WASM_BASE64, 'run `npm run build:wasm` after editing src/runtime/adamw.wat');
  assert.ok(fs.existsSync(path.resolve(__dirname, '..', '..', '..', 'src', 'runtime', 'adamw.wat')));
});
