// The webview message contracts: guards narrow by method, and every message FROM a webview passes
// a hand-written validator that refuses wrong types, oversized strings, unknown fields and run
// folders the host does not know (a webview is untrusted input).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpcRequest, MAX_STEP, MessageError, isIpcMessage, readyAction, validateReady } from '../../protocol/base';
import * as dashboard from '../../protocol/dashboard';
import { CHART_IDS, DidChangeStateNotification, ExportRequest, MAX_RUNS, OpenStepCommand, ReadyCommand, SetRunsCommand, validateExport, validateOpenStep, validateSetRuns } from '../../protocol/dashboard';
import * as hyperparameters from '../../protocol/hyperparameters';
import { FORM_FIELDS, validateResetValue, validateRun, validateSetValue, type FieldSpec } from '../../protocol/hyperparameters';
import * as inspector from '../../protocol/inspector';
import { SelectStepRequest, snapshotName, validateSelectStep } from '../../protocol/inspector';

const known = new Set(['/home/u/runs/a-20260101-000000', '/home/u/runs/b-20260101-000000']);

test('guards narrow by method name only, and refuse what is not a protocol message', () => {
  const msg = SetRunsCommand.create({ dirs: [] });
  assert.equal(msg.method, 'dashboard/runs/set');
  assert.ok(SetRunsCommand.is(msg));
  assert.ok(!ReadyCommand.is(msg));
  assert.ok(!DidChangeStateNotification.is(msg));
  for (const bad of [null, undefined, 42, 'dashboard/ready', [], { method: 5, params: {} }, { method: 'dashboard/ready' }, { method: '', params: {} }, { method: 'x'.repeat(101), params: {} }, { method: 'a', id: -1, params: {} }, { method: 'a', id: 1.5, params: {} }]) {
    assert.ok(!isIpcMessage(bad), JSON.stringify(bad));
    assert.ok(!ReadyCommand.is(bad));
  }
});

test('a request is answered by its completion notification, carrying the same id', () => {
  const req = new IpcRequest<{ a: number }, { b: number }>('scope', 'thing');
  assert.equal(req.completion.method, 'scope/thing/completion');
  const m = req.create({ a: 1 }, 7);
  const answer = req.completion.create({ b: 2 }, m.id);
  assert.equal(answer.id, 7);
  assert.ok(req.completion.is(answer));
  assert.equal(ExportRequest.completion.method, 'dashboard/export/completion');
  assert.equal(SelectStepRequest.completion.method, 'inspector/step/select/completion');
});

test('ready: an integer protocol version, nothing else', () => {
  assert.deepEqual(validateReady({ protocol: 1 }), { protocol: 1 });
  for (const bad of [null, {}, { protocol: '1' }, { protocol: 1.5 }, { protocol: -1 }, { protocol: 1, extra: true }, [1]]) assert.throws(() => validateReady(bad), MessageError);
});

test('ready: each webview protocol has a PROTOCOL_VERSION; another version gets a reload, not the state', () => {
  for (const m of [dashboard, inspector, hyperparameters] as { PROTOCOL_VERSION?: unknown }[]) {
    const v = m.PROTOCOL_VERSION;
    assert.ok(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1, `PROTOCOL_VERSION ${String(v)}`);
    assert.equal(readyAction(validateReady({ protocol: v }), v), 'state');
    assert.equal(readyAction(validateReady({ protocol: v - 1 }), v), 'reload', 'an older page');
    assert.equal(readyAction(validateReady({ protocol: v + 1 }), v), 'reload', 'a newer page');
  }
  // the dashboard's contract changed (step/open, the optimizer chart): a page from before says 1
  assert.equal(readyAction({ protocol: 1 }, dashboard.PROTOCOL_VERSION), 'reload');
});

test('step/open: a run this dashboard shows and a whole step in range, nothing else', () => {
  const [a, b] = [...known];
  const shown = new Set([a]);
  assert.equal(OpenStepCommand.method, 'dashboard/step/open');
  assert.deepEqual(validateOpenStep({ dir: a, step: 120 }, shown), { dir: a, step: 120 });
  assert.deepEqual(validateOpenStep({ dir: a, step: 0 }, shown), { dir: a, step: 0 });
  const hostile: unknown[] = [
    { dir: b, step: 1 },
    { dir: '/etc', step: 1 },
    { dir: `${a}/../b`, step: 1 },
    { dir: a, step: -1 },
    { dir: a, step: 1.5 },
    { dir: a, step: '1' },
    { dir: a, step: NaN },
    { dir: a, step: MAX_STEP + 1 },
    { dir: a },
    { step: 1 },
    { dir: a, step: 1, command: 'workbench.action.terminal.new' },
    [a, 1],
  ];
  for (const h of hostile) assert.throws(() => validateOpenStep(h, shown), MessageError, JSON.stringify(h));
  assert.ok(CHART_IDS.includes('optimizer'));
});

