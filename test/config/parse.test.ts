// Reading an experiment file: comments and trailing commas are fine, missing fields take defaults,
// and every kind of mistake is an error at the field's path, line and column, with a fix.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_EXPERIMENT } from '../../src/config/experiment';
import { ExperimentError, formatDiagnostic, loadExperiment, parseExperiment } from '../../src/config/validate';
import { assertAt, diagnosticsOf, errorsOf, only, withBase } from './helpers';

const COMMENTED = `// a JSONC experiment
{
  /* block comment */
  "name": "tiny-run", // trailing comment
  "training": { "batchSize": 32, "steps": 200, },
  "selection": { "filterRatio": 0.5, },
  "reference": { "encoders": { "image": "ref/image.onnx", "text": "ref/text.onnx" } },
  "data": {
    "train": { "kind": "noisy", "source": { "kind": "synthetic", "n": 500 }, "mismatchFraction": 0.2 },
    "eval": [ { "name": "clean", "source": { "kind": "synthetic", "n": 100, "seed": 9 }, "tasks": ["zero-shot"] }, ],
  },
}
`;

test('a valid file with comments and trailing commas parses with no diagnostics', () => {
  const { experiment, diagnostics } = parseExperiment(COMMENTED);
  assert.deepEqual(diagnostics, []);
  assert.equal(experiment.name, 'tiny-run');
  assert.equal(experiment.training.batchSize, 32);
  assert.deepEqual(experiment.reference, { run: null, encoders: { image: 'ref/image.onnx', text: 'ref/text.onnx' }, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true });
  assert.deepEqual(experiment.data.train, { kind: 'noisy', source: { kind: 'synthetic', n: 500 }, mismatchFraction: 0.2 });
});

test('missing fields take DEFAULT_EXPERIMENT: objects merge key by key, arrays and sources replace', () => {
  const empty = parseExperiment('{}').experiment;
  assert.deepEqual(empty, DEFAULT_EXPERIMENT);
  assert.notEqual(empty.model.patchSizes, DEFAULT_EXPERIMENT.model.patchSizes, 'defaults are copies, not shared');

  const { experiment } = parseExperiment(COMMENTED);
  assert.deepEqual(experiment.training, { ...DEFAULT_EXPERIMENT.training, batchSize: 32, steps: 200 });
  assert.deepEqual(experiment.selection, { ...DEFAULT_EXPERIMENT.selection, filterRatio: 0.5 });
  assert.deepEqual(experiment.model, DEFAULT_EXPERIMENT.model);
  assert.deepEqual(experiment.data.curated, DEFAULT_EXPERIMENT.data.curated);
  // An evaluation set's own optional fields take their schema defaults.
  assert.deepEqual(experiment.data.eval, [{ name: 'clean', source: { kind: 'synthetic', n: 100, seed: 9 }, tasks: ['zero-shot'], max: null, sample: 'random', templates: ['{}'] }]);

  // Arrays replace: one patch size is one patch size, not [2, 8] merged with the default [4, 8].
  const arrays = parseExperiment('{ "model": { "imageSize": 16, "patchSizes": [2] }, "flexi": { "trainMix": [{ "patchSize": 8, "fraction": 1 }] } }').experiment;
  assert.deepEqual(arrays.model.patchSizes, [2]);
  assert.deepEqual(arrays.flexi.trainMix, [{ patchSize: 8, fraction: 1 }]);
  // A source replaces: a manifest never inherits the default built-in set's "name".
  const manifest = parseExperiment('{ "data": { "train": { "kind": "manifest", "path": "a.jsonl" } } }').experiment;
  assert.deepEqual(manifest.data.train, { kind: 'manifest', path: 'a.jsonl' });
  // null is a value, not "missing".
  assert.equal(parseExperiment('{ "reference": null, "data": { "curated": null } }').experiment.reference, null);
});

test('"$schema" is allowed and dropped', () => {
  const { experiment, diagnostics } = parseExperiment('{ "$schema": "../media/experiment.schema.json" }');
  assert.ok(!diagnostics.some((d) => d.path === '$schema'));
  assert.ok(!('$schema' in experiment));
});

