// The JSON Schema and the TypeScript type describe the same file. Two locks:
//  - at compile time, FULL below must be a `Full<Experiment>` (every optional field present, every
//    nullable one set), and FULL_SOURCES must cover every SourceSpec with all its optional fields:
//    add a field or a source kind to the types and this file stops compiling until it is added here;
//  - at run time, every key path of DEFAULT_EXPERIMENT, FULL and FULL_SOURCES must exist in the
//    schema with a matching JSON type, and every schema property must exist in them: add a field to
//    the schema alone, or to the type alone, and a test below fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_EXPERIMENT, type Experiment } from '../../src/config/experiment';
import { EXPERIMENT_SCHEMA, SCHEMA_ONLY_KEYS, resolveRef, type JsonType, type SchemaNode } from '../../src/config/schema';
import { parseExperiment } from '../../src/config/validate';
import type { ConcatSpec } from '../../src/data/sources/concat';
import type { EmojiSpec } from '../../src/data/sources/emoji';
import type { EmojiHeldOutSpec } from '../../src/data/sources/emojiHeldOut';
import type { FolderSpec } from '../../src/data/sources/folder';
import type { IconsSpec } from '../../src/data/sources/icons';
import type { ManifestSpec } from '../../src/data/sources/manifest';
import type { NoisySpec } from '../../src/data/sources/noisy';
import type { OpenclipartSpec } from '../../src/data/sources/openclipart';
import type { SourceSpec } from '../../src/data/sources/registry';
import type { SyntheticSpec } from '../../src/data/sources/synthetic';
import type { WebDatasetSpec } from '../../src/data/sources/webdataset';

/** Every optional field required, every nullable field non-null, all the way down. */
type Full<T> = T extends (infer U)[] ? Full<U>[] : T extends object ? { [K in keyof T]-?: Full<Exclude<T[K], null | undefined>> } : T;

const FULL: Full<Experiment> = {
  name: 'full',
  data: {
    train: { kind: 'builtin', name: 'icons', sets: ['mdi'], excludeSets: ['ph'], heldOutStyle: 'fluent-emoji-flat', max: 100 },
    curated: { kind: 'builtin', name: 'emoji', vendors: ['google'], skinTones: false, concepts: { heldOut: 0.1, seed: 1, take: 'kept' }, max: 100 },
    eval: [{ name: 'held-out', source: { kind: 'builtin', name: 'emoji-heldout', style: 'noto', skinTones: true, concepts: { heldOut: 0.1, seed: 1, take: 'held-out' }, max: 100 }, tasks: ['zero-shot', 'retrieval'], max: 100, sample: 'first', templates: ['{}', 'an emoji of {}'] }],
    maxTrainExamples: 1000,
    tokenizer: 'models/clip/tokenizer.json',
  },
  model: { imageSize: 16, patchSizes: [4, 8], width: 64, depth: 1, heads: 4, mlpRatio: 4, embedDim: 64, vocabSize: 100, seqLen: 8 },
  optimizer: { lr: 1e-3, warmupSteps: 10, schedule: 'linear', minLrRatio: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, clipNorm: 1 },
  training: { batchSize: 32, steps: 100, seed: 1 },
  selection: { method: 'independent', score: 'easy-reference', filterRatio: 0.5, chunks: 16, temperature: 0.5, independentMode: 'sample', independentScore: 'batch' },
  reference: { run: 'runs/ref', encoders: { image: 'i.onnx', text: 't.onnx' }, folder: 'models/clip', logitScale: 2.3, logitBias: -10, cacheEmbeddings: false },
  flexi: { enabled: true, scoringPatchSize: 8, trainMix: [{ patchSize: 4, fraction: 0.5 }, { patchSize: 8, fraction: 0.5 }] },
  runtime: { device: 'auto', threads: 2 },
  evaluation: { every: 10, steps: [], reference: false, baselines: [{ name: 'CLIP', folder: 'models/clip' }] },
  snapshotEvery: 5,
  checkpointEvery: 50,
  checkpointKeep: 3,
};

