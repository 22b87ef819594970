// The "New Experiment" template: a commented file that parses without a single diagnostic, says
// each section in the paper's words, and carries DEFAULT_EXPERIMENT's values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_EXPERIMENT } from '../../src/config/experiment';
import { EXPERIMENT_TEMPLATE, experimentTemplate } from '../../src/config/template';
import { parseExperiment } from '../../src/config/validate';

test('the template parses with no errors and no warnings', () => {
  assert.deepEqual(parseExperiment(EXPERIMENT_TEMPLATE).diagnostics, []);
  const named = experimentTemplate({ name: 'emoji-jest', referenceRun: '../runs/emoji-reference', schema: '../media/experiment.schema.json' });
  const { experiment, diagnostics } = parseExperiment(named);
  assert.deepEqual(diagnostics, []);
  assert.equal(experiment.name, 'emoji-jest');
  assert.equal(experiment.reference?.run, '../runs/emoji-reference');
});

test('the template writes out every section with the default values', () => {
  const { experiment } = parseExperiment(EXPERIMENT_TEMPLATE);
  for (const section of ['model', 'optimizer', 'training', 'selection', 'flexi', 'runtime', 'evaluation'] as const) {
    assert.deepEqual(experiment[section], DEFAULT_EXPERIMENT[section], section);
    assert.match(EXPERIMENT_TEMPLATE, new RegExp(`\\n  "${section}": \\{`), `${section} is written out, not left to defaults`);
  }
  assert.deepEqual(experiment.data.train, DEFAULT_EXPERIMENT.data.train);
});

test('a comment above every section explains it in the paper\'s words', () => {
  const lines = EXPERIMENT_TEMPLATE.split('\n');
  lines.forEach((line, i) => {
    if (/^ {2}"[a-zA-Z]+": /.test(line) && !/^ {2}"(snapshotEvery|checkpointEvery|checkpointKeep)"/.test(line)) {
      assert.match(lines[i - 1], /^\s*\/\//, `no comment above: ${line}`);
    }
  });
  for (const words of ['learner', 'reference', 'SUPER-BATCH', 'FILTER', 'CHUNKS', 'learnability', 'FLEXI-JEST']) assert.ok(EXPERIMENT_TEMPLATE.includes(words), words);
});
