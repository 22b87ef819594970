// The independent baseline's two settings reach selection from the experiment file: top-k on each
// example's own pair S_ii keeps exactly the b best diagonal scores, and the per-example score over
// the whole super-batch ("batch") keeps another set.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runTraining } from '../../src/train/loop';
import { experiment, tempRoot } from './helpers';

async function firstSnapshot(independentScore: 'diagonal' | 'batch'): Promise<{ rows: { score: number; selected: boolean }[] }> {
  const root = await tempRoot(`independent-${independentScore}`);
  const e = experiment({ name: `independent-${independentScore}` });
  e.data.eval = [];
  e.training.steps = 41;
  e.snapshotEvery = 40; // a trained learner's off-diagonal losses differ from pair to pair
  e.selection = { ...e.selection, method: 'independent', score: 'hard-learner', filterRatio: 0.5, independentMode: 'topk', independentScore };
  const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
  assert.equal(r.status, 'finished', r.message);
  return JSON.parse(fs.readFileSync(path.join(r.runDir, 'batches', 'step-000040.json'), 'utf8'));
}

test('independent top-k: "diagonal" keeps the b best S_ii, "batch" another set', async () => {
  const diag = await firstSnapshot('diagonal');
  const b = diag.rows.filter((x) => x.selected).length;
  assert.equal(b, 32);
  const best = [...diag.rows].sort((x, y) => y.score - x.score).slice(0, b);
  const cut = best[b - 1].score;
  for (const row of diag.rows) if (row.score > cut) assert.ok(row.selected, 'every example above the b-th best diagonal score is kept');
  const batch = await firstSnapshot('batch');
  const key = (s: typeof diag) => s.rows.map((x) => (x.selected ? 1 : 0)).join('');
  assert.notEqual(key(batch), key(diag), 'the batch-wide score keeps another set (same super-batch, same seed)');
});