type Listed = ManifestSpec | FolderSpec | WebDatasetSpec | SyntheticSpec | NoisySpec | ConcatSpec | EmojiSpec | IconsSpec | EmojiHeldOutSpec | OpenclipartSpec;
/** Compiles only while Listed covers SourceSpec: a new source kind must get an example here. */
const COVERS_EVERY_SOURCE: [Exclude<SourceSpec, Listed>] extends [never] ? true : never = true;

/** One example per schema source definition, every optional field set. */
const FULL_SOURCES: Record<string, Required<Listed>> = {
  'source.manifest': { kind: 'manifest', path: 'm.jsonl', imageField: 'image', captionField: 'caption', labelField: 'label', format: 'jsonl', max: 1 } satisfies Required<ManifestSpec>,
  'source.folder': { kind: 'folder', path: 'images', captionExtension: '.txt', labelFromFolder: true, max: 1 } satisfies Required<FolderSpec>,
  'source.webdataset': { kind: 'webdataset', path: ['a.tar'], imageFields: ['png'], max: 1 } satisfies Required<WebDatasetSpec>,
  'source.synthetic': { kind: 'synthetic', n: 10, seed: 1, imageSize: 16, mismatchFraction: 0.1, vagueFraction: 0.1, duplicateFraction: 0.1, classes: [{ colour: 'red', shape: 'circle' }], sizeWords: true, max: 1 } satisfies Required<SyntheticSpec>,
  'source.noisy': { kind: 'noisy', source: { kind: 'synthetic', n: 10, seed: 1, imageSize: 16, mismatchFraction: 0, vagueFraction: 0, duplicateFraction: 0, classes: [{ colour: 'blue', shape: 'ring' }], sizeWords: false, max: 1 }, mismatchFraction: 0.2, vagueFraction: 0.1, seed: 3, vagueCaptions: ['a thing'], max: 1 } satisfies Required<NoisySpec>,
  'source.concat': { kind: 'concat', sources: [{ kind: 'builtin', name: 'icons', sets: ['mdi'], excludeSets: ['ph'], heldOutStyle: 'noto', max: 5 }], max: 1 } satisfies Required<ConcatSpec>,
  'source.builtin.emoji': { kind: 'builtin', name: 'emoji', vendors: ['google', 'twitter'], skinTones: true, concepts: { heldOut: 0.1, seed: 1, take: 'kept' }, max: 1 } satisfies Required<EmojiSpec>,
  'source.builtin.icons': { kind: 'builtin', name: 'icons', sets: ['mdi'], excludeSets: ['ph'], heldOutStyle: 'noto', max: 1 } satisfies Required<IconsSpec>,
  'source.builtin.emoji-heldout': { kind: 'builtin', name: 'emoji-heldout', style: 'noto', skinTones: false, concepts: { heldOut: 0.2, seed: 0, take: 'held-out' }, max: 1 } satisfies Required<EmojiHeldOutSpec>,
  'source.builtin.openclipart': { kind: 'builtin', name: 'openclipart', path: '/usr/share/openclipart/svg', keywords: true, max: 1 } satisfies Required<OpenclipartSpec>,
};

function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

/** The branch of a union a value takes (null, by type, then by the `kind` / `name` consts). */
function branchFor(value: unknown, schema: SchemaNode): SchemaNode {
  const s = resolveRef(schema);
  const branches = (s.anyOf ?? s.oneOf)?.map((b) => resolveRef(b));
  if (!branches) return s;
  const fits = branches.filter((b) => {
    if (b.type !== undefined && !accepts(b.type, value)) return false;
    return Object.entries(b.properties ?? {}).every(([k, p]) => p.const === undefined || (value as Record<string, unknown>)?.[k] === p.const);
  });
  assert.ok(fits.length >= 1, `no branch of ${JSON.stringify(schema).slice(0, 80)} fits ${JSON.stringify(value)}`);
  return branchFor(value, fits[0]);
}

