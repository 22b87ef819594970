// The JSON Schema (draft-07) of the experiment file, kept in step with config/experiment.ts by
// test/config/schema-sync.test.ts. VS Code's JSON language service reads the generated copy
// (media/experiment.schema.json, written by scripts/write-schema.ts) for hover docs, completion and
// errors; config/schema-check.ts compiles this same object with ajv (draft-07, Ajv's default
// draft), so the editor and the engine agree on what a valid file is. What a schema cannot say
// (super-batch arithmetic, patch sizes that must be in the model, a reference the score needs)
// lives in validate.ts.
//
// Defaults are read from DEFAULT_EXPERIMENT, never restated. Source specs carry no `default`
// keywords: defaults.ts fills missing properties from `default`s, and a source's optional fields are
// left for the source itself to default (their defaults are in the descriptions).
import { DEFAULT_EXPERIMENT } from './experiment';
import { SCORE_NAMES } from '../jest/scores';
import { SYNTHETIC_COLOURS, SYNTHETIC_SHAPES } from '../data/synthetic';
import type { BuiltinSpec, SourceSpec } from '../data/sources/registry';
import type { EmojiVendor } from '../data/sources/emoji';
import type { SelectionMethod } from '../jest/selection';
import type { Device } from '../runtime/device';
import type { EvalSetConfig, OptimizerConfig, SelectionConfig } from './experiment';

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** The part of draft-07 this schema uses, plus VS Code's markdownDescription / enumDescriptions. */
export interface SchemaNode {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  markdownDescription?: string;
  type?: JsonType | JsonType[];
  default?: unknown;
  enum?: (string | number)[];
  enumDescriptions?: string[];
  const?: string | number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  pattern?: string;
  /** Shown instead of the bare regex when `pattern` fails (VS Code understands it too). */
  patternErrorMessage?: string;
  items?: SchemaNode;
  minItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: false;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  definitions?: Record<string, SchemaNode>;
  defaultSnippets?: { label: string; description?: string; body: unknown }[];
}

// Lists of the string unions' members. The engine modules that own these unions pull in native
// code (onnxruntime, sharp), which the schema must not load in the editor, so the lists live here
// and the `Exhaustive` checks below fail to compile when a union gains a member the list lacks.
type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never] ? List : never;
const METHODS = ['uniform', 'independent', 'jest'] as const satisfies Exhaustive<SelectionMethod, readonly ['uniform', 'independent', 'jest']>;
const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const satisfies Exhaustive<Device, readonly ['auto', 'cpu', 'cuda', 'webgpu']>;
const VENDORS = ['google', 'twitter', 'apple', 'facebook'] as const satisfies Exhaustive<EmojiVendor, readonly ['google', 'twitter', 'apple', 'facebook']>;
const SCHEDULES = ['cosine', 'linear', 'constant'] as const satisfies Exhaustive<OptimizerConfig['schedule'], readonly ['cosine', 'linear', 'constant']>;
const INDEPENDENT_MODES = ['topk', 'sample'] as const satisfies Exhaustive<SelectionConfig['independentMode'], readonly ['topk', 'sample']>;
const INDEPENDENT_SCORES = ['diagonal', 'batch'] as const satisfies Exhaustive<SelectionConfig['independentScore'], readonly ['diagonal', 'batch']>;
const TASKS = ['zero-shot', 'retrieval'] as const satisfies Exhaustive<EvalSetConfig['tasks'][number], readonly ['zero-shot', 'retrieval']>;
/** Every `kind` of SourceSpec and every built-in `name`: one schema definition each. */
export const SOURCE_KINDS = ['manifest', 'folder', 'webdataset', 'synthetic', 'noisy', 'concat', 'builtin'] as const satisfies Exhaustive<SourceSpec['kind'], readonly ['manifest', 'folder', 'webdataset', 'synthetic', 'noisy', 'concat', 'builtin']>;
export const BUILTIN_SET_NAMES = ['emoji', 'icons', 'emoji-heldout', 'openclipart'] as const satisfies Exhaustive<BuiltinSpec['name'], readonly ['emoji', 'icons', 'emoji-heldout', 'openclipart']>;