test('an unknown key is an error on the key, with the likely intended name', () => {
  const text = '{\n  "selection": {\n    "filterRatoi": 0.9\n  }\n}';
  const d = only(diagnosticsOf(text), 'selection.filterRatoi');
  assertAt(d, text, '"filterRatoi"');
  assert.match(d.message, /unknown field "filterRatoi" in selection: did you mean "filterRatio"\?/);
  const top = only(diagnosticsOf('{ "stpes": 3 }'), 'stpes');
  assert.match(top.message, /unknown field/);
  assert.equal(top.column, 3);
});

test('a wrong type is an error on the value, saying what was expected and how to fix it', () => {
  const text = '{\n  "training": {\n    "batchSize": "64"\n  }\n}';
  const d = only(diagnosticsOf(text), 'training.batchSize');
  assertAt(d, text, '"64"');
  assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [3, 18, 3, 22]);
  assert.match(d.message, /expected a whole number ≥ 1, got the string "64"; write 64 without quotes/);

  const fractional = only(diagnosticsOf('{ "training": { "steps": 10.5 } }'), 'training.steps');
  assert.match(fractional.message, /whole number.*got 10\.5; use a whole number such as 11/);
  const boolean = only(diagnosticsOf('{ "flexi": { "enabled": "true" } }'), 'flexi.enabled');
  assert.match(boolean.message, /expected true or false.*write true without quotes/);
  const notList = only(diagnosticsOf('{ "model": { "patchSizes": 4 } }'), 'model.patchSizes');
  assert.match(notList.message, /put it in a list: \[4\]/);
  const notNull = only(diagnosticsOf('{ "selection": null }'), 'selection');
  assert.match(notNull.message, /expected an object .* got null/);
});

test('a value outside its range or enum is an error naming the allowed values', () => {
  const text = '{ "selection": { "filterRatio": 1, "method": "jset" } }';
  const diagnostics = diagnosticsOf(text);
  const f = only(diagnostics, 'selection.filterRatio');
  assertAt(f, text, '1');
  assert.match(f.message, /expected a number ≥ 0 and < 1, got 1/);
  const m = only(diagnostics, 'selection.method');
  assertAt(m, text, '"jset"');
  assert.match(m.message, /one of "uniform", "independent", "jest".*did you mean "jest"\?/);
  assert.match(only(diagnosticsOf('{ "evaluation": { "every": 0 } }'), 'evaluation.every').message, /≥ 1, got 0/);
  assert.match(only(diagnosticsOf('{ "name": "my run/1" }'), 'name').message, /letters, digits/);
  assert.match(only(diagnosticsOf('{ "model": { "patchSizes": [4, 4] } }'), 'model.patchSizes[1]').message, /already in the list/);
  assert.match(only(diagnosticsOf('{ "model": { "patchSizes": [] } }'), 'model.patchSizes').message, /at least 1 item/);
});

test('data sources are told apart by kind and name, and each is checked as what it is', () => {
  const text = '{ "data": { "train": { "kind": "manfest", "path": "x.jsonl" }, "curated": { "kind": "builtin", "name": "emojis" } } }';
  const diagnostics = diagnosticsOf(text);
  const kind = only(diagnostics, 'data.train.kind');
  assertAt(kind, text, '"manfest"');
  assert.match(kind.message, /unknown kind "manfest": expected one of "manifest", .*did you mean "manifest"\?/);
  assert.match(only(diagnostics, 'data.curated.name').message, /unknown name "emojis".*did you mean "emoji"\?/);

  const missing = '{ "data": { "eval": [ { "name": "x", "source": { "kind": "folder" } } ] } }';
  const d = only(diagnosticsOf(missing), 'data.eval[0].source.path');
  assertAt(d, missing, '"source"');
  assert.match(d.message, /missing required field "path"/);
  assert.match(only(diagnosticsOf('{ "data": { "train": { "path": "a" } } }'), 'data.train').message, /missing "kind"/);
  // Fields of another kind are typos here: a folder has no "imageField".
  assert.match(only(diagnosticsOf('{ "data": { "train": { "kind": "folder", "path": "a", "imageField": "img" } } }'), 'data.train.imageField').message, /unknown field "imageField" in data\.train/);
  // Nested sources are checked too.
  assert.ok(diagnosticsOf('{ "data": { "train": { "kind": "noisy", "source": { "kind": "synthetic", "n": -1 } } } }').some((x) => x.path === 'data.train.source.n'));
  assert.match(only(diagnosticsOf('{ "data": { "train": { "kind": "synthetic", "n": 9, "classes": [{ "colour": "pink", "shape": "circle" }] } } }'), 'data.train.classes[0].colour').message, /one of "red"/);
});

