// The engine child process plumbing (extension/runs/child.ts): IPC run events are typed and
// validated, stderr arrives as lines (progress redraws split on \r too), exits are reported.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENGINE_PRIORITY, forkCli, isRunEventMessage, pidAlive, pidStopTarget, stopProcess } from '../../extension/runs/child';
import { isSameProcess, ownIdentity, processStart, type ProcessIdentity } from '../../src/runs/process-identity';

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

function identityOf(pid: number): ProcessIdentity {
  const started = processStart(pid);
  assert.ok(started, `the OS reports when pid ${pid} started`);
  return { pid, started };
}

test('process identity: this process matches itself; a pid with another start time, or none, does not', () => {
  const me = ownIdentity();
  assert.equal(me.pid, process.pid);
  assert.equal(isSameProcess(me), true);
  assert.equal(isSameProcess({ pid: process.pid, started: me.started + '0' }), false, 'same pid, other start: a reused pid');
  assert.equal(isSameProcess({ pid: process.pid }), false, 'a pid alone is no identity');
  assert.equal(isSameProcess({ pid: 2 ** 22 + 12345, started: me.started }), false);
});

test('stopProcess: SIGTERM first, SIGKILL after the grace period for a process that ignores it', async () => {
  const s = await stubborn();
  try {
    let killed = false;
    const r = stopProcess(identityOf(s.child.pid!), 300, () => (killed = true));
    assert.equal(r.stopping, true);
    assert.equal(await s.closed, 'SIGKILL');
    assert.ok(killed, 'onKill was told');
    assert.match(s.stderr(), /term/, 'SIGTERM came first');
    assert.equal(pidAlive(s.child.pid), false);
  } finally {
    s.child.kill('SIGKILL');
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('stopProcess signals nothing when the pid belongs to another process (reused pid, copied or crafted status.json)', async () => {
  const s = await stubborn();
  try {
    const r = stopProcess({ pid: s.child.pid!, started: 'linux:someone-else:42' }, 100, () => assert.fail('nothing to kill'));
    assert.equal(r.stopping, false);
    assert.match(!r.stopping ? r.why : '', /belongs to another process.*nothing was signalled/);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(pidAlive(s.child.pid), true, 'the unrelated process lives');
    assert.doesNotMatch(s.stderr(), /term/, 'not even SIGTERM reached it');
  } finally {
    s.child.kill('SIGKILL');
    await s.closed;
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('stopProcess says when the engine has already exited', async () => {
  const s = await stubborn();
  const id = identityOf(s.child.pid!);
  s.child.kill('SIGKILL');
  await s.closed;
  fs.rmSync(s.dir, { recursive: true, force: true });
  const r = stopProcess(id, 100, () => assert.fail('nothing to kill'));
  assert.deepEqual(r, { stopping: false, why: 'its engine process has already exited' });
});

function runFolder(status: object | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-pidstop-'));
  if (status) fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify(status));
  return dir;
}

test('pidStopTarget: a pid stop needs a trusted workspace and the identity the engine recorded', () => {
  const me = ownIdentity();
  const live = { status: 'running', step: 3, totalSteps: 10, updatedAt: '', ...me };
  const dir = runFolder(live);
  try {
    assert.deepEqual(pidStopTarget(dir, true), me);
    assert.match(String(pidStopTarget(dir, false)), /not trusted: JEST Studio signals no process a folder names/);
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'running', step: 3, totalSteps: 10, pid: process.pid }));
    assert.match(String(pidStopTarget(dir, true)), /names no process identity.*Ctrl-C/, 'a bare pid (older engine, or a crafted file) is refused');
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ ...live, status: 'finished' }));
    assert.match(String(pidStopTarget(dir, true)), /is not running \(its status is finished\)/);
    fs.rmSync(path.join(dir, 'status.json'));
    assert.match(String(pidStopTarget(dir, true)), /no readable status.json/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