// ---- small constructors: each says the JSON type once, the words once ----

type Extra = Omit<SchemaNode, 'type' | 'description'>;

function withMarkdown(description: string, extra: Extra): Partial<SchemaNode> {
  return { description, ...extra };
}
function integer(description: string, extra: Extra = {}): SchemaNode {
  return { type: 'integer', ...withMarkdown(description, extra) };
}
function number(description: string, extra: Extra = {}): SchemaNode {
  return { type: 'number', ...withMarkdown(description, extra) };
}
function string(description: string, extra: Extra = {}): SchemaNode {
  return { type: 'string', ...withMarkdown(description, extra) };
}
function boolean(description: string, extra: Extra = {}): SchemaNode {
  return { type: 'boolean', ...withMarkdown(description, extra) };
}
function oneOfStrings(values: readonly string[], descriptions: string[], description: string, extra: Extra = {}): SchemaNode {
  return { type: 'string', enum: [...values], enumDescriptions: descriptions, ...withMarkdown(description, extra) };
}
function object(description: string, properties: Record<string, SchemaNode>, extra: Extra = {}): SchemaNode {
  return { type: 'object', description, ...extra, properties, additionalProperties: false };
}
function nullable(node: SchemaNode): SchemaNode {
  const { description, markdownDescription, default: def, ...rest } = node;
  return { description, ...(markdownDescription ? { markdownDescription } : {}), ...(def !== undefined ? { default: def } : {}), anyOf: [rest, { type: 'null' }] };
}
const ref = (name: string, description: string, extra: Extra = {}): SchemaNode => ({ description, ...extra, $ref: `#/definitions/${name}` });

const D = DEFAULT_EXPERIMENT;
const PATH = { type: 'string', minLength: 1 } as const;

// ---- data sources: one definition per kind (and per built-in name), told apart by consts ----

const fraction = (description: string): SchemaNode => number(description, { minimum: 0, maximum: 1 });

/** The emoji sources' held-out concept split (data/sources/emojiLabels.ts ConceptSplit). */
const CONCEPT_SPLIT = object(
  'A held-out concept split: a seeded fraction of the emoji concepts (a concept with its skin-tone variants) held out; take "kept" for the rest, "held-out" for those only.',
  {
    heldOut: number('Fraction of concepts held out, e.g. 0.1.', { minimum: 0, maximum: 1 }),
    seed: integer('Which concepts (the same seed gives the same split everywhere); default 0.', { minimum: 0 }),
    take: oneOfStrings(['kept', 'held-out'], ['The concepts not held out (a curated set without them).', 'Only the held-out concepts (an evaluation on concepts the curated set lacks).'], 'Which side of the split this source yields.'),
  },
  { required: ['heldOut', 'take'] },
);

