// The commented experiment file that "JEST: New Experiment" opens. Every section says what it is in
// the paper's words; the values are DEFAULT_EXPERIMENT's (interpolated, so they cannot drift), plus
// a reference and an evaluation set, so the template parses without a single diagnostic
// (test/config/template.test.ts).
import { DEFAULT_EXPERIMENT as D } from './experiment';

export interface TemplateOptions {
  /** Names the run folder; letters, digits, ".", "_", "-". */
  name?: string;
  /** The reference run folder (relative to the experiment file). */
  referenceRun?: string;
  /** Put in "$schema" (e.g. a path to media/experiment.schema.json) for editors other than VS Code. */
  schema?: string;
}

const j = (v: unknown) => JSON.stringify(v);
/** JSON on one line with a space after commas and colons, as people write it. */
const inline = (v: unknown) => JSON.stringify(v).replace(/([,:])(?=[^\s])/g, '$1 ').replace(/^\{/, '{ ').replace(/\}$/, ' }');

export function experimentTemplate(options: TemplateOptions = {}): string {
  const name = options.name ?? 'my-experiment';
  const referenceRun = options.referenceRun ?? 'runs/reference';
  const schemaLine = options.schema ? `  "$schema": ${j(options.schema)},\n` : '';
  const o = D.optimizer;
  const s = D.selection;
  const m = D.model;
  return `// A JEST Studio experiment: SigLIP contrastive training with JEST data curation
// (Evans et al., "Data curation via joint example selection further accelerates multimodal
// learning", 2024). Comments and trailing commas are allowed; a field left out takes its default.
// Hover any field for its meaning; docs/experiment-file.md lists them all.
{
${schemaLine}  // Names the run folder under the runs folder.
  "name": ${j(name)},

  // DATA. "train" is the raw pool JEST selects from. "curated" is the small, well-curated set a
  // reference model is trained on (data-quality bootstrapping). "eval" lists held-out sets:
  // zero-shot classification (labels as captions) and image<->text retrieval recall@1/@5.
  // "tokenizer": null builds a word tokenizer from the training captions; a path to a Hugging
  // Face tokenizer.json (or the model folder holding it) trains the learner on those ids instead.
  "data": {
    "train": ${inline(D.data.train)},
    "curated": ${inline(D.data.curated)},
    "eval": [
      { "name": "emoji held-out style", "source": { "kind": "builtin", "name": "emoji-heldout" }, "tasks": ["zero-shot", "retrieval"], "max": null }
    ],
    "maxTrainExamples": ${j(D.data.maxTrainExamples)},
    "tokenizer": ${j(D.data.tokenizer)}
  },

  // THE LEARNER: a SigLIP two-tower model (image ViT + text transformer, sigmoid loss). The image
  // tower is a FlexiViT: one set of weights that runs at every size in "patchSizes".
  "model": {
    "imageSize": ${m.imageSize},
    "patchSizes": ${j(m.patchSizes).replace(/,/g, ', ')},
    "width": ${m.width},
    "depth": ${m.depth},
    "heads": ${m.heads},
    "mlpRatio": ${m.mlpRatio},
    "embedDim": ${m.embedDim},
    "vocabSize": ${m.vocabSize},
    "seqLen": ${m.seqLen}
  },

  // OPTIMIZER: AdamW (SigLIP's beta2 = 0.95), linear warm-up, then decay to minLrRatio × lr.
  "optimizer": {
    "lr": ${o.lr},
    "warmupSteps": ${o.warmupSteps},
    "schedule": ${j(o.schedule)},
    "minLrRatio": ${o.minLrRatio},
    "beta1": ${o.beta1},
    "beta2": ${o.beta2},
    "eps": ${o.eps},
    "weightDecay": ${o.weightDecay},
    "clipNorm": ${o.clipNorm}
  },

  // TRAINING: b = batchSize is the sub-batch the learner trains on each step. Same seed and same
  // file give the same run.
  "training": {
    "batchSize": ${D.training.batchSize},
    "steps": ${D.training.steps},
    "seed": ${D.training.seed}
  },

  // SELECTION. Each step draws a SUPER-BATCH of B = b / (1 − f) examples, where f is the FILTER
  // RATIO (f = 0.8 keeps one in five; B must be a whole number), scores it, and keeps b.
  //   method: "uniform" (no selection, the baseline), "independent" (each example scored alone,
  //           RHO-LOSS style), or "jest" (joint example selection over the pairwise scores).
  //   score:  "learnability" = learner loss − reference loss: hard for the learner AND easy for the
  //           reference (the paper's best); "easy-reference" = −reference loss; "hard-learner" =
  //           learner loss (known to hurt at high filter ratios).
  //   chunks: joint selection samples the batch in n CHUNKS, each conditioned on those already
  //           chosen; the paper uses 16, and b must be divisible by it.
  "selection": {
    "method": ${j(s.method)},
    "score": ${j(s.score)},
    "filterRatio": ${s.filterRatio},
    "chunks": ${s.chunks},
    "temperature": ${s.temperature},
    "independentMode": ${j(s.independentMode)},
    "independentScore": ${j(s.independentScore)}
  },

  // THE REFERENCE: a frozen model trained on curated data that steers selection. Set ONE of "run"
  // (a finished run folder: train one with method "uniform" on data.curated, or use Choose
  // Reference Model), "encoders" (a pair of exported .onnx encoders) or "folder" (a pretrained
  // CLIP / SigLIP exported to ONNX in the standard layout; docs/reference-models.md). A folder
  // model's sigmoid temperature and bias come from its files, from "logitScale" / "logitBias",
  // or are fitted on data.curated (CLIP). Its embeddings of the pool are computed once and cached
  // ("cacheEmbeddings"): the reference never changes.
  "reference": {
    "run": ${j(referenceRun)},
    "encoders": null,
    "folder": null,
    "logitScale": null,
    "logitBias": null,
    "cacheEmbeddings": ${D.reference?.cacheEmbeddings ?? true}
  },

  // FLEXI-JEST: score the super-batch at a coarse patch size (far fewer FLOPs), train each batch
  // split across patch sizes, evaluate at full resolution. Patch sizes come from model.patchSizes;
  // the fractions add up to 1.
  "flexi": {
    "enabled": ${D.flexi.enabled},
    "scoringPatchSize": ${D.flexi.scoringPatchSize},
    "trainMix": [
${D.flexi.trainMix.map((t) => `      ${inline(t)}`).join(',\n')}
    ]
  },

  // RUNTIME: "auto" takes a GPU provider (cuda, webgpu) when one loads, else the CPU.
  "runtime": {
    "device": ${j(D.runtime.device)},
    "threads": ${D.runtime.threads}
  },

  // CADENCE, in steps: evaluation on data.eval, selection snapshots for the batch inspector
  // (0 = never), and checkpoints (also at the end and on stop; the last checkpointKeep are kept).
  // The reference ("reference": true) and any pretrained "baselines" ([{ "name": "CLIP",
  // "folder": "models/clip" }]) are evaluated on data.eval once, at the start, for comparison.
  "evaluation": { "every": ${D.evaluation.every}, "reference": ${D.evaluation.reference}, "baselines": [] },
  "snapshotEvery": ${D.snapshotEvery},
  "checkpointEvery": ${D.checkpointEvery},
  "checkpointKeep": ${D.checkpointKeep}
}
`;
}

export const EXPERIMENT_TEMPLATE = experimentTemplate();
