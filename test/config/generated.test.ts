// The committed schema file (read by VS Code) and the docs' field tables are generated from
// src/config/schema.ts; these fail when someone edits the schema and forgets `npm run schema`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DOCS_FILE, SCHEMA_FILE, schemaJson, withFieldTables } from '../../scripts/write-schema';

const root = path.resolve(__dirname, '..', '..', '..');
const RUN = 'out of date: run `npm run schema` and commit the result';

test('media/experiment.schema.json is up to date with src/config/schema.ts', () => {
  assert.equal(readFileSync(path.join(root, SCHEMA_FILE), 'utf8'), schemaJson(), `${SCHEMA_FILE} is ${RUN}`);
});

test('the field tables in docs/experiment-file.md are up to date with src/config/schema.ts', () => {
  const docs = readFileSync(path.join(root, DOCS_FILE), 'utf8');
  assert.equal(docs, withFieldTables(docs), `${DOCS_FILE} is ${RUN}`);
});