test('runs/set: only run folders the host knows, at most MAX_RUNS, duplicates dropped', () => {
  const [a, b] = [...known];
  assert.deepEqual(validateSetRuns({ dirs: [a, b, a] }, known), { dirs: [a, b] });
  assert.deepEqual(validateSetRuns({ dirs: [] }, known), { dirs: [] });
  const hostile: unknown[] = [
    { dirs: ['/etc'] },
    { dirs: [`${a}/../../..`] },
    { dirs: [`${a}/`] },
    { dirs: ['x'.repeat(5000)] },
    { dirs: [a, 42] },
    { dirs: a },
    { dirs: Array(MAX_RUNS + 1).fill(a) },
    { dirs: [a], more: 1 },
    { dirs: [{ toString: () => a }] },
    'dirs',
  ];
  for (const h of hostile) assert.throws(() => validateSetRuns(h, known), MessageError, JSON.stringify(h).slice(0, 80));
});

test('export: a PNG data: URL within the size cap, or a bare CSV intent', () => {
  assert.deepEqual(validateExport({ format: 'csv' }), { format: 'csv' });
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  assert.deepEqual(validateExport({ format: 'png', chart: 'loss', dataUrl: png }), { format: 'png', chart: 'loss', dataUrl: png });
  const hostile: unknown[] = [
    { format: 'csv', path: '/etc/passwd' },
    { format: 'svg', chart: 'loss', dataUrl: png },
    { format: 'png', chart: '../loss', dataUrl: png },
    { format: 'png', chart: 'loss', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' },
    { format: 'png', chart: 'loss', dataUrl: 'file:///etc/passwd' },
    { format: 'png', chart: 'loss', dataUrl: png + '<script>' },
    { format: 'png', chart: 'loss', dataUrl: 'data:image/png;base64,' + 'A'.repeat(33 * 1024 * 1024) },
    { format: 'png', chart: 'loss' },
  ];
  for (const h of hostile) assert.throws(() => validateExport(h), MessageError, JSON.stringify(h).slice(0, 80));
});

test('step/select: a whole step in range; file names are built from the integer', () => {
  assert.deepEqual(validateSelectStep({ step: 50 }), { step: 50 });
  for (const h of [{ step: '50' }, { step: -1 }, { step: 1e12 }, { step: NaN }, { step: 5.5 }, { step: 50, file: '../x' }, {}]) assert.throws(() => validateSelectStep(h), MessageError);
  assert.equal(snapshotName(50), 'step-000050');
  assert.equal(snapshotName(1234567), 'step-1234567');
});

test('value/set: only fields on the form, with the type the schema gives them; strings capped', () => {
  const spec = (path: FieldSpec['path'], kind: FieldSpec['kind'], options?: string[]): FieldSpec => ({ path, kind, options, group: 'g', label: path, description: '' });
  const fields = new Map<string, FieldSpec>([
    ['optimizer.lr', spec('optimizer.lr', 'number')],
    ['training.steps', spec('training.steps', 'integer')],
    ['selection.method', spec('selection.method', 'enum', ['uniform', 'independent', 'jest'])],
    ['flexi.enabled', spec('flexi.enabled', 'boolean')],
    ['name', spec('name', 'string')],
  ]);
  assert.deepEqual(validateSetValue({ path: 'optimizer.lr', value: 0.001 }, fields), { path: 'optimizer.lr', value: 0.001 });
  // out of range but well-typed goes through: the engine's diagnostic then shows on the field
  assert.deepEqual(validateSetValue({ path: 'training.steps', value: -5 }, fields), { path: 'training.steps', value: -5 });
  assert.deepEqual(validateSetValue({ path: 'selection.method', value: 'jest' }, fields), { path: 'selection.method', value: 'jest' });
  assert.deepEqual(validateSetValue({ path: 'flexi.enabled', value: true }, fields), { path: 'flexi.enabled', value: true });
  const hostile: unknown[] = [
    { path: 'optimizer.lr', value: '0.001' },
    { path: 'optimizer.lr', value: Infinity },
    { path: 'optimizer.lr', value: NaN },
    { path: 'training.steps', value: 1.5 },
    { path: 'selection.method', value: 'rm -rf' },
    { path: 'flexi.enabled', value: 1 },
    { path: 'name', value: 'x'.repeat(201) },
    { path: 'name', value: { toString: () => 'x' } },
    { path: 'data.train', value: { kind: 'folder', path: '/' } },
    { path: '__proto__', value: 1 },
    { path: 'reference.run', value: '/etc' },
    { path: 'optimizer.lr', value: 0.1, extra: 1 },
    { path: ['optimizer', 'lr'], value: 0.1 },
  ];
  for (const h of hostile) assert.throws(() => validateSetValue(h, fields), MessageError, JSON.stringify(h).slice(0, 80));
  assert.deepEqual(validateResetValue({ path: 'optimizer.lr' }), { path: 'optimizer.lr' });
  assert.throws(() => validateResetValue({ path: 'constructor' }), MessageError);
  assert.deepEqual(validateRun({}), {});
  assert.throws(() => validateRun({ uri: 'file:///etc/passwd' }), MessageError);
  assert.ok(FORM_FIELDS.length > 20);
});
