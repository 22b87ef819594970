// Evaluators, registered by name (big_vision's shape): each takes the model's embeddings of a
// held-out set and yields named metrics. Zero-shot classification ranks each image against every
// class name used as a caption; retrieval ranks images against captions and back. The model is
// anything that embeds captions: the learner (through its session and the pool's tokenizer), or a
// reference / pretrained baseline (jest/reference.ts, with its own tokenizer and image size).
import type { PreparedDataset } from '../data/cache/dataset';
import type { TrainingSession } from '../runtime/training-session';
import { Rng } from '../util/rng';
import { l2normaliseRows } from '../util/vectors';

/** What the evaluators need of a model besides the images' embeddings. */
export interface TextEmbedder {
  embedDim: number;
  /** L2-normalised [n, E] embeddings of n captions. */
  embedTexts(captions: readonly string[]): Promise<Float32Array>;
}

export interface EvalInputs {
  model: TextEmbedder;
  set: PreparedDataset;
  /** Zero-shot prompts ("{}" = the class name), averaged per class. */
  templates: string[];
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
  'zero-shot': async ({ model, set, rows, imageEmbeddings, templates }) => {
    const names = set.classNames();
    if (names.length === 0) throw new Error(`evaluation set ${set.manifest.name} has no class labels: zero-shot needs labelled examples`);
    const labelOf = set.labelIndices();
    const dim = model.embedDim;
    // Unlabelled rows take no part in classification.
    const labelled = rows.map((r, i) => [r, i]).filter(([r]) => labelOf[r] >= 0);
    const images = new Float32Array(labelled.length * dim);
    labelled.forEach(([, i], k) => images.set(imageEmbeddings.subarray(i * dim, (i + 1) * dim), k * dim));
    // CLIP's prompt ensembling: each class's embedding is the normalised mean over its prompts
    if (templates.length === 0 || templates.some((t) => !t.includes('{}'))) throw new Error(`zero-shot templates must each contain "{}" (where the class name goes); got ${JSON.stringify(templates)}`);
    const T = templates.length;
    const prompts = names.flatMap((n) => templates.map((t) => t.replaceAll('{}', n)));
    const each = await model.embedTexts(prompts);
    const textEmb = new Float32Array(names.length * dim);
    for (let c = 0; c < names.length; c++) {
      for (let k = 0; k < dim; k++) {
        let v = 0;
        for (let t = 0; t < T; t++) v += each[(c * T + t) * dim + k];
        textEmb[c * dim + k] = v / T;
      }
    }
    l2normaliseRows(textEmb, dim);
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

/** What to evaluate on a set: its tasks, how many examples and which, the zero-shot prompts. */
export interface EvalSpec {
  tasks: string[];
  max: number | null;
  sample?: 'random' | 'first';
  templates?: string[];
}

async function runEvaluators(model: TextEmbedder, set: PreparedDataset, spec: EvalSpec, rows: number[], imageEmbeddings: Float32Array): Promise<EvalResult> {
  const metrics: Record<string, number> = {};
  for (const t of spec.tasks) {
    const ev = EVALUATORS[t];
    if (!ev) throw new Error(`unknown evaluation task "${t}": use one of ${Object.keys(EVALUATORS).join(', ')}`);
    Object.assign(metrics, await ev({ model, set, rows, imageEmbeddings, templates: spec.templates ?? ['{}'] }));
  }
  return { metrics, examples: rows.length };
}

/** Fixed, so that every run (and every baseline) is evaluated on the same sample of a set. */
const SAMPLE_SEED = 0x5a3713;

/**
 * The rows evaluated: all of them, the first max, or (the default) a seeded random sample of max
 * rows, in row order. A prefix would follow the source's order (CLDR order for emoji: all faces
 * first), so it would not be a sample of the set.
 */
export function evalRows(size: number, max: number | null, sample: 'random' | 'first' = 'random'): number[] {
  if (max !== null && !(Number.isInteger(max) && max >= 1)) throw new RangeError(`evaluation max must be a positive integer or null, got ${max}`);
  const n = max === null ? size : Math.min(max, size);
  if (n === size || sample === 'first') return Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(SAMPLE_SEED);
  const all = Array.from({ length: size }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(size - i); // partial Fisher-Yates: the first n are a uniform sample
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, n).sort((a, b) => a - b);
}

/** The learner, at its evaluation patch size; captions through the pool's tokenizer (the set's). */
export async function evaluate(session: TrainingSession, set: PreparedDataset, spec: EvalSpec, patchSize: number): Promise<EvalResult> {
  const rows = evalRows(set.size, spec.max, spec.sample);
  const imageEmbeddings = await session.embedImages(set.get(rows).pixels, patchSize);
  const model: TextEmbedder = { embedDim: session.model.embedDim, embedTexts: (captions) => session.embedTexts(set.tokenizer.encodeBatch(captions)) };
  return runEvaluators(model, set, spec, rows, imageEmbeddings);
}

/** A model that embeds images and captions itself (a reference, a pretrained baseline); `set` is decoded at its size. */
export async function evaluateModel(model: TextEmbedder & { embedImages(pixels: Uint8Array): Promise<Float32Array> }, set: PreparedDataset, spec: EvalSpec): Promise<EvalResult> {
  const rows = evalRows(set.size, spec.max, spec.sample);
  const imageEmbeddings = await model.embedImages(set.get(rows).pixels);
  return runEvaluators(model, set, spec, rows, imageEmbeddings);
}
