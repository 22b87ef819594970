// The experiment file (*.jest.json): ONE TypeScript type, plain data, every field commented.
// config/schema.ts is the JSON Schema kept in step with it (a test checks), and
// config/validate.ts parses the file (comments allowed), applies DEFAULT_EXPERIMENT and reports
// errors by field path, line and column.
import type { SourceSpec } from '../data/sources/registry';
import type { ScoreName } from '../jest/scores';
import type { SelectionMethod } from '../jest/selection';
import type { AdamWConfig } from '../model/adamw';
import { DEFAULT_MODEL, type ModelConfig } from '../model/config';
import type { Device } from '../runtime/device';

export interface EvalSetConfig {
  /** Shown in charts and tables, e.g. "emoji held-out style". */
  name: string;
  /** The held-out data; prepared with the training set's tokenizer. */
  source: SourceSpec;
  /** zero-shot: rank each image against every distinct label as a caption; retrieval: image↔text recall@k. */
  tasks: ('zero-shot' | 'retrieval')[];
  /** Use at most this many examples (null: all). */
  max: number | null;
  /** With max: which examples; random is a seeded sample (the same for every run), first the first max. */
  sample: 'random' | 'first';
  /** Zero-shot prompts, "{}" standing for the class name; class embeddings are averaged over them (CLIP's prompt ensembling). */
  templates: string[];
}

export interface DataConfig {
  /** The raw pool JEST selects from. */
  train: SourceSpec;
  /** The curated set a reference model is trained on (Choose Reference Model -> train a new one). */
  curated: SourceSpec | null;
  /** Held-out sets for evaluation. */
  eval: EvalSetConfig[];
  /** Use at most this many training examples (null: all). */
  maxTrainExamples: number | null;
  /** The learner's tokenizer: null builds a word tokenizer from the training captions; or a Hugging Face tokenizer.json (or the model folder holding it), e.g. CLIP's BPE or SigLIP's SentencePiece. */
  tokenizer: string | null;
}
// The tokenizer is built from the training captions with model.vocabSize ids and model.seqLen
// tokens per caption, and images are decoded at model.imageSize: the model fields say it once.

export interface OptimizerConfig extends AdamWConfig {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps from 0 to lr. */
  warmupSteps: number;
  /** Decay after warm-up. */
  schedule: 'cosine' | 'linear' | 'constant';
  /** The learning rate at the last step, as a fraction of lr (cosine and linear). */
  minLrRatio: number;
}

export interface TrainingConfig {
  /** b: the sub-batch the learner trains on each step. */
  batchSize: number;
  /** Training steps. */
  steps: number;
  /** Seeds parameter init, shuffling and selection; same seed + same config = same run. */
  seed: number;
}

export interface SelectionConfig {
  /** uniform: train on random batches; independent: per-example scores (RHO-LOSS style); jest: joint selection. */
  method: SelectionMethod;
  /** learnability = L − R (default), hard-learner = L, easy-reference = −R. */
  score: ScoreName;
  /** f: the super-batch is B = b / (1 − f); f = 0.8 keeps one example in five. */
  filterRatio: number;
  /** n chunks of joint selection (paper: 16); the batch size must be divisible by it. */
  chunks: number;
  /** Softmax temperature on scores (1 = the paper). */
  temperature: number;
  /** Independent selection: keep the top b, or sample b by softmax. */
  independentMode: 'topk' | 'sample';
  /** Independent selection's per-example score: its own pair S_ii, or its pairs with the whole super-batch (both directions). */
  independentScore: 'diagonal' | 'batch';
}

export interface ReferenceConfig {
  /** A finished run folder whose final parameters are the reference (e.g. a uniform run on the curated set). */
  run: string | null;
  /** Or a pair of exported encoders (see src/model/export.ts for their inputs and outputs). */
  encoders: { image: string; text: string } | null;
  /** Or a pretrained model folder in the standard layout (CLIP / SigLIP: onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json, config.json, preprocessor_config.json). */
  folder: string | null;
  /** The sigmoid pair loss's t' (log temperature) for a folder reference; null: from the model's files, else fitted on data.curated. */
  logitScale: number | null;
  /** Its bias b; null: from the model's files, else fitted with t' (0 when only logitScale is given). */
  logitBias: number | null;
  /** Embed the training pool once and cache it on disk (the reference is frozen). */
  cacheEmbeddings: boolean;
}