test('a key written twice is an error on the second', () => {
  const text = '{ "training": { "steps": 10, "steps": 20 } }';
  const d = only(diagnosticsOf(text), 'training.steps');
  assertAt(d, text, '"steps"', 1);
  assert.match(d.message, /appears twice/);
});

test('syntax errors and empty files are errors with a position', () => {
  const text = '{\n  "name": "x"\n  "training": {}\n}';
  const d = only(diagnosticsOf(text), '');
  assert.deepEqual([d.line, d.column], [3, 3]);
  assert.match(d.message, /syntax error: expected "," between items/);
  assert.match(only(diagnosticsOf('  \n'), '').message, /the file is empty/);
  assert.match(only(diagnosticsOf('// only a comment\n'), '').message, /the file is empty/);
  assert.match(only(diagnosticsOf('[]'), '').message, /expected an object/);
});

test('several errors are all reported, in file order', () => {
  const errors = errorsOf('{ "trainig": {}, "selection": { "chunks": 0 }, "runtime": { "device": "gpu" }, "reference": { "run": "r" } }');
  assert.deepEqual(errors.map((e) => e.path), ['trainig', 'selection.chunks', 'runtime.device']);
});

test('loadExperiment throws ExperimentError listing every error as file:line:col: path: message', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jest-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.jest.json');
  writeFileSync(bad, '{\n  "training": { "batchSize": 0 },\n  "seelction": {},\n  "reference": { "run": "r" }\n}\n');
  await assert.rejects(loadExperiment(bad), (err: unknown) => {
    assert.ok(err instanceof ExperimentError);
    assert.equal(err.diagnostics.filter((d) => d.severity === 'error').length, 3);
    const lines = err.message.split('\n');
    assert.match(lines[0], /3 errors in experiment file/);
    assert.match(lines[1], new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:30: training\\.batchSize: expected a whole number ≥ 1, got 0`));
    assert.match(lines[2], /:3:3: seelction: unknown field "seelction": did you mean "selection"\?/);
    // the files it names are looked for too, resolved from the file's folder
    assert.ok(lines[3].includes(`:4:25: reference.run: reference.run ${path.join(dir, 'r')} does not exist`), lines[3]);
    return true;
  });

  mkdirSync(path.join(dir, 'examples'));
  const good = path.join(dir, 'examples', 'good.jest.json');
  const ref = path.join(dir, 'runs', 'ref');
  mkdirSync(path.join(ref, 'models'), { recursive: true });
  for (const f of ['run.json', 'models/image_encoder.onnx', 'models/text_encoder.onnx']) writeFileSync(path.join(ref, f), '{}');
  writeFileSync(good, '{ "reference": { "run": "../runs/ref" }, "data": { "train": { "kind": "webdataset", "path": ["a.tar", "/abs/b.tar"] } } }');
  const { experiment, diagnostics } = await loadExperiment(good);
  assert.ok(diagnostics.every((d) => d.severity === 'warning'));
  assert.equal(experiment.reference?.run, ref, 'relative paths are from the experiment file');
  assert.deepEqual((experiment.data.train as { path: string[] }).path, [path.join(dir, 'examples', 'a.tar'), '/abs/b.tar']);
});

test('each diagnostic says which pass found it, so the editor can skip what its JSON service already shows', () => {
  const kinds = (text: string) => diagnosticsOf(text).map((d) => `${d.kind} ${d.path}`);
  assert.deepEqual(kinds('{ "a": 1 '), ['syntax ']);
  assert.deepEqual(kinds(withBase({ selection: { filterRatio: 0.7, chunkz: 16 } })).sort(), ['rule selection.filterRatio', 'schema selection.chunkz']);
});

test('formatDiagnostic marks warnings', () => {
  const [w] = diagnosticsOf('{ "reference": { "run": "r" }, "selection": { "chunks": 8 } }').filter((d) => d.path === 'selection.chunks');
  assert.match(formatDiagnostic(w, 'a.jest.json'), /^a\.jest\.json:1:\d+: warning: selection\.chunks: the paper uses 16 chunks/);
});