const SOURCE_DEFINITIONS: Record<string, SchemaNode> = {
  'source.manifest': object(
    'A JSONL or CSV file listing image paths and captions.',
    {
      kind: { const: 'manifest', description: 'A JSONL or CSV manifest.' },
      path: string('The .jsonl, .ndjson or .csv file (relative paths are from the experiment file\'s folder).', { minLength: 1 }),
      imageField: string('Field or column holding the image path; default: first of image, file, path, filepath, filename.'),
      captionField: string('Field or column holding the caption; default: first of caption, text, title.'),
      labelField: string('Optional class label field (for zero-shot evaluation sets); default: label when present.'),
      format: oneOfStrings(['jsonl', 'csv'], ['One JSON object per line.', 'A header row, then one row per example.'], "'jsonl' or 'csv'; default from the file extension."),
    },
    { required: ['kind', 'path'], defaultSnippets: [{ label: 'manifest', body: { kind: 'manifest', path: '$1' } }] },
  ),
  'source.folder': object(
    'A folder of images with caption sidecars (cat.png + cat.txt).',
    {
      kind: { const: 'folder', description: 'A folder of images with caption sidecars.' },
      path: string('The folder (relative paths are from the experiment file\'s folder).', { minLength: 1 }),
      captionExtension: string('Sidecar extension; default ".txt".'),
      labelFromFolder: boolean('Use the image\'s parent folder name as its class label (ImageNet-style layouts).'),
    },
    { required: ['kind', 'path'], defaultSnippets: [{ label: 'folder', body: { kind: 'folder', path: '$1' } }] },
  ),
  'source.webdataset': object(
    'WebDataset .tar shards (key.jpg + key.txt per example).',
    {
      kind: { const: 'webdataset', description: 'WebDataset tar shards.' },
      path: {
        description: 'A .tar shard, a folder of .tar shards, or a list of shard paths.',
        anyOf: [{ ...PATH }, { type: 'array', items: { ...PATH }, minItems: 1 }],
      },
      imageFields: { type: 'array', description: 'Image fields tried in order; default jpg, jpeg, png, webp.', items: { ...PATH }, minItems: 1 },
    },
    { required: ['kind', 'path'], defaultSnippets: [{ label: 'webdataset', body: { kind: 'webdataset', path: '$1' } }] },
  ),
  'source.synthetic': object(
    'Coloured shapes captioned by what is drawn ("a red circle"), with planted caption noise: for tests and demos.',
    {
      kind: { const: 'synthetic', description: 'Generated coloured shapes.' },
      n: integer('How many examples.', { minimum: 1 }),
      seed: integer('Generator seed; default 0.', { minimum: 0 }),
      imageSize: integer('Drawn size before the prepare step resamples to the model\'s size; default 32.', { minimum: 1 }),
      mismatchFraction: fraction('Exact fraction (rounded to a count) whose caption names a DIFFERENT class; default 0.'),
      vagueFraction: fraction('Exact fraction whose caption says nothing about the image ("a shape"); default 0.'),
      duplicateFraction: fraction('Exact fraction that are copies (pixels and caption) of another example in the set; default 0.'),
      classes: {
        type: 'array',
        description: 'Default: every colour x shape (8 x 6 = 48 classes).',
        minItems: 1,
        items: object('One drawn class.', {
          colour: oneOfStrings(Object.keys(SYNTHETIC_COLOURS), Object.keys(SYNTHETIC_COLOURS).map((c) => `RGB ${SYNTHETIC_COLOURS[c].join(', ')}`), 'The colour.'),
          shape: oneOfStrings(SYNTHETIC_SHAPES, SYNTHETIC_SHAPES.map((s) => `a ${s}`), 'The shape.'),
        }, { required: ['colour', 'shape'] }),
      },
      sizeWords: boolean('Draw small or large shapes and say so in the caption ("a small red circle"); default false.'),
    },
    { required: ['kind', 'n'], defaultSnippets: [{ label: 'synthetic', body: { kind: 'synthetic', n: 2000 } }] },
  ),
  'source.noisy': object(
    'Another source with caption noise added: a share of captions swapped for another example\'s, a share made vague.',
    {
      kind: { const: 'noisy', description: 'Caption noise over another source.' },
      source: ref('source', 'The source to add noise to.'),
      mismatchFraction: fraction('Share of captions replaced by a recent other example\'s caption; default 0.'),
      vagueFraction: fraction('Share of captions replaced by a vague one; default 0. With mismatchFraction at most 1 in all.'),
      seed: integer('Noise seed; default 0.', { minimum: 0 }),
      vagueCaptions: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Default: "an emoji", "a symbol", "an icon", "a picture", "something".' },
    },
    { required: ['kind', 'source'], defaultSnippets: [{ label: 'noisy', body: { kind: 'noisy', source: { kind: 'builtin', name: 'icons' }, mismatchFraction: 0.2 } }] },
  ),
  'source.concat': object(
    'Several sources read one after the other as one pool, e.g. 20,000 icons plus all the emoji.',
    {
      kind: { const: 'concat', description: 'Several sources as one.' },
      sources: { type: 'array', minItems: 1, description: 'The sources, in order; give one a "max" to take only its first examples.', items: ref('source', 'One of the sources.') },
    },
    { required: ['kind', 'sources'], defaultSnippets: [{ label: 'concat', body: { kind: 'concat', sources: [{ kind: 'builtin', name: 'icons', max: 20000 }, { kind: 'builtin', name: 'emoji' }] } }] },
  ),
  'source.builtin.emoji': object(
    'Built-in: Google and Twitter emoji with their CLDR names as captions (the curated set of the prototype).',
    {
      kind: { const: 'builtin', description: 'A built-in data set.' },
      name: { const: 'emoji', description: 'Google + Twitter emoji, CLDR labels.' },
      vendors: { type: 'array', description: 'Default ["google", "twitter"] (reusable licences).', minItems: 1, uniqueItems: true, items: oneOfStrings(VENDORS, ['Apache-2.0', 'CC-BY-4.0', 'not licensed for reuse', 'not licensed for reuse'], 'An emoji vendor.') },
      skinTones: boolean('Include the five skin-tone variants of people emoji; default true.'),
      concepts: CONCEPT_SPLIT,
    },
    { required: ['kind', 'name'], defaultSnippets: [{ label: 'builtin emoji', body: { kind: 'builtin', name: 'emoji' } }] },
  ),
  'source.builtin.icons': object(
    'Built-in: iconify icon glyphs named by their icon names (the raw pool of the prototype).',
    {
      kind: { const: 'builtin', description: 'A built-in data set.' },
      name: { const: 'icons', description: 'Iconify icon sets.' },
      sets: { type: 'array', description: 'Icon set prefixes to use; default: every installed set that passes the licence filter.', items: { ...PATH }, minItems: 1, uniqueItems: true },
      excludeSets: { type: 'array', description: 'More prefixes to leave out (the licence exclusions and the held-out style always apply).', items: { ...PATH }, uniqueItems: true },
      heldOutStyle: string('The emoji style held out for evaluation, excluded here; default "fluent-emoji-flat".', { minLength: 1 }),
    },
    { required: ['kind', 'name'], defaultSnippets: [{ label: 'builtin icons', body: { kind: 'builtin', name: 'icons' } }] },
  ),
  'source.builtin.emoji-heldout': object(
    'Built-in: an emoji style never trained on, for zero-shot evaluation.',
    {
      kind: { const: 'builtin', description: 'A built-in data set.' },
      name: { const: 'emoji-heldout', description: 'A held-out emoji style.' },
      style: string('An iconify emoji set whose names are CLDR slugs: fluent-emoji-flat (default), openmoji, noto, twemoji.', { minLength: 1 }),
      skinTones: boolean('Include skin-tone variants where the style has them; default true.'),
      concepts: CONCEPT_SPLIT,
    },
    { required: ['kind', 'name'], defaultSnippets: [{ label: 'builtin emoji-heldout', body: { kind: 'builtin', name: 'emoji-heldout' } }] },
  ),
  'source.builtin.openclipart': object(
    'Built-in: Openclipart SVGs with their titles as captions (Debian package openclipart-svg).',
    {
      kind: { const: 'builtin', description: 'A built-in data set.' },
      name: { const: 'openclipart', description: 'Openclipart SVGs.' },
      path: string('Default /usr/share/openclipart/svg.', { minLength: 1 }),
      keywords: boolean('Append the file\'s keywords to its title; default false.'),
    },
    { required: ['kind', 'name'], defaultSnippets: [{ label: 'builtin openclipart', body: { kind: 'builtin', name: 'openclipart' } }] },
  ),
};

