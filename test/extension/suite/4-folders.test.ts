// Run folders are the folder's word only: a status.json that names a pid (copied from another
// machine, left from before a reboot, or crafted in a cloned repository) must never get an
// unrelated process signalled by Stop Run. The engine records its pid AND its process start time;
// the editor signals only a pid whose start time the OS confirms (extension/runs/child.ts), and
// never from an untrusted workspace.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, command, commandShowingError, lastNotices, waitFor, workspaceDir } from './helpers';

/** An unrelated long-lived process: the one a crafted status.json would point Stop at. */
async function bystander(): Promise<{ child: ChildProcess; exited: () => boolean }> {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  let gone = false;
  child.on('exit', () => (gone = true));
  await waitFor('the bystander to start', () => child.pid !== undefined && fs.existsSync(`/proc/${child.pid}`), 5000);
  return { child, exited: () => gone };
}

/** What the engine would record for this pid on Linux (src/runs/process-identity.ts), read the same way. */
function linuxStart(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return `linux:${fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${ticks}`;
}

function craftedRun(name: string, status: Record<string, unknown>): string {
  const dir = path.join(workspaceDir(), 'runs', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '');
  fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'running', step: 3, totalSteps: 100, updatedAt: new Date().toISOString(), ...status }));
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: name, name, createdAt: new Date().toISOString(), engine: '0.1.0' }));
  return dir;
}

async function stopAndWatch(dir: string, b: { exited: () => boolean }, why: RegExp): Promise<void> {
  await command('jestStudio.stopRun', dir);
  const refusal = lastNotices.find((n) => n.kind === 'refused')?.message ?? '';
  assert.match(refusal, why, 'Stop says why it signalled nothing');
  // a SIGTERM would end `sleep` at once; give it time to arrive
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(b.exited(), false, 'the unrelated process is still running');
}

describe('run folders name processes, they do not own them', function () {
  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  it('a crafted status.json with a bare pid: the run may read as live, but Stop signals nothing', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const a = await api();
    const b = await bystander();
    try {
      const dir = craftedRun('crafted-bare-pid', { pid: b.child.pid });
      await a.store.refresh();
      await waitFor('the crafted run', () => a.store.get(dir), 10_000);
      await stopAndWatch(dir, b, /names no process identity/);
    } finally {
      b.child.kill('SIGKILL');
    }
  });

  it('a pid that now belongs to another process (start time differs) reads as ended, and Stop signals nothing', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const a = await api();
    const b = await bystander();
    try {
      const dir = craftedRun('crafted-reused-pid', { pid: b.child.pid, started: 'linux:another-boot:12345' });
      await a.store.refresh();
      const s = await waitFor('the crafted run', () => a.store.get(dir), 10_000);
      assert.equal(s.live, false, 'not live: the engine that wrote it is gone');
      assert.equal(s.status, 'died');
      await stopAndWatch(dir, b, /belongs to another process.*nothing was signalled/);
    } finally {
      b.child.kill('SIGKILL');
    }
  });

  it('[untrusted] a folder naming a live process exactly is followed, but Stop by pid is refused', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    const a = await api();
    const b = await bystander();
    try {
      const dir = craftedRun('crafted-untrusted', { pid: b.child.pid, started: linuxStart(b.child.pid!) });
      await a.store.refresh();
      const s = await waitFor('the crafted run, live', () => a.store.get(dir)?.live && a.store.get(dir), 10_000);
      assert.equal(s.live, true);
      await stopAndWatch(dir, b, /this workspace is not trusted/);
    } finally {
      b.child.kill('SIGKILL');
      fs.rmSync(path.join(workspaceDir(), 'runs'), { recursive: true, force: true });
    }
  });
});

describe('run folders take one trainer', () => {
  it('Resume of a folder whose lock a live trainer holds is refused, naming its pid, and starts nothing', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    const a = await api();
    const b = await bystander(); // stands in for a trainer started from a terminal
    try {
      const dir = craftedRun('locked-by-terminal', { status: 'stopped' });
      fs.mkdirSync(path.join(dir, 'checkpoints'));
      fs.writeFileSync(path.join(dir, 'checkpoints', 'latest.ckpt'), 'x');
      fs.writeFileSync(path.join(dir, 'lock'), JSON.stringify({ pid: b.child.pid, started: linuxStart(b.child.pid!), command: 'train', since: 'then', host: os.hostname() }));
      await a.store.refresh();
      const shown = await commandShowingError('jestStudio.resumeRun', dir);
      assert.match(shown[0].message, new RegExp(`Cannot resume: .*locked-by-terminal is in use by a live trainer \\(pid ${b.child.pid}, "train"`));
      assert.equal(a.store.get(dir)?.live ?? false, false, 'nothing was started');
      assert.equal(b.exited(), false);
    } finally {
      b.child.kill('SIGKILL');
    }
  });
});
