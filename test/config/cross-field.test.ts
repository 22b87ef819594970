// The rules a schema cannot express: super-batch arithmetic, chunks, Flexi-JEST patch sizes and
// mix, the reference a score needs, the model's own constraints; and the warnings for legal but
// suspicious settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { superBatchSize } from '../../src/config/experiment';
import { parseExperiment } from '../../src/config/validate';
import { CLEAN_BASE, assertAt, diagnosticsOf, errorsOf, only, warningsOf, withBase } from './helpers';

test('the helpers\' base file is clean, so each test below sees only its own diagnostics', () => {
  assert.deepEqual(diagnosticsOf(JSON.stringify(CLEAN_BASE)), []);
});

test('the super-batch b / (1 − f) must be whole; the error names filter ratios and batch sizes that work', () => {
  const text = withBase({ training: { batchSize: 64 }, selection: { filterRatio: 0.7 } });
  const d = only(diagnosticsOf(text), 'selection.filterRatio');
  assertAt(d, text, '0.7');
  assert.match(d.message, /B = b \/ \(1 − f\) = 64 \/ \(1 − 0\.7\) = 213\.3333 is not a whole number/);
  // Each suggestion must itself be accepted.
  const ratios = [...d.message.matchAll(/(0\.\d+) \(B = (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(ratios.length >= 2, d.message);
  for (const [f, B] of ratios) {
    assert.deepEqual(errorsOf(withBase({ training: { batchSize: 64 }, selection: { filterRatio: f } })), [], `f = ${f}`);
    assert.equal(superBatchSize(parseExperiment(withBase({ training: { batchSize: 64 }, selection: { filterRatio: f } })).experiment), B);
  }
  const sizes = [...d.message.matchAll(/training\.batchSize (\d+) \(B = \d+\)(?: or (\d+))?/g)].flatMap((m) => [m[1], m[2]]).filter(Boolean).map(Number);
  assert.ok(sizes.length >= 1, d.message);
  for (const b of sizes) assert.deepEqual(errorsOf(withBase({ training: { batchSize: b }, selection: { filterRatio: 0.7 } })), [], `b = ${b}`);

  // Floating point is not a mistake: 64 / (1 − 0.8) is 320.00000000000006 in doubles.
  assert.deepEqual(errorsOf(withBase({ training: { batchSize: 64 }, selection: { filterRatio: 0.8 } })), []);
  assert.deepEqual(errorsOf(withBase({ training: { batchSize: 48 }, selection: { filterRatio: 0.9, chunks: 16 } })), []);
  // Uniform never builds a super-batch.
  assert.deepEqual(errorsOf(withBase({ selection: { method: 'uniform', filterRatio: 0.7 } })), []);
});

test('jest needs the batch size divisible by the chunks; independent selection does not', () => {
  const text = withBase({ training: { batchSize: 64 }, selection: { chunks: 12 } });
  const d = only(diagnosticsOf(text), 'selection.chunks');
  assertAt(d, text, '12');
  assert.match(d.message, /training\.batchSize 64 is not divisible by 12 chunks \(5\.333 per chunk\); use chunks 8 or 16, or training\.batchSize 60 or 72/);
  assert.deepEqual(errorsOf(withBase({ training: { batchSize: 64 }, selection: { chunks: 12, method: 'independent' } })), []);
});

test('Flexi-JEST patch sizes must be the model\'s, the mix must add up to 1 and split the batch whole', () => {
  const flexi = (f: Record<string, unknown>) => withBase({ flexi: { enabled: true, ...f } });
  const scoring = only(diagnosticsOf(flexi({ scoringPatchSize: 16 })), 'flexi.scoringPatchSize');
  assert.match(scoring.message, /16 is not in model\.patchSizes \(4, 8\)/);

  const mixText = flexi({ trainMix: [{ patchSize: 2, fraction: 0.5 }, { patchSize: 8, fraction: 0.3 }] });
  const mix = diagnosticsOf(mixText);
  assert.match(only(mix, 'flexi.trainMix[0].patchSize').message, /2 is not in model\.patchSizes/);
  assertAt(only(mix, 'flexi.trainMix[0].patchSize'), mixText, '2');
  assert.match(only(mix, 'flexi.trainMix').message, /add up to 0\.8, not 1/);
  assert.match(only(mix, 'flexi.trainMix[1].fraction').message, /0\.3 × 64 = 19\.2 is not a whole number of examples; use 0\.296875 \(19 of 64\) or 0\.3125 \(20 of 64\)/);

  assert.match(only(diagnosticsOf(flexi({ trainMix: [{ patchSize: 8, fraction: 0.5 }, { patchSize: 8, fraction: 0.5 }] })), 'flexi.trainMix[1].patchSize').message, /appears twice/);
  // 0.25 + 0.75 in doubles is exact; 0.1 + 0.2 + 0.7 is not, and is still 1.
  assert.deepEqual(errorsOf(withBase({ training: { batchSize: 80 }, model: { imageSize: 16, patchSizes: [2, 4, 8] }, flexi: { enabled: true, trainMix: [{ patchSize: 2, fraction: 0.1 }, { patchSize: 4, fraction: 0.2 }, { patchSize: 8, fraction: 0.7 }] } })), []);
  // A disabled Flexi section is not checked against the model.
  assert.deepEqual(errorsOf(withBase({ model: { imageSize: 16, patchSizes: [4] } })), []);
  assert.match(only(diagnosticsOf(flexi({ scoringPatchSize: 4 })), 'flexi.scoringPatchSize', 'warning').message, /coarse/);
});

test('learnability and easy-reference need a reference (run, encoders or folder), only one; uniform and hard-learner do not', () => {
  const noRef = withBase({ reference: null });
  const d = only(diagnosticsOf(noRef), 'reference');
  assertAt(d, noRef, 'null');
  assert.match(d.message, /score "learnability" with method "jest" needs a reference model: set reference\.run .*, reference\.encoders .*or reference\.folder/);
  // An empty reference object points at reference.run; a missing section says it took the default.
  assert.match(only(diagnosticsOf(withBase({ reference: { run: null } })), 'reference.run').message, /needs a reference/);
  assert.match(only(diagnosticsOf('{ "data": { "eval": [] } }'), 'reference.run').message, /not in the file: it takes the default/);
  assert.match(only(diagnosticsOf(withBase({ reference: null, selection: { method: 'independent', score: 'easy-reference' } })), 'reference').message, /"easy-reference" with method "independent"/);

  for (const selection of [{ method: 'uniform' }, { score: 'hard-learner', filterRatio: 0.2 }]) {
    assert.deepEqual(diagnosticsOf(withBase({ reference: null, selection })), [], JSON.stringify(selection));
    assert.match(only(diagnosticsOf(withBase({ selection })), 'reference', 'warning').message, /ignored/);
  }
  const both = withBase({ reference: { run: 'r', encoders: { image: 'i.onnx', text: 't.onnx' } } });
  assert.match(only(diagnosticsOf(both), 'reference.encoders').message, /set one of reference\.run, reference\.encoders or reference\.folder, not run and encoders/);
  const folderAndRun = withBase({ reference: { run: 'r', folder: 'models/clip' } });
  assert.match(only(diagnosticsOf(folderAndRun), 'reference.folder').message, /not run and folder/);
  assert.deepEqual(diagnosticsOf(withBase({ reference: { run: null, folder: 'models/clip', logitScale: 2.3, logitBias: -10 } })), [], 'a folder alone, with its scale');
  assert.match(only(diagnosticsOf(withBase({ reference: { run: 'r', logitScale: 2.3 } })), 'reference.logitScale', 'warning').message, /apply to a reference\.folder model/);
  assert.match(only(diagnosticsOf(withBase({ reference: { run: null, folder: 'm', logitBias: -10 } })), 'reference.logitBias', 'warning').message, /only together with logitScale/);
  assert.match(only(diagnosticsOf(withBase({ reference: { run: null, encoders: { image: 'i.pt', text: 't.onnx' } } })), 'reference.encoders.image', 'warning').message, /\.onnx/);
});

test('model rules: heads divide width, patch sizes divide the image, the MLP size is whole', () => {
  const text = withBase({ model: { width: 64, heads: 6, imageSize: 16, patchSizes: [4, 5] } });
  const diagnostics = diagnosticsOf(text);
  assert.match(only(diagnostics, 'model.heads').message, /model\.width \(64\) must be divisible by model\.heads \(6\); use heads 4 or 8/);
  const p = only(diagnostics, 'model.patchSizes[1]');
  assertAt(p, text, '5');
  assert.match(p.message, /5 does not divide model\.imageSize \(16\); use one of 2, 4, 8/);
  assert.match(only(diagnosticsOf(withBase({ model: { mlpRatio: 2.01 } })), 'model.mlpRatio').message, /not a whole number/);
});

test('an error in a field silences the cross-field checks that read it (one mistake, one message)', () => {
  const errors = errorsOf(withBase({ training: { batchSize: 'sixty' }, selection: { filterRatio: 0.7, chunks: 12 } }));
  assert.deepEqual(errors.map((e) => e.path), ['training.batchSize']);
  // An unknown key is not a bad value: the section's other checks still run.
  const typo = errorsOf(withBase({ selection: { filterRatio: 0.7, chunkz: 16 } })).map((e) => e.path);
  assert.deepEqual(typo.sort(), ['selection.chunkz', 'selection.filterRatio']);
});

test('warnings: hard-learner at high f, chunks not 16, f outside the paper\'s range, short runs, no evaluation', () => {
  assert.match(only(warningsOf(withBase({ selection: { score: 'hard-learner' }, reference: null })), 'selection.score', 'warning').message, /known to hurt at high filter ratios/);
  assert.match(only(warningsOf(withBase({ selection: { chunks: 8 } })), 'selection.chunks', 'warning').message, /the paper uses 16 chunks/);
  assert.deepEqual(warningsOf(withBase({ selection: { chunks: 8, method: 'independent' } })), []);
  assert.match(only(warningsOf(withBase({ training: { batchSize: 32 }, selection: { filterRatio: 0.95 } })), 'selection.filterRatio', 'warning').message, /beyond the paper's range/);
  assert.match(only(warningsOf(withBase({ selection: { filterRatio: 0 } })), 'selection.filterRatio', 'warning').message, /filters nothing/);
  const short = warningsOf(withBase({ training: { steps: 40 } }));
  assert.match(only(short, 'optimizer.warmupSteps', 'warning').message, /never reaches its peak/);
  assert.match(only(short, 'evaluation.every', 'warning').message, /only at its last step/);
  assert.match(only(warningsOf(withBase({ data: { eval: [] } })), 'data.eval', 'warning').message, /no evaluation sets/);
  assert.equal(errorsOf(withBase({ training: { steps: 40 } })).length, 0, 'warnings are not errors');
});