// Every kind takes "max" (read at most that many examples): added to each definition here so
// each keeps additionalProperties: false.
for (const def of Object.values(SOURCE_DEFINITIONS)) {
  def.properties!.max = integer('Read at most this many examples from this source (e.g. to mix pools by count).', { minimum: 0 });
}

const SOURCE: SchemaNode = {
  description: 'A data source, chosen by "kind" (and, for built-in sets, "name").',
  markdownDescription:
    'A data source, chosen by `kind`: `manifest` (JSONL/CSV), `folder` (images + .txt sidecars), `webdataset` (.tar shards), `synthetic`, `noisy` (caption noise over another source), `concat` (several sources as one), or `builtin` with a `name`: ' +
    BUILTIN_SET_NAMES.map((n) => `\`${n}\``).join(', ') +
    '.',
  oneOf: Object.keys(SOURCE_DEFINITIONS).map((name) => ({ $ref: `#/definitions/${name}` })),
};

// ---- the experiment ----

const EVAL_SET = object(
  'A held-out set for evaluation.',
  {
    name: string('Shown in charts and tables, e.g. "emoji held-out style".', { minLength: 1 }),
    source: ref('source', 'The held-out data; prepared with the training set\'s tokenizer.'),
    tasks: {
      type: 'array',
      description: 'zero-shot: rank each image against every distinct label as a caption; retrieval: image↔text recall@k.',
      items: oneOfStrings(TASKS, ['Rank each image against every distinct label as a caption (top-1 / top-5 accuracy).', 'Image→text and text→image recall@1 and @5.'], 'An evaluation task.'),
      minItems: 1,
      uniqueItems: true,
      default: ['zero-shot', 'retrieval'],
    },
    max: nullable(integer('Use at most this many examples (null: all).', { minimum: 1, default: null })),
    sample: oneOfStrings(['random', 'first'], ['A seeded random sample of max examples, the same for every run.', 'The first max examples in the source\'s order.'], 'With max: which examples; random is a seeded sample (the same for every run), first the first max.', { default: 'random' }),
    templates: {
      type: 'array',
      description: 'Zero-shot prompts, "{}" standing for the class name; class embeddings are averaged over them (CLIP\'s prompt ensembling).',
      items: { type: 'string', pattern: '\\{\\}' },
      minItems: 1,
      default: ['{}'],
    },
  },
  { required: ['name', 'source'], defaultSnippets: [{ label: 'held-out emoji style', body: { name: 'emoji held-out style', source: { kind: 'builtin', name: 'emoji-heldout' }, tasks: ['zero-shot'] } }] },
);