export interface FlexiConfig {
  /** Flexi-JEST: score at a coarse patch size and train at a mix of patch sizes. */
  enabled: boolean;
  /** The learner scores the super-batch at this patch size (one of model.patchSizes). */
  scoringPatchSize: number;
  /** How each training batch is split across patch sizes; fractions add up to 1. */
  trainMix: { patchSize: number; fraction: number }[];
}

export interface BaselineConfig {
  /** Shown in tables and events, e.g. "CLIP ViT-B/32". */
  name: string;
  /** A pretrained model folder in the standard layout (as reference.folder). */
  folder: string;
}

export interface EvaluationConfig {
  /** Evaluate every this many steps (and at the last step). */
  every: number;
  /** Evaluate at these steps too: dense where curves cross (e.g. every 10 steps to 300), log-spaced after. */
  steps: number[];
  /** Evaluate the run's reference on data.eval once, at the start, beside the learner (cached). */
  reference: boolean;
  /** Pretrained models evaluated on data.eval once, at the start, as fixed baselines (cached). */
  baselines: BaselineConfig[];
}

export interface Experiment {
  /** Names the run folder. */
  name: string;
  data: DataConfig;
  model: ModelConfig;
  optimizer: OptimizerConfig;
  training: TrainingConfig;
  selection: SelectionConfig;
  /** Needed by learnability and easy-reference scores; null for uniform / hard-learner runs. */
  reference: ReferenceConfig | null;
  flexi: FlexiConfig;
  runtime: {
    /** auto takes a GPU provider when one loads and says which it took. */
    device: Device;
    /** Intra-op threads; 0 = one per core. */
    threads: number;
  };
  evaluation: EvaluationConfig;
  /** Write a selection snapshot (super-batch ids, scores, selected mask) every this many steps; 0 = never. */
  snapshotEvery: number;
  /** Write a checkpoint every this many steps (and at the end, and on SIGINT/SIGTERM). */
  checkpointEvery: number;
  /** How many checkpoints a run keeps (the latest and those before it): a corrupt latest falls back to the one before. */
  checkpointKeep: number;
}

export const DEFAULT_EXPERIMENT: Experiment = {
  name: 'experiment',
  data: {
    train: { kind: 'builtin', name: 'icons' } as SourceSpec,
    curated: { kind: 'builtin', name: 'emoji' } as SourceSpec,
    eval: [],
    maxTrainExamples: null,
    tokenizer: null,
  },
  model: { ...DEFAULT_MODEL },
  // the AdamW part equals model/adamw's DEFAULT_ADAMW (a test checks; importing it here would pull
  // the graph builder into the editor's config code)
  optimizer: { lr: 2e-3, warmupSteps: 50, schedule: 'cosine', minLrRatio: 0.05, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 1e-4, clipNorm: 1 },
  training: { batchSize: 64, steps: 1000, seed: 0 },
  selection: { method: 'jest', score: 'learnability', filterRatio: 0.8, chunks: 16, temperature: 1, independentMode: 'topk', independentScore: 'diagonal' },
  reference: { run: null, encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true },
  flexi: { enabled: false, scoringPatchSize: 8, trainMix: [{ patchSize: 4, fraction: 0.5 }, { patchSize: 8, fraction: 0.5 }] },
  runtime: { device: 'cpu', threads: 0 },
  evaluation: { every: 100, steps: [], reference: true, baselines: [] },
  snapshotEvery: 50,
  checkpointEvery: 250,
  checkpointKeep: 2,
};

/** B = b / (1 − f), rounded to the nearest integer (validation requires it to be a whole number). */
export function superBatchSize(e: Experiment): number {
  return e.selection.method === 'uniform' ? e.training.batchSize : Math.round(e.training.batchSize / (1 - e.selection.filterRatio));
}
