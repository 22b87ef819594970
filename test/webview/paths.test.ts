// Files a panel reads or serves for a webview stay inside the run folder: lexical containment,
// symlinks resolved, and the snapshot's own sheet name must be a bare step-N.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isBareFileName, isInside, isInsideReal } from '../../extension/panels/paths';
import { listSnapshotSteps, readSnapshot } from '../../extension/panels/snapshots';
import { restoredDashboardDirs, restoredDocumentUri, restoredInspector } from '../../extension/panels/restore';

function runFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-panels-'));
  fs.mkdirSync(path.join(dir, 'batches'));
  return dir;
}

function writeSnapshot(dir: string, step: number, sheetFile: string): void {
  const name = `step-${String(step).padStart(6, '0')}`;
  fs.writeFileSync(path.join(dir, 'batches', `${name}.png`), 'png');
  const rows = [0, 1, 2].map((i) => ({ row: i, id: `e${i}`, caption: `caption ${i}`, label: 'l', noise: i === 2 ? 'mismatched' : 'clean', learnerLoss: 1 + i, referenceLoss: 0.5, score: 0.5 + i, selected: i !== 1, order: i === 0 ? 0 : i === 2 ? 1 : -1 }));
  fs.writeFileSync(path.join(dir, 'batches', `${name}.json`), JSON.stringify({ step, pool: '/p', imageSize: 16, sheet: { file: sheetFile, columns: 16, cell: 16 }, rows, selectedScores: [[1, 2], [3, 4]] }));
}

test('isInside: the folder itself and what is below it; not siblings, parents or prefixes', () => {
  assert.ok(isInside('/r/run', '/r/run'));
  assert.ok(isInside('/r/run', '/r/run/batches/step-000001.png'));
  assert.ok(!isInside('/r/run', '/r/run/../other'));
  assert.ok(!isInside('/r/run', '/r/run-2/x'));
  assert.ok(!isInside('/r/run', '/etc/passwd'));
});

test('isInsideReal: a symlink inside the folder that points outside is refused', () => {
  const dir = runFolder();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.png'), 'x');
  fs.symlinkSync(path.join(outside, 'secret.png'), path.join(dir, 'batches', 'step-000009.png'));
  assert.ok(!isInsideReal(path.join(dir, 'batches'), path.join(dir, 'batches', 'step-000009.png')));
  assert.ok(!isInsideReal(dir, path.join(dir, 'missing')));
});

test('bare file names only', () => {
  const png = /^step-\d+\.png$/;
  assert.ok(isBareFileName('step-000050.png', png));
  for (const bad of ['../step-000050.png', '/abs/step-1.png', 'a/step-1.png', '..', 'step-1.png/..', 42, null, 'x'.repeat(300)]) assert.ok(!isBareFileName(bad, png), String(bad));
});

test('snapshots: listed from the folder, read with the sheet resolved inside batches/', async () => {
  const dir = runFolder();
  writeSnapshot(dir, 50, 'step-000050.png');
  writeSnapshot(dir, 100, 'step-000100.png');
  fs.writeFileSync(path.join(dir, 'batches', 'notes.json'), '{}');
  assert.deepEqual(await listSnapshotSteps(dir), [50, 100]);
  const { snapshot } = await readSnapshot(dir, 50);
  assert.equal(snapshot.sheet.file, path.join(dir, 'batches', 'step-000050.png'));
  assert.equal(snapshot.sheet.columns, 3, 'the engine caps columns at the row count');
  assert.equal(snapshot.rows.length, 3);
  assert.equal(snapshot.rows[2].noise, 'mismatched');
  assert.equal(snapshot.rows[0].noise, null, "'clean' is not noise");
  assert.deepEqual(snapshot.selectedScores, [[1, 2], [3, 4]]);
  assert.deepEqual(await listSnapshotSteps(path.join(dir, 'nope')), []);
});

test('snapshots: a sheet name that escapes the folder, or a missing step, is an error', async () => {
  const dir = runFolder();
  writeSnapshot(dir, 1, '../../../etc/passwd');
  await assert.rejects(readSnapshot(dir, 1), /not a contact sheet name/);
  writeSnapshot(dir, 2, 'step-000099.png'); // names a sheet that does not exist
  await assert.rejects(readSnapshot(dir, 2), /missing/);
  await assert.rejects(readSnapshot(dir, 3));
});

test('restored webview state is shape-checked: paths are strings, steps whole, documents *.jest.json', () => {
  assert.deepEqual(restoredDashboardDirs({ dirs: ['/a', 5, '', 'x'.repeat(5000), '/b\0c', '/b'] }, 10), ['/a', '/b']);
  assert.deepEqual(restoredDashboardDirs({ dirs: '/a' }, 10), []);
  assert.deepEqual(restoredDashboardDirs(null, 10), []);
  assert.deepEqual(restoredInspector({ runDir: '/r', step: 50 }, 1e9), { runDir: '/r', step: 50 });
  assert.deepEqual(restoredInspector({ runDir: '/r', step: -3 }, 1e9), { runDir: '/r', step: undefined });
  assert.equal(restoredInspector({ runDir: 7 }, 1e9), null);
  assert.equal(restoredDocumentUri({ uri: 'file:///w/exp.jest.json' }), 'file:///w/exp.jest.json');
  assert.equal(restoredDocumentUri({ uri: 'file:///etc/passwd' }), null);
  assert.equal(restoredDocumentUri({ uri: 'https://evil.example/x.jest.json' }), null);
  assert.equal(restoredDocumentUri({ uri: 'vscode-remote://ssh-remote+gpu/w/a.jest.json' }), 'vscode-remote://ssh-remote+gpu/w/a.jest.json');
});