const positive = (description: string, def: number, extra: Extra = {}) => integer(description, { minimum: 1, default: def, ...extra });

const MODEL = object(
  'The SigLIP two-tower model. The tokenizer is built from the training captions with vocabSize ids and seqLen tokens per caption; images are decoded at imageSize.',
  {
    imageSize: positive('Square input images, pixels per side (images arrive as uint8 NHWC RGB).', D.model.imageSize),
    patchSizes: {
      type: 'array',
      description: 'Patch sizes the Flexi image tower runs at (each divides imageSize); the first is the default.',
      items: integer('A patch size in pixels; divides imageSize.', { minimum: 1 }),
      minItems: 1,
      uniqueItems: true,
      default: D.model.patchSizes,
    },
    width: positive('Transformer width of both towers.', D.model.width),
    depth: positive('Transformer blocks per tower.', D.model.depth),
    heads: positive('Attention heads (width must be divisible by it).', D.model.heads),
    mlpRatio: number('MLP hidden size as a multiple of width.', { exclusiveMinimum: 0, default: D.model.mlpRatio }),
    embedDim: positive('Joint embedding size (the towers\' projection heads).', D.model.embedDim),
    vocabSize: positive('Token vocabulary size, including pad (id 0) and unknown (id 1).', D.model.vocabSize, { minimum: 3 }),
    seqLen: positive('Caption length in tokens (pad id 0 fills the rest).', D.model.seqLen),
  },
  { default: D.model },
);

