// Evaluators, registered by name (big_vision's shape): each takes the model's embeddings of a
// held-out set and yields named metrics. Zero-shot classification ranks each image against every
// class name used as a caption; retrieval ranks images against captions and back. The model is
// anything that embeds captions: the learner (through its session and the pool's tokenizer), or a
// reference / pretrained baseline (jest/reference.ts, with its own tokenizer and image size).
import type { PreparedDataset } from '../data/cache/dataset';
import type { TrainingSession } from '../runtime/training-session';

/** What the evaluators need of a model besides the images' embeddings. */
export interface TextEmbedder {
  embedDim: number;
  /** L2-normalised [n, E] embeddings of n captions. */
  embedTexts(captions: readonly string[]): Promise<Float32Array>;
}

export interface EvalInputs {
  model: TextEmbedder;
  set: PreparedDataset;
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
  'zero-shot': async ({ model, set, rows, imageEmbeddings }) => {
    const names = set.classNames();
    if (names.length === 0) throw new Error(`evaluation set ${set.manifest.name} has no class labels: zero-shot needs labelled examples`);
    const labelOf = set.labelIndices();
    const dim = model.embedDim;
    // Unlabelled rows take no part in classification.
    const labelled = rows.map((r, i) => [r, i]).filter(([r]) => labelOf[r] >= 0);
    const images = new Float32Array(labelled.length * dim);
    labelled.forEach(([, i], k) => images.set(imageEmbeddings.subarray(i * dim, (i + 1) * dim), k * dim));
    const textEmb = await model.embedTexts(names);
    const ranks = ranksOfCorrect(images, textEmb, dim, (k, j) => labelOf[labelled[k][0]] === j);
    return { 'zero-shot/top1': recallAt(ranks, 1), 'zero-shot/top5': recallAt(ranks, 5), 'zero-shot/classes': names.length };
  },
  retrieval: async ({ model, set, rows, imageEmbeddings }) => {
    const captions = rows.map((r) => set.examples[r].caption);
    const textEmb = await model.embedTexts(captions);
    const dim = model.embedDim;
    // Identical captions are interchangeable answers.
    const same = (i: number, j: number) => captions[i] === captions[j];
    const i2t = ranksOfCorrect(imageEmbeddings, textEmb, dim, same);
    const t2i = ranksOfCorrect(textEmb, imageEmbeddings, dim, same);
    return { 'i2t/r1': recallAt(i2t, 1), 'i2t/r5': recallAt(i2t, 5), 't2i/r1': recallAt(t2i, 1), 't2i/r5': recallAt(t2i, 5) };
  },
};

export interface EvalResult {
  metrics: Record<string, number>;
  examples: number;
}

async function runEvaluators(model: TextEmbedder, set: PreparedDataset, tasks: string[], rows: number[], imageEmbeddings: Float32Array): Promise<EvalResult> {
  const metrics: Record<string, number> = {};
  for (const t of tasks) {
    const ev = EVALUATORS[t];
    if (!ev) throw new Error(`unknown evaluation task "${t}": use one of ${Object.keys(EVALUATORS).join(', ')}`);
    Object.assign(metrics, await ev({ model, set, rows, imageEmbeddings }));
  }
  return { metrics, examples: rows.length };
}

const firstRows = (set: PreparedDataset, max: number | null) => Array.from({ length: max === null ? set.size : Math.min(max, set.size) }, (_, i) => i);

/** The learner, at its evaluation patch size; captions through the pool's tokenizer (the set's). */
export async function evaluate(session: TrainingSession, set: PreparedDataset, tasks: string[], patchSize: number, max: number | null): Promise<EvalResult> {
  const rows = firstRows(set, max);
  const imageEmbeddings = await session.embedImages(set.get(rows).pixels, patchSize);
  const model: TextEmbedder = { embedDim: session.model.embedDim, embedTexts: (captions) => session.embedTexts(set.tokenizer.encodeBatch(captions)) };
  return runEvaluators(model, set, tasks, rows, imageEmbeddings);
}

/** A model that embeds images and captions itself (a reference, a pretrained baseline); `set` is decoded at its size. */
export async function evaluateModel(model: TextEmbedder & { embedImages(pixels: Uint8Array): Promise<Float32Array> }, set: PreparedDataset, tasks: string[], max: number | null): Promise<EvalResult> {
  const rows = firstRows(set, max);
  const imageEmbeddings = await model.embedImages(set.get(rows).pixels);
  return runEvaluators(model, set, tasks, rows, imageEmbeddings);
}
