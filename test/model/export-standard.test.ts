// Our trained models in the standard layout: read back by the same loader that reads a CLIP or
// SigLIP export, they give the embeddings of our own encoder files, and the word tokenizer written
// as a Hugging Face tokenizer.json gives exactly our tokenizer's ids.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Tokenizer } from '../../src/data/tokenizer';
import { StandardTokenizer } from '../../src/data/standard-tokenizer';
import { openEncoderReference } from '../../src/jest/reference';
import { openStandardReference } from '../../src/jest/standard-reference';
import { readStandardLayout } from '../../src/jest/standard-layout';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { exportImageEncoder, exportTextEncoder } from '../../src/model/export';
import { wordTokenizerAsStandard, writeStandardLayout } from '../../src/model/export-standard';
import { TrainingSession } from '../../src/runtime/training-session';
import { promises as fs } from 'node:fs';
import { rows, syntheticSet } from '../helpers/synthetic-batches';
import { tempRoot } from '../train/helpers';

const MODEL = { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 4, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 6 };

test('the word tokenizer as tokenizer.json (WordPiece) encodes like our tokenizer: unknown words, punctuation, apostrophes, case, NFKC, truncation', () => {
  const ours = Tokenizer.build(['a red circle', "don't stop", 'the ﬁsh, a cat!', 'Ünïcode straße'], { vocabSize: 64, maxLength: 6, minCount: 1 });
  const std = new StandardTokenizer({ tokenizer: wordTokenizerAsStandard(ours.toJSON()), config: { pad_token: '<pad>' } }, 6);
  const captions = ['A red circle', "don't stop now", 'the fish, a cat!', 'ÜNÏCODE straße', 'zebra zebra', '', 'a a a a a a a a a', '  red\tcircle  ', 'a red-circle'];
  const a = ours.encodeBatch(captions);
  const b = std.encodeBatch(captions);
  assert.deepEqual(Array.from(b.ids), Array.from(a), captions.map((c, i) => `${c}: ${Array.from(a.subarray(i * 6, i * 6 + 6))} vs ${Array.from(b.ids.subarray(i * 6, i * 6 + 6))}`).join('\n'));
});

test('a model written in the standard layout is read back by the standard loader with the embeddings, t\' and b of its own encoder files', async () => {
  const set = syntheticSet(20, MODEL.imageSize, MODEL.seqLen, 5);
  const session = await TrainingSession.create({ model: MODEL, optimizer: DEFAULT_ADAMW, seed: 3, runtime: { device: 'cpu', threads: 1 } });
  const b = rows(set, 0, 16, 16, 6);
  for (let s = 0; s < 3; s++) await session.runTrainStep({ images: [{ patchSize: 4, pixels: b.pixels }], tokens: b.tokens }, 1e-2);
  const params = await session.getContiguousParameters();
  await session.release();
  const captions = ['a red circle', 'a blue square', 'something else', 'red red red red red red red', 'a', 'circle'];
  const tokenizer = Tokenizer.build(captions, { vocabSize: MODEL.vocabSize, maxLength: MODEL.seqLen, minCount: 1 });
  const dir = await tempRoot('std-export');
  await fs.writeFile(path.join(dir, 'image_encoder.onnx'), exportImageEncoder(MODEL, params, 4));
  await fs.writeFile(path.join(dir, 'text_encoder.onnx'), exportTextEncoder(MODEL, params, tokenizer.toJSON()));
  await writeStandardLayout(path.join(dir, 'standard'), MODEL, params, tokenizer.toJSON(), 4);

  const layout = readStandardLayout(path.join(dir, 'standard'));
  assert.deepEqual(layout.preprocess.decode, { size: 16, fit: 'contain' }, 'decoded as in training (letterboxed)');
  assert.equal(layout.vision.embedOutput, 'image_embeds');
  assert.equal(layout.text.embedOutput, 'text_embeds');
  const own = await openEncoderReference(path.join(dir, 'image_encoder.onnx'), path.join(dir, 'text_encoder.onnx'), 'cpu', 1);
  const std = await openStandardReference(path.join(dir, 'standard'), { device: 'cpu', threads: 1, logitScale: null, logitBias: null });
  try {
    const px = rows(set, 0, captions.length, 16, 6).pixels;
    const z1 = await own.embed(px, captions);
    const z2 = await std.embed(px, captions);
    const diff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    assert.ok(diff(z1.image, z2.image) < 1e-5, `image ${diff(z1.image, z2.image)}`);
    assert.ok(diff(z1.text, z2.text) < 1e-5, `text ${diff(z1.text, z2.text)}`);
    assert.equal(std.scale?.source, 'config');
    assert.ok(Math.abs(std.scale!.tPrime - own.tPrime) < 1e-6 && Math.abs(std.scale!.bias - own.bias) < 1e-6);
    assert.equal(std.flopsPerExample, own.flopsPerExample, 'the FLOPs our counter made of the same graphs');
  } finally {
    await Promise.all([own.release(), std.release()]);
  }
});