const OPTIMIZER = object(
  'AdamW with warm-up and decay.',
  {
    lr: number('Peak learning rate.', { exclusiveMinimum: 0, default: D.optimizer.lr }),
    warmupSteps: integer('Linear warm-up steps from 0 to lr.', { minimum: 0, default: D.optimizer.warmupSteps }),
    schedule: oneOfStrings(SCHEDULES, ['Cosine decay from lr to minLrRatio·lr.', 'Linear decay from lr to minLrRatio·lr.', 'lr throughout.'], 'Decay after warm-up.', { default: D.optimizer.schedule }),
    minLrRatio: number('The learning rate at the last step, as a fraction of lr (cosine and linear).', { minimum: 0, maximum: 1, default: D.optimizer.minLrRatio }),
    beta1: number('First-moment decay.', { minimum: 0, exclusiveMaximum: 1, default: D.optimizer.beta1 }),
    beta2: number('Second-moment decay (SigLIP uses 0.95; torch\'s default is 0.999).', { minimum: 0, exclusiveMaximum: 1, default: D.optimizer.beta2 }),
    eps: number('Denominator epsilon.', { exclusiveMinimum: 0, default: D.optimizer.eps }),
    weightDecay: number('Decoupled weight decay λ, applied to matrices only.', { minimum: 0, default: D.optimizer.weightDecay }),
    clipNorm: number('Global gradient-norm clipping threshold; 0 turns clipping off.', { minimum: 0, default: D.optimizer.clipNorm }),
  },
  { default: D.optimizer },
);

const TRAINING = object(
  'Batch size, steps and seed.',
  {
    batchSize: positive('b: the sub-batch the learner trains on each step.', D.training.batchSize, {
      markdownDescription: '**b**: the sub-batch the learner trains on each step. With selection, the super-batch is B = b / (1 − f) and must be a whole number; with jest, b must be divisible by `selection.chunks`.',
    }),
    steps: positive('Training steps.', D.training.steps),
    seed: integer('Seeds parameter init, shuffling and selection; same seed + same config = same run.', { minimum: 0, maximum: 4294967295, default: D.training.seed }),
  },
  { default: D.training },
);

const SELECTION = object(
  'How each training batch is chosen from the super-batch.',
  {
    method: oneOfStrings(
      METHODS,
      ['Train on random batches (the baseline; no scoring).', 'Score each example alone and keep the top b or sample b (RHO-LOSS style).', 'Joint example selection: sample the batch chunk by chunk from the pairwise score matrix (the paper\'s Algorithm 1).'],
      'uniform: train on random batches; independent: per-example scores (RHO-LOSS style); jest: joint selection.',
      { default: D.selection.method },
    ),
    score: oneOfStrings(
      SCORE_NAMES,
      ['L − R: hard for the learner AND easy for the reference (needs a reference).', 'L: data the learner finds hard (known to hurt at high filter ratios).', '−R: data the curated reference finds easy (needs a reference; no learner scoring pass).'],
      'learnability = L − R (default), hard-learner = L, easy-reference = −R.',
      {
        default: D.selection.score,
        markdownDescription: 'The score matrix over the super-batch, from the learner\'s per-pair losses **L** and the reference\'s **R**: `learnability` = L − R (default), `hard-learner` = L, `easy-reference` = −R. Learnability and easy-reference need a `reference`.',
      },
    ),
    filterRatio: number('f: the super-batch is B = b / (1 − f); f = 0.8 keeps one example in five.', {
      minimum: 0,
      exclusiveMaximum: 1,
      default: D.selection.filterRatio,
      markdownDescription: '**f**: the share of the super-batch filtered out. The super-batch is **B = b / (1 − f)** and must be a whole number; f = 0.8 keeps one example in five. The paper uses 0.5, 0.8 (default) and 0.9.',
    }),
    chunks: positive('n chunks of joint selection (paper: 16); the batch size must be divisible by it.', D.selection.chunks),
    temperature: number('Softmax temperature on scores (1 = the paper).', { exclusiveMinimum: 0, default: D.selection.temperature }),
    independentMode: oneOfStrings(INDEPENDENT_MODES, ['Keep the b best-scoring examples.', 'Draw b without replacement with p ∝ exp(score / T).'], 'Independent selection: keep the top b, or sample b by softmax.', { default: D.selection.independentMode }),
    independentScore: oneOfStrings(
      INDEPENDENT_SCORES,
      ['Its own pair S_ii.', 'Its pairs with the whole super-batch, both directions: Σ_j (S_ij + S_ji) − S_ii.'],
      "Independent selection's per-example score: its own pair, or its pairs with the whole super-batch.",
      { default: D.selection.independentScore },
    ),
  },
  { default: D.selection },
);

