// Training the two-tower model for real on onnxruntime-node: the loss falls and image-to-text
// retrieval on held-out pairs ends well above chance (fixed seeds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { ModelConfig } from '../../src/model/config';
import { TrainingSession } from '../../src/runtime/training-session';
import { imageToTextAccuracy, rows, syntheticSet } from '../helpers/synthetic-batches';

const MODEL: ModelConfig = {
  imageSize: 16,
  patchSizes: [4, 8],
  width: 32,
  depth: 1,
  heads: 2,
  mlpRatio: 2,
  embedDim: 32,
  vocabSize: 64,
  seqLen: 4,
};

test('100 steps on synthetic shapes: loss falls, held-out retrieval far above chance', async () => {
  const B = 32;
  const steps = 100;
  const train = syntheticSet(B * 20, MODEL.imageSize, MODEL.seqLen, 1);
  const heldOut = syntheticSet(64, MODEL.imageSize, MODEL.seqLen, 2, train.tokenizer);
  const session = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, seed: 3, runtime: { device: 'cpu', threads: 2 } });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const b = rows(train, (s % 20) * B, B, MODEL.imageSize, MODEL.seqLen);
    const lr = 3e-3 * Math.min(1, (s + 1) / 10);
    const r = await session.runTrainStep({ images: [{ patchSize: 4, pixels: b.pixels }], tokens: b.tokens }, lr);
    assert.ok(Number.isFinite(r.loss), `step ${s}: loss ${r.loss}`);
    losses.push(r.loss);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(losses.slice(0, 10));
  const late = mean(losses.slice(-10));
  assert.ok(late < 0.5 * early, `loss should at least halve: first 10 steps ${early.toFixed(3)}, last 10 ${late.toFixed(3)}`);

  const h = rows(heldOut, 0, 64, MODEL.imageSize, MODEL.seqLen);
  const ev = await session.runEvalStep({ images: [{ patchSize: 4, pixels: h.pixels }], tokens: h.tokens });
  const acc = imageToTextAccuracy(ev.imageEmbeddings, ev.textEmbeddings, 64, MODEL.embedDim, h.captions);
  const distinct = new Set(h.captions).size;
  // chance: picking a caption at random matches the image's caption ~ 1/distinct of the time
  console.log(`loss ${early.toFixed(3)} -> ${late.toFixed(3)}; held-out image->text accuracy ${(acc * 100).toFixed(1)}% (chance ~${(100 / distinct).toFixed(1)}%)`);
  assert.ok(acc > 5 / distinct, `retrieval ${acc} should be well above chance ${1 / distinct}`);
  assert.equal(session.stepCount, steps);
  await session.release();
});
