// The reference and pretrained baselines evaluated beside the learner: once per held-out set at
// the start of a run, each with its own tokenizer and its own decode of the set, and cached.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PreparedDataset } from '../../src/data/cache/dataset';
import { prepare } from '../../src/data/cache/prepare';
import { openStandardReference } from '../../src/jest/standard-reference';
import type { BaselineEvent } from '../../src/runs/events';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { FIXTURES } from '../helpers/reference-fixtures';
import { CLASSES, experiment, tempRoot } from './helpers';

/** Zero-shot top-1 the plain way: each image's nearest class name, against its label. */
async function directTop1(folder: string, source: object, fit: 'cover' | 'fill', cacheRoot: string, n: number): Promise<number> {
  const set = await PreparedDataset.open((await prepare(source as never, { size: 224, fit, vocabSize: 64, maxLength: 4, cacheRoot })).dir);
  const m = await openStandardReference(folder, { device: 'cpu', threads: 1, logitScale: 0, logitBias: 0 });
  try {
    const names = set.classNames();
    const rows = Array.from({ length: n }, (_, i) => i);
    const img = await m.embedImages(set.get(rows).pixels);
    const txt = await m.embedTexts(names);
    const E = m.embedDim;
    const labels = set.labelIndices();
    let hit = 0;
    for (const i of rows) {
      let best = -1, bestS = -Infinity;
      for (let j = 0; j < names.length; j++) {
        let s = 0;
        for (let k = 0; k < E; k++) s += img[i * E + k] * txt[j * E + k];
        if (s > bestS) [best, bestS] = [j, s];
      }
      if (best === labels[i]) hit++;
    }
    return hit / n;
  } finally {
    await m.release();
  }
}

test('the reference and a pretrained baseline are evaluated once per held-out set at the start, at their own image size, cached', async () => {
  const root = await tempRoot('baselines');
  const cacheRoot = path.join(root, 'cache');
  const heldOut = { kind: 'synthetic', n: 40, seed: 3, classes: CLASSES } as const;
  const make = (name: string) => {
    const e = experiment({ name });
    e.data = { ...e.data, train: { kind: 'synthetic', n: 200, seed: 2, classes: CLASSES }, curated: null, eval: [{ name: 'held-out', source: heldOut, tasks: ['zero-shot', 'retrieval'], max: null, sample: 'random', templates: ['{}'] }] };
    e.training = { batchSize: 16, steps: 2, seed: 1 };
    e.selection = { ...e.selection, method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 4 };
    e.reference = { run: null, encoders: null, folder: path.join(FIXTURES, 'clip-tiny'), logitScale: 2.3, logitBias: -10, cacheEmbeddings: true };
    e.evaluation = { every: 100, steps: [], reference: true, baselines: [{ name: 'SigLIP tiny', folder: path.join(FIXTURES, 'siglip-tiny') }] };
    return e;
  };
  const first = await runTraining(make('a'), { runDir: path.join(root, 'a'), resume: false, cacheRoot });
  assert.equal(first.status, 'finished', first.message);
  const baselines = readRun(first.runDir).events.filter((x): x is BaselineEvent => x.type === 'baseline');
  assert.deepEqual(baselines.map((b) => [b.model, b.set, b.examples]), [['reference', 'held-out', 40], ['SigLIP tiny', 'held-out', 40]]);
  for (const b of baselines) assert.deepEqual(Object.keys(b.metrics).sort(), ['i2t/r1', 'i2t/r5', 't2i/r1', 't2i/r5', 'zero-shot/classes', 'zero-shot/top1', 'zero-shot/top5']);
  assert.match(baselines[0].description, /^clip model clip-tiny \(224 px/);
  assert.equal(baselines[0].metrics['zero-shot/top1'], await directTop1(path.join(FIXTURES, 'clip-tiny'), heldOut, 'cover', cacheRoot, 40), 'CLIP on the set decoded at 224 px, centre-cropped');
  assert.equal(baselines[1].metrics['zero-shot/top1'], await directTop1(path.join(FIXTURES, 'siglip-tiny'), heldOut, 'fill', cacheRoot, 40), 'SigLIP on the set stretched to 224 px');
  const cached = await fs.readdir(path.join(cacheRoot, 'baseline-evals'));
  assert.equal(cached.length, 2);
  // mark the cached results: a run that reads them reports the mark, one that re-evaluates does not
  for (const f of cached) {
    const file = path.join(cacheRoot, 'baseline-evals', f);
    const r = JSON.parse(await fs.readFile(file, 'utf8'));
    r.metrics['zero-shot/top5'] = 0.123;
    await fs.writeFile(file, JSON.stringify(r));
  }

  const second = await runTraining(make('b'), { runDir: path.join(root, 'b'), resume: false, cacheRoot });
  assert.equal(second.status, 'finished', second.message);
  const again = readRun(second.runDir).events.filter((x): x is BaselineEvent => x.type === 'baseline');
  assert.deepEqual(again.map((b) => b.metrics), baselines.map((b) => ({ ...b.metrics, 'zero-shot/top5': 0.123 })), 'read from the cache, not evaluated again');
});
