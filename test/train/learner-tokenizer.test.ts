// A learner trained on a standard tokenizer's ids (data.tokenizer: CLIP's BPE from the fixture
// folder): its ids are the tokenizer's plus one (0 stays padding), the run trains, and the model it
// exports in the standard layout takes that tokenizer's own ids and mask and gives the run's
// embeddings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readRun } from '../../src/runs/reader';
import { loadLearnerStandardTokenizer } from '../../src/data/caption-tokenizer';
import { ENCODER_FILES, STANDARD_EXPORT_DIR, openEncoderReference } from '../../src/jest/reference';
import { openStandardReference } from '../../src/jest/standard-reference';
import { readStandardLayout } from '../../src/jest/standard-layout';
import { experimentFilesProblem } from '../../src/train/preflight';
import { runTraining } from '../../src/train/loop';
import { FIXTURES } from '../helpers/reference-fixtures';
import { CLASSES, TINY_MODEL, experiment, tempRoot } from './helpers';

const CLIP = path.join(FIXTURES, 'clip-tiny');

test('a standard tokenizer for the learner: the tokenizer\'s ids plus one, 0 for padding, decoding back', async () => {
  const ex = JSON.parse(readFileSync(path.join(CLIP, 'expected.json'), 'utf8')) as { captions: string[]; input_ids: number[][]; attention_mask: number[][] };
  const t = await loadLearnerStandardTokenizer(CLIP, 16);
  assert.equal(t.vocabSize, 615, '614 ids and padding');
  const ids = t.encodeBatch(ex.captions);
  const want = ex.input_ids.flatMap((row, i) => row.map((id, k) => (ex.attention_mask[i][k] ? id + 1 : 0)));
  assert.deepEqual(Array.from(ids), want);
  assert.equal(t.decode(ids.subarray(0, 16)), 'a red circle');
});

test('a run on CLIP\'s tokenizer trains, and its standard-layout export reads back with the run\'s embeddings', async () => {
  const root = await tempRoot('learner-tok');
  const cacheRoot = path.join(root, 'cache');
  const e = experiment({ name: 'clip-tokens' });
  e.model = { ...TINY_MODEL, vocabSize: 615, seqLen: 16 };
  e.data = { ...e.data, train: { kind: 'synthetic', n: 200, seed: 2, classes: CLASSES }, curated: null, eval: [{ name: 'held-out', source: { kind: 'synthetic', n: 40, seed: 3, classes: CLASSES }, tasks: ['zero-shot'], max: null, sample: 'random', templates: ['{}'] }], tokenizer: CLIP };
  e.training = { batchSize: 16, steps: 6, seed: 1 };
  e.evaluation = { every: 6, steps: [], reference: true, baselines: [] };

  assert.equal(experimentFilesProblem({ ...e, model: { ...e.model, vocabSize: 100 } }), `data.tokenizer ${path.join(CLIP, 'tokenizer.json')} has 614 ids (615 with padding) but model.vocabSize is 100: set model.vocabSize to at least 615`);
  assert.equal(experimentFilesProblem(e), undefined);

  const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot });
  assert.equal(r.status, 'finished', r.message);
  const evals = readRun(r.runDir).events.filter((x) => x.type === 'eval');
  assert.ok(evals.length > 0 && evals.every((x) => x.type === 'eval' && x.metrics['zero-shot/classes'] === 16), 'zero-shot with the class names through the same tokenizer');
  const tok = JSON.parse(readFileSync(path.join(r.runDir, 'models', 'tokenizer.json'), 'utf8'));
  assert.equal(tok.format, 'jest-studio-standard-tokenizer');

  const models = path.join(r.runDir, 'models');
  const layout = readStandardLayout(path.join(models, STANDARD_EXPORT_DIR));
  assert.deepEqual(layout.text.inputs, ['input_ids', 'attention_mask'], 'the export takes the tokenizer\'s own ids and its mask');
  assert.equal(JSON.parse(readFileSync(path.join(models, STANDARD_EXPORT_DIR, 'tokenizer.json'), 'utf8')).model.type, 'BPE');
  const own = await openEncoderReference(path.join(models, ENCODER_FILES.image), path.join(models, ENCODER_FILES.text), 'cpu', 1);
  const std = await openStandardReference(path.join(models, STANDARD_EXPORT_DIR), { device: 'cpu', threads: 1, logitScale: null, logitBias: null });
  try {
    const captions = ['a red circle', 'a blue square', 'a zebra', 'a small green triangle on a large yellow cross'];
    const a = await own.embedTexts(captions);
    const b = await std.embedTexts(captions);
    const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(diff < 1e-5, `text embeddings differ by ${diff}`);
  } finally {
    await Promise.all([own.release(), std.release()]);
  }
});
