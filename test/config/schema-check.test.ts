// The schema pass is ajv, with JSON Schema's semantics: oneOf means exactly one alternative, and
// only a schema's own properties are fields (no names borrowed from Object.prototype). Both were
// wrong in the hand-written walker this replaced; the messages stay the engine's own.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parse } from 'jsonc-parser';
import type { SchemaNode } from '../../src/config/schema';
import { checkSchema } from '../../src/config/schema-check';
import { parseExperiment } from '../../src/config/validate';
import { assertAt, diagnosticsOf, only } from './helpers';

const root = path.resolve(__dirname, '..', '..', '..');

/** `size` is a number ≥ 0 or a whole number ≤ 10: 3 is both. */
const sized = (union: 'oneOf' | 'anyOf'): SchemaNode => ({
  type: 'object',
  additionalProperties: false,
  properties: { size: { [union]: [{ type: 'number', minimum: 0 }, { type: 'integer', maximum: 10 }] } },
});
const ONE_OF = sized('oneOf');
const ANY_OF = sized('anyOf');

test('oneOf: a value that two alternatives accept is an error naming both; anyOf accepts it', () => {
  const [p, ...more] = checkSchema({ size: 3 }, ONE_OF);
  assert.deepEqual(more, []);
  assert.deepEqual(p.path, ['size']);
  assert.match(p.message, /^3 matches 2 of the alternatives \(a number ≥ 0; a whole number ≤ 10\) but must match exactly one/);
  assert.deepEqual(p.invalid, ['size'], 'the value is unusable: it takes its default');
  assert.deepEqual(checkSchema({ size: 3 }, ANY_OF), []);
});

test('oneOf: a value exactly one alternative accepts passes; none is an error about the alternative it means', () => {
  assert.deepEqual(checkSchema({ size: 0.5 }, ONE_OF), [], 'only the number');
  assert.deepEqual(checkSchema({ size: 20 }, ONE_OF), [], 'only the number (over 10)');
  assert.deepEqual(checkSchema({ size: -3 }, ONE_OF), [], 'only the whole number (under 0)');
  const [p] = checkSchema({ size: -0.5 }, ONE_OF);
  assert.match(p.message, /expected a number ≥ 0, got -0\.5/, 'a fraction can only mean the number alternative');
  assert.match(checkSchema({ size: 'big' }, ONE_OF)[0].message, /expected a number ≥ 0 or a whole number ≤ 10, got the string "big"/);
});

test('field names that Object.prototype also has are unknown fields, not silently accepted', () => {
  const text = '{ "constructor": 1, "selection": { "toString": 0.5 }, "__proto__": { "name": "x" } }';
  const diagnostics = diagnosticsOf(text);
  const top = only(diagnostics, 'constructor');
  assertAt(top, text, '"constructor"');
  assert.match(top.message, /^unknown field "constructor": expected one of "\$schema", "name"/);
  assert.match(only(diagnostics, 'selection.toString').message, /^unknown field "toString" in selection/);
  assert.match(only(diagnostics, '__proto__').message, /^unknown field "__proto__"/);
  const { experiment } = parseExperiment(text);
  assert.equal(Object.getPrototypeOf(experiment), Object.prototype, 'a "__proto__" field never becomes the prototype');
  assert.equal(experiment.name, 'experiment');
  assert.ok(!Object.prototype.hasOwnProperty.call(experiment, 'constructor'));
});

test('a bad source reports the kind it is, not every kind it is not', () => {
  // ajv alone lists ten alternatives' errors here; the user wrote a folder without a path
  const text = '{ "data": { "train": { "kind": "folder", "labelFromFolder": "yes" } } }';
  const errors = diagnosticsOf(text).filter((d) => d.severity === 'error' && d.kind === 'schema');
  assert.deepEqual(errors.map((d) => d.path).sort(), ['data.train.labelFromFolder', 'data.train.path']);
  assert.match(only(errors, 'data.train.labelFromFolder').message, /expected true or false, got the string "yes"/);
});

test('media/experiment.schema.json, as VS Code reads it, compiles strictly and accepts every example file', () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(root, 'media', 'experiment.schema.json'), 'utf8')) as SchemaNode;
  const files = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.jest.json'));
  assert.ok(files.length >= 2);
  for (const f of files) assert.deepEqual(checkSchema(parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8')), shipped), [], f);
  assert.match(checkSchema({ data: { train: { kind: 'builtin', name: 'emojis' } } }, shipped)[0].message, /unknown name "emojis".*did you mean "emoji"\?/);
});