function accepts(type: JsonType | JsonType[], value: unknown): boolean {
  const t = jsonType(value);
  return (Array.isArray(type) ? type : [type]).some((x) => x === t || (x === 'number' && t === 'integer'));
}

/**
 * Key paths where value and schema disagree: a key in the value the schema lacks, or a JSON type the
 * schema does not allow; and schema properties the value lacks: with 'all', every one; with
 * 'defaulted', those that are required or have a default (always present after validation; a
 * source's optional fields are neither, and stay absent in DEFAULT_EXPERIMENT).
 */
type Demand = 'all' | 'defaulted';
function mismatches(value: unknown, schema: SchemaNode, path: string, demand: Demand, out: string[] = []): string[] {
  const s = branchFor(value, schema);
  if (s.const !== undefined) {
    if (value !== s.const) out.push(`${path}: ${JSON.stringify(value)} is not the schema's const ${JSON.stringify(s.const)}`);
    return out;
  }
  if (s.type !== undefined && !accepts(s.type, value)) out.push(`${path}: the value is ${jsonType(value)}, the schema says ${JSON.stringify(s.type)}`);
  if (Array.isArray(value)) value.forEach((item, i) => s.items && mismatches(item, s.items, `${path}[${i}]`, demand, out));
  else if (value !== null && typeof value === 'object') {
    const props = s.properties ?? {};
    for (const [k, v] of Object.entries(value)) {
      if (!props[k]) out.push(`${path}.${k}: in the value, not in the schema`);
      else mismatches(v, props[k], `${path}.${k}`, demand, out);
    }
    for (const [k, p] of Object.entries(props)) {
      if (k in value || (path === '' && (SCHEMA_ONLY_KEYS as readonly string[]).includes(k))) continue;
      const always = s.required?.includes(k) || p.default !== undefined || resolveRef(p).default !== undefined;
      if (demand === 'all' || always) out.push(`${path}.${k}: in the schema, not in the value`);
    }
  }
  return out;
}

test('every key of DEFAULT_EXPERIMENT is in the schema with its JSON type, and the reverse', () => {
  assert.deepEqual(mismatches(DEFAULT_EXPERIMENT, EXPERIMENT_SCHEMA, '', 'defaulted'), []);
});

test('a fully populated experiment (every optional and nullable field set) matches the schema both ways', () => {
  assert.deepEqual(mismatches(FULL, EXPERIMENT_SCHEMA, '', 'all'), []);
  // And validation accepts its shape (the only complaint: it sets both kinds of reference).
  const errors = parseExperiment(JSON.stringify(FULL)).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.path), ['reference.encoders']);
});

test('every source spec, fully populated, matches its schema definition both ways; every definition has a spec', () => {
  assert.ok(COVERS_EVERY_SOURCE);
  const definitions = Object.keys(EXPERIMENT_SCHEMA.definitions ?? {}).filter((k) => k.startsWith('source.'));
  assert.deepEqual(definitions.sort(), Object.keys(FULL_SOURCES).sort());
  for (const [name, spec] of Object.entries(FULL_SOURCES)) {
    const def = EXPERIMENT_SCHEMA.definitions![name];
    assert.deepEqual(mismatches(spec, def, name, 'all'), [], name);
    // The union picks this definition for this spec, and validation accepts it as a training pool.
    assert.equal(branchFor(spec, { $ref: '#/definitions/source' }), def, name);
    const errors = parseExperiment(JSON.stringify({ data: { train: spec }, selection: { method: 'uniform' } })).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], name);
  }
});

