// A JEST run curated by a pretrained model in the standard layout: the 224 px CLIP-architecture
// fixture (scripts/fixtures/make-reference-models.py) scores for a 16 px learner. The pool is
// decoded a second time at 224 px for it, its temperature and bias are fitted on the curated set
// (CLIP has none for the sigmoid loss), its scoring FLOPs are charged, and the reference losses in
// the selection snapshots equal a direct computation from its embeddings.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PreparedDataset } from '../../src/data/cache/dataset';
import { prepare } from '../../src/data/cache/prepare';
import { dualEncoderFlops } from '../../src/jest/encoder-flops';
import { openStandardReference } from '../../src/jest/standard-reference';
import type { LogEvent, RunStartEvent, StepEvent } from '../../src/runs/events';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { FIXTURES } from '../helpers/reference-fixtures';
import { CLASSES, experiment, tempRoot } from './helpers';

const CLIP = path.join(FIXTURES, 'clip-tiny');

interface SnapshotRow { row: number; caption: string; referenceLoss: number | null; selected: boolean }

test('a 224 px CLIP reference folder curates a 16 px learner: own decode, fitted t\' and b, FLOPs charged, scores equal a direct computation', async () => {
  const root = await tempRoot('std-ref-run');
  const cacheRoot = path.join(root, 'cache');
  const train = { kind: 'synthetic', n: 256, seed: 2, mismatchFraction: 0.3, classes: CLASSES } as const;
  const snaps: Record<string, SnapshotRow[]> = {};
  for (const cacheEmbeddings of [false, true]) {
    const e = experiment({ name: `clip-ref-${cacheEmbeddings ? 'cached' : 'online'}` });
    e.data = { ...e.data, train, curated: { kind: 'synthetic', n: 96, seed: 1, classes: CLASSES }, eval: [] };
    e.training = { batchSize: 32, steps: 4, seed: 1 };
    e.selection = { ...e.selection, method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 16 };
    e.reference = { run: null, encoders: null, folder: CLIP, logitScale: null, logitBias: null, cacheEmbeddings };
    e.snapshotEvery = 2;
    e.evaluation = { every: 100, steps: [], reference: true, baselines: [] };
    const r = await runTraining(e, { runDir: path.join(root, e.name), resume: false, cacheRoot });
    assert.equal(r.status, 'finished', r.message);
    const rec = readRun(r.runDir);
    const logs = rec.events.filter((x): x is LogEvent => x.type === 'log').map((x) => x.message);
    assert.ok(logs.some((m) => /^reference t' = .* \(fitted: fitted on 96 examples of data\.curated/.test(m)), `the events say t' and b were fitted:\n${logs.join('\n')}`);
    assert.ok(logs.some((m) => m.startsWith('reference decode: the pool at 224 px (fit cover) beside the learner\'s 16 px')), 'the events say the pool was decoded for the reference');
    const start = rec.events.find((x): x is RunStartEvent => x.type === 'run-start')!;
    assert.equal(start.reference?.scaleSource, 'fitted');
    assert.equal(start.reference?.imageSize, 224);
    const config = JSON.parse(await fs.readFile(path.join(CLIP, 'config.json'), 'utf8'));
    const f = dualEncoderFlops(config, 16);
    assert.equal(start.flopsPerStep.referencePerExample, f.image + f.text, 'the reference\'s FLOPs per example, from its config');
    const steps = rec.events.filter((x): x is StepEvent => x.type === 'step');
    assert.equal(steps.length, 4);
    const B = 64;
    const last = steps[steps.length - 1];
    if (cacheEmbeddings) {
      assert.equal(last.flops.referenceCache, 256 * (f.image + f.text), 'the cache: the whole pool through the reference once');
    } else {
      assert.ok(last.flops.referenceScoring >= 4 * B * (f.image + f.text), 'online: every super-batch embedded by the reference, charged to reference scoring');
    }
    const snap = JSON.parse(await fs.readFile(path.join(r.runDir, 'batches', 'step-000002.json'), 'utf8')) as { rows: SnapshotRow[] };
    snaps[String(cacheEmbeddings)] = snap.rows;
  }

  // Direct computation: the fitted scale the run used, the reference's embeddings of those rows
  // decoded at 224 px, l_ii = softplus(−(e^t'·⟨x_i, y_i⟩ + b)).
  const scaleDir = path.join(cacheRoot, 'reference-scale');
  const [scaleFile] = await fs.readdir(scaleDir);
  const { tPrime, bias } = JSON.parse(await fs.readFile(path.join(scaleDir, scaleFile), 'utf8')) as { tPrime: number; bias: number };
  const view = await PreparedDataset.open((await prepare(train, { size: 224, fit: 'cover', vocabSize: 64, maxLength: 4, cacheRoot })).dir);
  const ref = await openStandardReference(CLIP, { device: 'cpu', threads: 1, logitScale: null, logitBias: null });
  try {
    for (const rows of Object.values(snaps)) {
      const b = view.get(rows.map((r) => r.row));
      assert.deepEqual(b.captions, rows.map((r) => r.caption), 'same examples, row for row');
      const z = await ref.embed(b.pixels, b.captions);
      const E = ref.embedDim;
      rows.forEach((r, i) => {
        let c = 0;
        for (let k = 0; k < E; k++) c += z.image[i * E + k] * z.text[i * E + k];
        const direct = Math.log1p(Math.exp(-(Math.exp(tPrime) * c + bias)));
        assert.ok(Math.abs(r.referenceLoss! - direct) < 1e-3, `row ${r.row}: snapshot R_ii ${r.referenceLoss} vs direct ${direct}`);
      });
    }
  } finally {
    await ref.release();
  }
});