const REFERENCE = nullable(
  object(
    'Needed by learnability and easy-reference scores; null for uniform / hard-learner runs.',
    {
      run: nullable(string('A finished run folder whose final parameters are the reference (e.g. a uniform run on the curated set).', { minLength: 1, default: null })),
      encoders: nullable(
        object(
          'Or a pair of exported encoders (see src/model/export.ts for their inputs and outputs).',
          {
            image: string('The image encoder .onnx file.', { minLength: 1 }),
            text: string('The text encoder .onnx file.', { minLength: 1 }),
          },
          { required: ['image', 'text'], default: null },
        ),
      ),
      folder: nullable(string('Or a pretrained model folder in the standard layout (CLIP / SigLIP: onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json, config.json, preprocessor_config.json).', { minLength: 1, default: null })),
      logitScale: nullable(number('The sigmoid pair loss\'s t\' (log temperature) for a folder reference; null: from the model\'s files, else fitted on data.curated.', { default: null })),
      logitBias: nullable(number('Its bias b; null: from the model\'s files, else fitted with t\' (0 when only logitScale is given).', { default: null })),
      cacheEmbeddings: boolean('Embed the training pool once and cache it on disk (the reference is frozen).', { default: D.reference?.cacheEmbeddings ?? true }),
    },
    {
      default: D.reference,
      markdownDescription: 'The frozen **reference** model, trained on curated data, that steers selection. Set exactly one of `run` (a finished run folder), `encoders` (a pair of exported .onnx encoders) or `folder` (a pretrained CLIP / SigLIP in the standard ONNX layout, see docs/reference-models.md). Needed by `learnability` and `easy-reference`; `null` for uniform / hard-learner runs.',
    },
  ),
);

const FLEXI = object(
  'Flexi-JEST: score at a coarse patch size and train at a mix of patch sizes.',
  {
    enabled: boolean('Flexi-JEST: score at a coarse patch size and train at a mix of patch sizes.', { default: D.flexi.enabled }),
    scoringPatchSize: positive('The learner scores the super-batch at this patch size (one of model.patchSizes).', D.flexi.scoringPatchSize),
    trainMix: {
      type: 'array',
      description: 'How each training batch is split across patch sizes; fractions add up to 1.',
      minItems: 1,
      default: D.flexi.trainMix,
      items: object(
        'A share of each training batch and the patch size it trains at.',
        {
          patchSize: integer('One of model.patchSizes.', { minimum: 1 }),
          fraction: number('Share of the batch; fraction × batchSize must be a whole number.', { exclusiveMinimum: 0, maximum: 1 }),
        },
        { required: ['patchSize', 'fraction'] },
      ),
    },
  },
  { default: D.flexi },
);

