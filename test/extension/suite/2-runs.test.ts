// Runs: started by command on synthetic data, watched through the store, the runs view, the
// status bar and the dashboard; stopped with a checkpoint and resumed; runs started outside the
// window (a terminal) picked up from their folders.
import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, waitFor, workspaceDir, writeExperiment, type Api } from './helpers';

function treeLabels(a: Api): string[] {
  const out: string[] = [];
  for (const group of a.runsTree.getChildren()) for (const node of a.runsTree.getChildren(group)) out.push(String(a.runsTree.getTreeItem(node).label));
  return out;
}

describe('runs', () => {
  let tinyDir = '';

  it('Start Run trains the tiny experiment to the end, streaming events into the store', async () => {
    const a = await api();
    const uri = vscode.Uri.file(path.join(workspaceDir(), 'tiny.jest.json'));
    const seen: string[] = [];
    const sub = a.store.onDidAppendEvents(({ events }) => seen.push(...events.map((e) => e.type)));
    tinyDir = (await vscode.commands.executeCommand<string>('jestStudio.startRun', uri)) ?? '';
    assert.ok(tinyDir, 'startRun returns the run folder');
    assert.ok(a.manager.isOwned(tinyDir), 'a child process of this window');
    const done = await waitFor('the run to finish', () => {
      const s = a.store.get(tinyDir);
      return s && !s.live && s.status !== 'running' && s.status !== 'starting' ? s : undefined;
    }, 90_000);
    sub.dispose();
    assert.equal(done.status, 'finished', `status ${done.status}`);
    assert.equal(done.step, 20);
    assert.equal(done.totalSteps, 20);
    assert.ok(Number.isFinite(done.lastMetrics.loss));
    assert.ok(done.lastMetrics['held-out/zero-shot/top5'] !== undefined, `eval metrics: ${Object.keys(done.lastMetrics).join(', ')}`);
    for (const t of ['run-start', 'step', 'eval', 'snapshot', 'checkpoint', 'status']) assert.ok(seen.includes(t), `saw a ${t} event`);
    assert.equal(a.store.events(tinyDir).filter((e) => e.type === 'step').length, 20);
    assert.ok(fs.existsSync(path.join(tinyDir, 'models', 'image_encoder.onnx')));
  });

  it('the runs view lists the run with its status', async () => {
    const a = await api();
    await waitFor('the run in the tree', () => treeLabels(a).includes(path.basename(tinyDir)), 5_000);
    const group = a.runsTree.getChildren().find((g) => String(a.runsTree.getTreeItem(g).label) === 'tiny');
    assert.ok(group, 'an experiment node "tiny"');
    const item = a.runsTree.getChildren(group).map((n) => a.runsTree.getTreeItem(n)).find((i) => i.label === path.basename(tinyDir))!;
    assert.match(String(item.description), /^finished · 20\/20 · loss /);
    assert.equal(item.contextValue, 'jestRun.finished');
  });

  it('the dashboard receives the run\'s metrics', async () => {
    await vscode.commands.executeCommand('jestStudio.openDashboard', [tinyDir]);
    const state = await waitFor('metrics posted to the dashboard', async () => {
      const s = await vscode.commands.executeCommand<{ runDirs: string[]; points: Record<string, Record<string, number>>; fullStates: number }>('jestStudio._test.dashboardState');
      const pts = s?.points?.[tinyDir];
      return pts && Object.values(pts).some((n) => n > 0) ? s : undefined;
    }, 30_000, 250);
    assert.ok(state.runDirs.includes(tinyDir));
    assert.ok(state.fullStates >= 1, 'a full state was posted when the page said it was ready');
  });

  it('Stop Run stops a long run after its current step with a checkpoint; Resume continues it', async () => {
    const a = await api();
    const uri = writeExperiment('long', { training: { batchSize: 16, steps: 5000, seed: 1 }, evaluation: { every: 1000 }, checkpointEvery: 1000 });
    const dir = (await vscode.commands.executeCommand<string>('jestStudio.startRun', uri))!;
    await waitFor('a few steps', () => (a.store.get(dir)?.step ?? 0) >= 3, 60_000);
    assert.match(a.statusBar.text(), /JEST long: \d+\/5000/);
    await vscode.commands.executeCommand('jestStudio.stopRun', dir);
    const stopped = await waitFor('the run to stop', () => {
      const s = a.store.get(dir);
      return s && !s.live ? s : undefined;
    }, 60_000);
    assert.equal(stopped.status, 'stopped');
    assert.ok(stopped.step < 5000);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'latest.ckpt')), 'a checkpoint on stop');
    const status = JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'stopped');

    await vscode.commands.executeCommand('jestStudio.resumeRun', dir);
    await waitFor('steps after the resume', () => (a.store.get(dir)?.step ?? 0) >= stopped.step + 2 && a.store.get(dir)?.live, 60_000);
    const starts = a.store.events(dir).filter((e) => e.type === 'run-start').length;
    assert.equal(starts, 2, 'the resumed run appends to the same run');
    await vscode.commands.executeCommand('jestStudio.stopRun', dir);
    await waitFor('the resumed run to stop', () => a.store.get(dir)?.status === 'stopped' && !a.store.get(dir)?.live, 60_000);
  });

  it('a run started outside this window (a terminal) appears live from its folder, then finished', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension('jest-studio.jest-studio')!;
    const uri = writeExperiment('terminal', { training: { batchSize: 16, steps: 300, seed: 1 }, evaluation: { every: 1000 } });
    const dir = path.join(workspaceDir(), 'runs', 'terminal-run');
    const child = fork(path.join(ext.extensionPath, 'out', 'src', 'cli.js'), ['train', uri.fsPath, '--run-dir', dir], { cwd: workspaceDir(), stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    try {
      const live = await waitFor('the folder run, live', () => {
        const s = a.store.get(dir);
        return s?.live && s.step > 0 ? s : undefined;
      }, 60_000);
      assert.equal(a.manager.isOwned(dir), false);
      assert.equal(live.name, 'terminal');
      const end = await waitFor('the folder run to end', () => {
        const s = a.store.get(dir);
        return s && !s.live ? s : undefined;
      }, 90_000);
      assert.equal(end.status, 'finished');
      assert.equal(end.step, 300);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a run that dies says why', async () => {
    const a = await api();
    // a data folder that does not exist: the engine fails while preparing data
    const uri = writeExperiment('broken', { data: { train: { kind: 'folder', path: 'no-such-folder' }, curated: null, eval: [] } });
    const messages: string[] = [];
    const dir = await vscode.commands.executeCommand<string>('jestStudio.startRun', uri);
    if (!dir) {
      // refused before starting (validation found the problem): also a clear answer
      return;
    }
    const s = await waitFor('the run to fail', () => {
      const r = a.store.get(dir);
      return r && !r.live ? r : undefined;
    }, 60_000);
    assert.equal(s.status, 'failed');
    messages.push(s.status);
  });
});
