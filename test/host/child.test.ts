// The engine child process plumbing (extension/runs/child.ts): IPC run events are typed and
// validated, stderr arrives as lines (progress redraws split on \r too), exits are reported.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENGINE_PRIORITY, forkCli, isRunEventMessage, pidAlive, stopPid } from '../../extension/runs/child';

test('isRunEventMessage accepts only { kind: "run-event", event: { type } }', () => {
  assert.equal(isRunEventMessage({ kind: 'run-event', event: { type: 'step' } }), true);
  assert.equal(isRunEventMessage({ kind: 'run-event', event: null }), false);
  assert.equal(isRunEventMessage({ kind: 'other', event: { type: 'step' } }), false);
  assert.equal(isRunEventMessage('run-event'), false);
  assert.equal(isRunEventMessage(null), false);
});

test('forkCli relays IPC events, stderr lines and the exit code', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-child-'));
  const script = path.join(dir, 'fake-cli.js');
  fs.writeFileSync(
    script,
    `process.stderr.write('loading\\nstep 1\\rstep 2\\r');
     process.send({ kind: 'run-event', event: { v: 1, time: 0, type: 'status', status: 'running', step: 0 } });
     process.send({ kind: 'noise' });
     process.stderr.write('last words');
     setTimeout(() => process.exit(3), 50);`,
  );
  const events: unknown[] = [];
  const lines: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    forkCli(script, [], dir, { onEvent: (e) => events.push(e), onStderr: (l) => lines.push(l), onExit: (c) => resolve(c), onError: reject });
  });
  assert.equal(code, 3);
  assert.deepEqual(events, [{ v: 1, time: 0, type: 'status', status: 'running', step: 0 }]);
  assert.deepEqual(lines, ['loading', 'step 1', 'step 2', 'last words']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('forkCli starts the engine below normal priority, and threads it starts later inherit it', { skip: process.platform !== 'linux' && 'thread priorities are checked on Linux' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-prio-'));
  const script = path.join(dir, 'fake-cli.js');
  // like the engine: its worker threads (onnxruntime's) start after the CLI has loaded
  fs.writeFileSync(
    script,
    `const os = require('os');
     const { Worker } = require('worker_threads');
     setTimeout(() => {
       const w = new Worker("require('worker_threads').parentPort.postMessage(require('os').getPriority(0))", { eval: true });
       w.on('message', (p) => { process.stderr.write('main ' + os.getPriority(0) + ' worker ' + p + '\\n'); process.exit(0); });
     }, 300);`,
  );
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    forkCli(script, [], dir, { onEvent: () => undefined, onStderr: (l) => lines.push(l), onExit: () => resolve(), onError: reject });
  });
  assert.deepEqual(lines, [`main ${ENGINE_PRIORITY} worker ${ENGINE_PRIORITY}`]);
  assert.equal(ENGINE_PRIORITY, 10);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('pidAlive: this process yes, a pid that cannot exist no', () => {
  assert.equal(pidAlive(process.pid), true);
  assert.equal(pidAlive(undefined), false);
  assert.equal(pidAlive(2 ** 22 + 12345), false);
});

/** A node process that ignores SIGTERM (an engine stuck in a long step) and says so when it gets one. */
async function stubborn(): Promise<{ child: import('node:child_process').ChildProcess; stderr: () => string; closed: Promise<NodeJS.Signals | null>; dir: string }> {
  const { spawn } = await import('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-stop-'));
  const script = path.join(dir, 'stubborn.js');
  fs.writeFileSync(script, `process.on('SIGTERM', () => process.stderr.write('term\\n')); process.stderr.write('ready\\n'); setInterval(() => {}, 1000);`);
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), err.includes('ready') && resolve())));
  return { child, stderr: () => err, closed, dir };
}

test('stopPid: SIGTERM first, SIGKILL after the grace period for a process that ignores it', async () => {
  const s = await stubborn();
  try {
    let killed = false;
    assert.ok(stopPid(s.child.pid!, 300, () => true, () => (killed = true)));
    assert.equal(await s.closed, 'SIGKILL');
    assert.ok(killed, 'onKill was told');
    assert.match(s.stderr(), /term/, 'SIGTERM came first');
    assert.equal(pidAlive(s.child.pid), false);
  } finally {
    s.child.kill('SIGKILL');
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('stopPid leaves a pid alone once it no longer belongs to the run, and says when the process is gone', async () => {
  const s = await stubborn();
  try {
    let killed = false;
    assert.ok(stopPid(s.child.pid!, 200, () => false, () => (killed = true)));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(killed, false);
    assert.equal(pidAlive(s.child.pid), true);
  } finally {
    s.child.kill('SIGKILL');
    await s.closed;
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  assert.equal(stopPid(s.child.pid!, 200, () => true, () => assert.fail('nothing to kill')), null);
});
