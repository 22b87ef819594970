// The run folder's lock (src/runs/lock.ts) with real processes: a live holder refuses everyone
// else by pid, a dead one's lock (kill -9) is taken over, a reused pid does not keep a lock alive,
// and of several processes racing for one stale lock exactly one wins.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { acquireRunLock, lockHolder, LOCK_FILE, RunLockedError } from '../../src/runs/lock';
import { processStart } from '../../src/runs/process-identity';

const LOCK_JS = path.join(__dirname, '..', '..', 'src', 'runs', 'lock.js');
const tmp = (tag: string) => fs.mkdtempSync(path.join(os.tmpdir(), `jest-lock-${tag}-`));

/** A child that takes the lock, says so on stdout, and holds it until killed. */
function holder(dir: string) {
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(LOCK_JS)}).acquireRunLock(${JSON.stringify(dir)}, 'train'); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return { child, held };
}

test('a second trainer is refused while the first holds the folder, with its pid and how to stop it', () => {
  const dir = tmp('twice');
  const lock = acquireRunLock(dir, 'train');
  assert.throws(() => acquireRunLock(dir, 'resume'), (e: unknown) => {
    assert.ok(e instanceof RunLockedError);
    assert.match(e.message, new RegExp(`in use by a live trainer \\(pid ${process.pid}, "train" since .*\\).*kill -TERM ${process.pid}`));
    return true;
  });
  assert.equal(lockHolder(dir)?.pid, process.pid);
  lock.release();
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false, 'released: the file is gone');
  acquireRunLock(dir, 'resume').release();
});

test('a lock held by another live process refuses; once that process is killed -9, the lock is taken over', async () => {
  const dir = tmp('kill');
  const h = holder(dir);
  await h.held;
  assert.throws(() => acquireRunLock(dir, 'resume'), new RegExp(`pid ${h.child.pid}\\b`));
  h.child.kill('SIGKILL');
  await new Promise((r) => h.child.once('exit', r));
  assert.ok(fs.existsSync(path.join(dir, LOCK_FILE)), 'kill -9 leaves the lock behind');
  assert.equal(lockHolder(dir), null, 'its holder is gone');
  const lock = acquireRunLock(dir, 'resume');
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  lock.release();
});

test('a lock naming a live pid whose start time differs (a reused pid) is stale', () => {
  const dir = tmp('reused');
  // this very process, but "started" at another time: what a pid reused after a reboot looks like
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, started: `${processStart(process.pid)}-earlier`, command: 'train', since: 'then' }));
  acquireRunLock(dir, 'train').release();
  // and a pid that names no process at all
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout.trim()), started: 'linux:x:1', command: 'train', since: 'then' }));
  acquireRunLock(dir, 'train').release();
});

test('a lock from another machine (a shared drive) is never broken, and the message names that machine', () => {
  const dir = tmp('foreign');
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 17, started: 'linux:their-boot:1', command: 'train', since: 'then', host: 'gpu-node-7' }));
  assert.throws(() => acquireRunLock(dir, 'resume'), /in use by a trainer on another machine, gpu-node-7 \(pid \d+, "train" since then\).*If that machine is gone, delete .*lock/);
});

test('an owner whose start time cannot be read counts as alive while its pid exists', () => {
  const dir = tmp('unknown');
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, started: `unknown:${process.pid}:1`, command: 'train', since: 'then' }));
  assert.throws(() => acquireRunLock(dir, 'resume'), RunLockedError);
});

test('of eight processes racing for one stale lock, exactly one wins and the others name it', async () => {
  const dir = tmp('race');
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 17, started: 'linux:gone:1', command: 'train', since: 'then' }));
  const go = Date.now() + 700;
  const racers = Array.from({ length: 8 }, () =>
    spawn(
      process.execPath,
      ['-e', `while (Date.now() < ${go}); try { require(${JSON.stringify(LOCK_JS)}).acquireRunLock(${JSON.stringify(dir)}, 'train'); console.log('won'); setTimeout(() => {}, 1500); } catch (e) { console.log(e.name); }`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  const outs = await Promise.all(racers.map((c) => new Promise<string>((resolve) => { let s = ''; c.stdout.on('data', (d) => (s += d)); c.on('exit', () => resolve(s.trim())); })));
  assert.equal(outs.filter((o) => o === 'won').length, 1, outs.join(','));
  assert.equal(outs.filter((o) => o === 'RunLockedError').length, 7, outs.join(','));
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n !== LOCK_FILE), [], 'no lock.tmp-* or lock.break left');
});