export const EXPERIMENT_SCHEMA: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'JEST Studio experiment (*.jest.json)',
  description: 'A contrastive (SigLIP) training run with JEST data curation. Comments and trailing commas are allowed; missing fields take their defaults.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: string('The JSON Schema of this file (optional; VS Code finds it for *.jest.json by itself).'),
    name: string('Names the run folder.', { minLength: 1, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$', patternErrorMessage: 'use letters, digits, ".", "_" and "-" (it names a folder).', default: D.name }),
    data: object(
      'Training pool, curated set and evaluation sets.',
      {
        train: ref('source', 'The raw pool JEST selects from.', { default: D.data.train }),
        curated: { ...nullable(ref('source', 'The curated set a reference model is trained on (Choose Reference Model -> train a new one).')), default: D.data.curated },
        eval: { type: 'array', description: 'Held-out sets for evaluation.', items: ref('evalSet', 'A held-out set.'), default: D.data.eval },
        tokenizer: nullable(string('The learner\'s tokenizer: null builds a word tokenizer from the training captions; or a Hugging Face tokenizer.json (or the model folder holding it), e.g. CLIP\'s BPE or SigLIP\'s SentencePiece.', { minLength: 1, default: null })),
        maxTrainExamples: nullable(integer('Use at most this many training examples (null: all).', { minimum: 1, default: D.data.maxTrainExamples })),
      },
      { default: D.data },
    ),
    model: MODEL,
    optimizer: OPTIMIZER,
    training: TRAINING,
    selection: SELECTION,
    reference: REFERENCE,
    flexi: FLEXI,
    runtime: object(
      'Where and how the engine runs.',
      {
        device: oneOfStrings(DEVICES, ['Take a GPU provider when one loads (says which), else the CPU.', 'onnxruntime\'s CPU provider.', 'NVIDIA CUDA (opt-in provider download).', 'WebGPU (Dawn over Vulkan/Metal/D3D12).'], 'auto takes a GPU provider when one loads and says which it took.', { default: D.runtime.device }),
        threads: integer('Intra-op threads; 0 = one per core.', { minimum: 0, default: D.runtime.threads }),
      },
      { default: D.runtime },
    ),
    evaluation: object(
      'Evaluation cadence, and the fixed models evaluated beside the learner.',
      {
        every: positive('Evaluate every this many steps (and at the last step).', D.evaluation.every),
        steps: { type: 'array', description: 'Evaluate at these steps too: dense where curves cross (e.g. every 10 steps to 300), log-spaced after.', items: { type: 'integer', minimum: 0 }, default: D.evaluation.steps },
        reference: boolean('Evaluate the run\'s reference on data.eval once, at the start, beside the learner (cached).', { default: D.evaluation.reference }),
        baselines: {
          type: 'array',
          description: 'Pretrained models evaluated on data.eval once, at the start, as fixed baselines (cached).',
          items: object('A pretrained baseline.', { name: string('Shown in tables and events, e.g. "CLIP ViT-B/32".', { minLength: 1 }), folder: string('A pretrained model folder in the standard layout (as reference.folder).', { minLength: 1 }) }, { required: ['name', 'folder'] }),
          default: D.evaluation.baselines,
        },
      },
      { default: D.evaluation },
    ),
    snapshotEvery: integer('Write a selection snapshot (super-batch ids, scores, selected mask) every this many steps; 0 = never.', { minimum: 0, default: D.snapshotEvery }),
    checkpointEvery: positive('Write a checkpoint every this many steps (and at the end, and on SIGINT/SIGTERM).', D.checkpointEvery),
    checkpointKeep: positive('Keep this many checkpoints (the latest and the ones before it): a latest that reads back corrupt falls back to the one before.', D.checkpointKeep),
  },
  definitions: { source: SOURCE, ...SOURCE_DEFINITIONS, evalSet: EVAL_SET },
};

/** Keys the schema allows that are not fields of Experiment (dropped by validation). */
export const SCHEMA_ONLY_KEYS = ['$schema'] as const;

/** Follow a `#/definitions/...` reference. */
export function resolveRef(node: SchemaNode, root: SchemaNode = EXPERIMENT_SCHEMA): SchemaNode {
  let n = node;
  for (let hops = 0; n.$ref; hops++) {
    const m = /^#\/definitions\/(.+)$/.exec(n.$ref);
    const target = m && root.definitions?.[m[1]];
    if (!target || hops > 16) throw new Error(`schema: cannot resolve ${n.$ref}`);
    n = target;
  }
  return n;
}
