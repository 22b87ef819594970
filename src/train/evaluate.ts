// Evaluators, registered by name (big_vision's shape): each takes the model's embeddings of a
// held-out set and yields named metrics. Zero-shot classification ranks each image against every
// class name used as a caption; retrieval ranks images against captions and back.
import type { PreparedDataset } from '../data/cache/dataset';
import type { TrainingSession } from '../runtime/training-session';

export interface EvalInputs {
  session: TrainingSession;
  set: PreparedDataset;
  patchSize: number;
  /** Row indices of the set to use. */
  rows: number[];
  /** Image embeddings of `rows`, computed once and shared by the evaluators. */
  imageEmbeddings: Float32Array;
}

type Evaluator = (x: EvalInputs) => Promise<Record<string, number>>;

/** For each query row, the rank (0 = best) of its first correct candidate. */
function ranksOfCorrect(q: Float32Array, c: Float32Array, dim: number, correct: (qi: number, ci: number) => boolean): Int32Array {
  const nq = q.length / dim;
  const nc = c.length / dim;
  const ranks = new Int32Array(nq);
  const scores = new Float64Array(nc); // float64: the same precision as bestCorrect, or a score ties with itself
  for (let i = 0; i < nq; i++) {
    let bestCorrect = -Infinity;
    for (let j = 0; j < nc; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += q[i * dim + k] * c[j * dim + k];
      scores[j] = s;
      if (correct(i, j) && s > bestCorrect) bestCorrect = s;
    }
    let rank = 0;
    for (let j = 0; j < nc; j++) if (scores[j] > bestCorrect) rank++;
    ranks[i] = rank;
  }
  return ranks;
}

function recallAt(ranks: Int32Array, k: number): number {
  let hit = 0;
  for (const r of ranks) if (r < k) hit++;
  return ranks.length ? hit / ranks.length : 0;
}

export const EVALUATORS: Record<string, Evaluator> = {
  'zero-shot': async ({ session, set, rows, imageEmbeddings }) => {
    const names = set.classNames();
    if (names.length === 0) throw new Error(`evaluation set ${set.manifest.name} has no class labels: zero-shot needs labelled examples`);
    const labelOf = set.labelIndices();
    const dim = session.model.embedDim;
    // Unlabelled rows take no part in classification.
    const labelled = rows.map((r, i) => [r, i]).filter(([r]) => labelOf[r] >= 0);
    const images = new Float32Array(labelled.length * dim);
    labelled.forEach(([, i], k) => images.set(imageEmbeddings.subarray(i * dim, (i + 1) * dim), k * dim));
    const textEmb = await session.embedTexts(set.tokenizer.encodeBatch(names));
    const ranks = ranksOfCorrect(images, textEmb, dim, (k, j) => labelOf[labelled[k][0]] === j);
    return { 'zero-shot/top1': recallAt(ranks, 1), 'zero-shot/top5': recallAt(ranks, 5), 'zero-shot/classes': names.length };
  },
  retrieval: async ({ session, set, rows, imageEmbeddings }) => {
    const captions = rows.map((r) => set.examples[r].caption);
    const textEmb = await session.embedTexts(set.get(rows).tokens);
    const dim = session.model.embedDim;
    // Identical captions are interchangeable answers.
    const same = (i: number, j: number) => captions[i] === captions[j];
    const i2t = ranksOfCorrect(imageEmbeddings, textEmb, dim, same);
    const t2i = ranksOfCorrect(textEmb, imageEmbeddings, dim, same);
    return { 'i2t/r1': recallAt(i2t, 1), 'i2t/r5': recallAt(i2t, 5), 't2i/r1': recallAt(t2i, 1), 't2i/r5': recallAt(t2i, 5) };
  },
};

export async function evaluate(
  session: TrainingSession,
  set: PreparedDataset,
  tasks: string[],
  patchSize: number,
  max: number | null,
): Promise<{ metrics: Record<string, number>; examples: number }> {
  const n = max === null ? set.size : Math.min(max, set.size);
  const rows = Array.from({ length: n }, (_, i) => i);
  const imageEmbeddings = await session.embedImages(set.get(rows).pixels, patchSize);
  const metrics: Record<string, number> = {};
  for (const t of tasks) {
    const ev = EVALUATORS[t];
    if (!ev) throw new Error(`unknown evaluation task "${t}": use one of ${Object.keys(EVALUATORS).join(', ')}`);
    Object.assign(metrics, await ev({ session, set, patchSize, rows, imageEmbeddings }));
  }
  return { metrics, examples: n };
}
