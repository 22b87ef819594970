// Exported encoders, loaded in fresh sessions at a batch size they were not built at, reproduce
// the embeddings of the training graph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { exportImageEncoder, exportTextEncoder } from '../../src/model/export';
import { TrainingSession } from '../../src/runtime/training-session';
import { rows, syntheticSet } from '../helpers/synthetic-batches';

const MODEL = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 2, heads: 4, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 };

test('exported image and text encoders reproduce the training graph embeddings at any batch size', async () => {
  const set = syntheticSet(37, MODEL.imageSize, MODEL.seqLen, 5);
  const session = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, seed: 1, runtime: { device: 'cpu', threads: 1 } });
  for (let s = 0; s < 5; s++) {
    const b = rows(set, 0, 16, 16, 4);
    await session.runTrainStep({ images: [{ patchSize: 4, pixels: b.pixels }], tokens: b.tokens }, 1e-2);
  }
  const params = await session.getContiguousParameters();
  for (const patchSize of [4, 8]) {
    const b = rows(set, 0, 37, 16, 4);
    const ref = await session.runEvalStep({ images: [{ patchSize, pixels: b.pixels }], tokens: b.tokens });
    const img = await ort.InferenceSession.create(exportImageEncoder(MODEL, params, patchSize));
    const txt = await ort.InferenceSession.create(exportTextEncoder(MODEL, params));
    const zi = (await img.run({ images: new ort.Tensor('uint8', b.pixels, [37, 16, 16, 3]) })).embeddings.data as Float32Array;
    const zt = (await txt.run({ tokens: new ort.Tensor('int32', b.tokens, [37, 4]) })).embeddings.data as Float32Array;
    const maxDiff = (a: Float32Array, c: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - c[i])), 0);
    assert.equal(zi.length, ref.imageEmbeddings.length);
    assert.ok(maxDiff(zi, ref.imageEmbeddings) < 1e-5, `image embeddings differ by ${maxDiff(zi, ref.imageEmbeddings)} at patch ${patchSize}`);
    assert.ok(maxDiff(zt, ref.textEmbeddings) < 1e-5, `text embeddings differ by ${maxDiff(zt, ref.textEmbeddings)}`);
    await img.release();
    await txt.release();
  }
  // The metadata carries what a reference needs to form pair losses from the embeddings.
  const meta = Object.fromEntries(
    onnx.ModelProto.decode(exportTextEncoder(MODEL, params)).metadataProps.map((p) => [p.key, p.value]),
  );
  assert.equal(meta['jest_studio.kind'], 'text_encoder');
  assert.deepEqual(JSON.parse(meta['jest_studio.model']), MODEL);
  assert.ok(Math.abs(Number(meta['jest_studio.bias']) - -10) < 0.5, `bias ${meta['jest_studio.bias']} moved a little from -10`);
  await session.release();
});