test('the sync check itself catches a field added to only one side', () => {
  const schema: SchemaNode = structuredClone(EXPERIMENT_SCHEMA);
  schema.properties!.training.properties!.gradAccumulation = { type: 'integer', default: 1 };
  assert.deepEqual(mismatches(DEFAULT_EXPERIMENT, schema, '', 'defaulted'), ['.training.gradAccumulation: in the schema, not in the value']);
  const value = structuredClone(DEFAULT_EXPERIMENT) as unknown as { selection: Record<string, unknown> };
  value.selection.topP = 0.9;
  assert.deepEqual(mismatches(value, EXPERIMENT_SCHEMA, '', 'defaulted'), ['.selection.topP: in the value, not in the schema']);
  value.selection.topP = undefined;
  delete value.selection.topP;
  value.selection.chunks = '16';
  assert.deepEqual(mismatches(value, EXPERIMENT_SCHEMA, '', 'defaulted'), ['.selection.chunks: the value is string, the schema says "integer"']);
});

test('every schema default is the DEFAULT_EXPERIMENT value at its path', () => {
  const problems: string[] = [];
  const visit = (s: SchemaNode, value: unknown, path: string) => {
    const r = resolveRef(s);
    const def = s.default !== undefined ? s.default : r.default;
    if (def !== undefined && path !== '') {
      try {
        assert.deepEqual(def, value);
      } catch {
        problems.push(`${path}: schema default ${JSON.stringify(def)}, DEFAULT_EXPERIMENT ${JSON.stringify(value)}`);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const obj = branchFor(value, s);
    for (const [k, p] of Object.entries(obj.properties ?? {})) if (k in value) visit(p, (value as Record<string, unknown>)[k], `${path}.${k}`);
  };
  visit(EXPERIMENT_SCHEMA, DEFAULT_EXPERIMENT, '');
  assert.deepEqual(problems, []);
});

test('the schema is draft-07 with a description on every property and additionalProperties: false on every object', () => {
  assert.equal(EXPERIMENT_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
  const problems: string[] = [];
  const seen = new Set<SchemaNode>();
  const visit = (s: SchemaNode, path: string) => {
    if (seen.has(s)) return;
    seen.add(s);
    if (s.properties) {
      if (s.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
      for (const [k, p] of Object.entries(s.properties)) {
        if (!p.description) problems.push(`${path}.${k}: no description`);
        visit(p, `${path}.${k}`);
      }
    }
    if (s.items) visit(s.items, `${path}[]`);
    for (const b of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) visit(b, path);
    if (s.enum && s.enumDescriptions && s.enum.length !== s.enumDescriptions.length) problems.push(`${path}: enumDescriptions do not match enum`);
  };
  visit(EXPERIMENT_SCHEMA, '');
  for (const [name, d] of Object.entries(EXPERIMENT_SCHEMA.definitions ?? {})) visit(d, `#/definitions/${name}`);
  assert.deepEqual(problems, []);
});

test('every experiment field outside the data sources is required or has a default (missing fields are never undefined)', () => {
  const problems: string[] = [];
  const visit = (s: SchemaNode, path: string) => {
    const r = resolveRef(s);
    if (s.$ref === '#/definitions/source' || (r.anyOf ?? r.oneOf ?? []).some((b) => b.$ref?.startsWith('#/definitions/source'))) return;
    const obj = r.properties ? r : (r.anyOf ?? []).map((b) => resolveRef(b)).find((b) => b.properties);
    for (const [k, p] of Object.entries(obj?.properties ?? {})) {
      if (path === '' && (SCHEMA_ONLY_KEYS as readonly string[]).includes(k)) continue;
      if (!obj!.required?.includes(k) && p.default === undefined && resolveRef(p).default === undefined) problems.push(`${path}.${k}`);
      visit(p, `${path}.${k}`);
    }
    const items = r.items ?? (r.anyOf ?? []).find((b) => b.items)?.items;
    if (items) visit(items, `${path}[]`);
  };
  visit(EXPERIMENT_SCHEMA, '');
  assert.deepEqual(problems, []);
});
