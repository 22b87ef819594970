// The data layer's public face: what the training loop, JEST selection, evaluation and the CLI use.

export type { Example, ImageRef, Provenance, NoiseTag, Problem, ProblemReason, Source, SourceContext, SourceDescription } from './types';
export { createSource, registerSourceKind, sourceKinds, parseSourceArgument, BUILTIN_NAMES, type SourceSpec, type ExtraSourceSpec, type BuiltinSpec } from './sources/registry';
export type { ManifestSpec } from './sources/manifest';
export type { FolderSpec } from './sources/folder';
export type { WebDatasetSpec } from './sources/webdataset';
export type { EmojiSpec, EmojiVendor } from './sources/emoji';
export type { IconsSpec } from './sources/icons';
export type { EmojiHeldOutSpec } from './sources/emojiHeldOut';
export type { OpenclipartSpec } from './sources/openclipart';
export type { SyntheticSpec } from './sources/synthetic';
export type { NoisySpec } from './sources/noisy';
export type { ConcatSpec } from './sources/concat';
export { MissingPackageError } from './sources/packages';
export { synthetic, allSyntheticClasses, SYNTHETIC_COLOURS, SYNTHETIC_SHAPES, VAGUE_CAPTIONS, type SyntheticOptions, type SyntheticExample, type SyntheticClass } from './synthetic';
export { Tokenizer, splitWords, toInt64, PAD_ID, UNK_ID, DEFAULT_TOKENIZER_SETTINGS, type TokenizerSettings, type TokenizerJson } from './tokenizer';
export { Rng, epochPermutation, mixSeeds } from './prng';
export { DecodePool, type DecodeResult, type DecodePoolOptions } from './decode/pool';
export { DEFAULT_DECODE_SETTINGS, parseColour, type DecodeSettings, type Rgb } from './decode/settings';
export { prepare, NoUsableExamplesError, type PrepareOptions, type PrepareResult, type PrepareProgress } from './cache/prepare';
export { PreparedDataset, subBatch, batchTokensInt64, type Batch, type OpenOptions } from './cache/dataset';
export { BatchIterator, type BatchOptions, type BatchPosition, type PositionedBatch } from './cache/batches';
export { defaultCacheRoot, fingerprint, type PreparedManifest, type ExampleMeta } from './cache/format';
export { formatReport, type ReportJson } from './report';
export { summarisePrepared, type PreparedSummary } from './summary';
