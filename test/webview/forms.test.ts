// The hyperparameter form's model: fields described by the experiment schema, values as the file
// says them (not defaults), the engine's diagnostics by field, edits that keep comments, and what a
// typed value means.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, modify } from 'jsonc-parser';
import { FORM_FIELDS, fieldSegments } from '../../protocol/hyperparameters';
import { fieldSpecs, formState } from '../../extension/panels/formFields';
import { parseFieldInput } from '../../webview/hyperparameters/parse';
import { sortedIndices } from '../../webview/inspector/sort';
import type { SnapshotRow } from '../../protocol/inspector';

const fmt = { tabSize: 2, insertSpaces: true, eol: '\n' };

test('every form field is described by the schema, with its kind, range and options', () => {
  const specs = fieldSpecs();
  assert.deepEqual(specs.map((s) => s.path), [...FORM_FIELDS]);
  const by = new Map(specs.map((s) => [s.path, s]));
  assert.equal(by.get('selection.method')?.kind, 'enum');
  assert.deepEqual(by.get('selection.method')?.options, ['uniform', 'independent', 'jest']);
  assert.equal(by.get('selection.filterRatio')?.kind, 'number');
  assert.equal(by.get('selection.filterRatio')?.exclusiveMaximum, 1);
  assert.equal(by.get('training.batchSize')?.kind, 'integer');
  assert.equal(by.get('flexi.enabled')?.kind, 'boolean');
  assert.equal(by.get('name')?.kind, 'string');
  assert.ok(specs.every((s) => s.description.length > 0));
});

test('the form shows what the file says, effective values as placeholders, and the engine\'s diagnostics', () => {
  const text = `{
  // my run
  "name": "icons-jest",
  "training": { "batchSize": 64 },
  "selection": { "filterRatio": 0.7 }
}`;
  const s = formState(text);
  assert.equal(s.values.name, 'icons-jest');
  assert.equal(s.values['selection.filterRatio'], 0.7);
  assert.equal(s.values['optimizer.lr'], undefined, 'a default is not a file value');
  assert.equal(s.effective['optimizer.lr'], 0.002);
  assert.ok(s.diagnostics.some((d) => d.path === 'selection.filterRatio' && d.severity === 'error'));
  assert.equal(s.readOnly, false);
  assert.equal(formState('{ "name": ').readOnly, true);
});

test('an edit as the panel makes it (jsonc modify at the field path) keeps comments, and the form reads it back', () => {
  const text = `{
  // keep me
  "name": "a", /* and me */
  "optimizer": {
    "lr": 0.002 // peak
  }
}`;
  const edit = (t: string, path: (typeof FORM_FIELDS)[number], value: number | undefined) => applyEdits(t, modify(t, fieldSegments(path), value, { formattingOptions: fmt }));
  const out = edit(text, 'optimizer.lr', 0.001);
  assert.ok(out.includes('// keep me') && out.includes('/* and me */') && out.includes('// peak'));
  assert.equal(formState(out).values['optimizer.lr'], 0.001);
  const added = edit(out, 'selection.filterRatio', 0.5);
  assert.equal(formState(added).values['selection.filterRatio'], 0.5);
  const removed = edit(added, 'optimizer.lr', undefined);
  assert.equal(formState(removed).values['optimizer.lr'], undefined);
});

test('typed input: empty means default, numbers in decimal notation only, integers whole', () => {
  assert.deepEqual(parseFieldInput({ kind: 'number' }, ' '), { kind: 'reset' });
  assert.deepEqual(parseFieldInput({ kind: 'number' }, '2e-3'), { kind: 'value', value: 0.002 });
  assert.deepEqual(parseFieldInput({ kind: 'integer' }, '64'), { kind: 'value', value: 64 });
  assert.equal(parseFieldInput({ kind: 'integer' }, '6.4').kind, 'invalid');
  assert.equal(parseFieldInput({ kind: 'number' }, '0x10').kind, 'invalid');
  assert.equal(parseFieldInput({ kind: 'number' }, '1e999').kind, 'invalid');
  assert.deepEqual(parseFieldInput({ kind: 'string' }, 'run-a'), { kind: 'value', value: 'run-a' });
  assert.equal(parseFieldInput({ kind: 'enum', options: ['a'] }, 'b').kind, 'invalid');
});

test('the batch inspector sorts by score, losses or order; missing values last; filters selected/rejected', () => {
  const row = (score: number, learnerLoss: number | null, selected: boolean, order: number): SnapshotRow => ({ row: 0, id: '', caption: '', label: '', learnerLoss, referenceLoss: null, score, selected, order });
  const rows = [row(0.1, 3, false, -1), row(0.9, null, true, 1), row(0.5, 1, true, 0)];
  assert.deepEqual(sortedIndices(rows, 'score', true), [1, 2, 0]);
  assert.deepEqual(sortedIndices(rows, 'learnerLoss', true), [0, 2, 1]);
  assert.deepEqual(sortedIndices(rows, 'learnerLoss', false), [2, 0, 1]);
  assert.deepEqual(sortedIndices(rows, 'order', false), [2, 1, 0]);
  assert.deepEqual(sortedIndices(rows, 'score', true, 'rejected'), [0]);
  assert.deepEqual(sortedIndices(rows, 'index', false, 'selected'), [1, 2]);
});
