// The experiment files shipped in examples/ parse without a single error or warning.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../../src/config/validate';

const dir = path.resolve(__dirname, '../../../examples');

test('every example experiment file is valid', () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jest.json'));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const { diagnostics } = parseExperiment(fs.readFileSync(path.join(dir, f), 'utf8'), f);
    assert.deepEqual(diagnostics.map((d) => `${d.path}: ${d.message}`), [], f);
  }
});
