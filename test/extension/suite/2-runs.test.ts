// Runs: started by command on synthetic data, watched through the store, the runs view, the
// status bar and the dashboard; stopped with a checkpoint and resumed; runs started outside the
// window (a terminal) picked up from their folders.
import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, waitFor, workspaceDir, writeExperiment, type Api, command, commandShowingError, lastNotices } from './helpers';

function treeLabels(a: Api): string[] {
  const out: string[] = [];
  for (const group of a.runsTree.getChildren()) for (const node of a.runsTree.getChildren(group)) out.push(String(a.runsTree.getTreeItem(node).label));
  return out;
}

/** The Runs view's context value for a run (package.json's menus match on it), or undefined while it is not in the tree. */
function contextValueOf(a: Api, dir: string): string | undefined {
  for (const group of a.runsTree.getChildren()) for (const node of a.runsTree.getChildren(group)) {
    const item = a.runsTree.getTreeItem(node);
    if (item.id === dir) return item.contextValue;
  }
  return undefined;
}

/** Waits for the palette's context keys (set coalesced, after the store changes) to read `want`. */
function contextKeys(a: Api, want: Record<string, boolean>, what: string): Promise<Record<string, boolean>> {
  return waitFor(what, () => {
    const now = a.contextKeys.current();
    return Object.entries(want).every(([k, v]) => now[`jestStudio.${k}`] === v) ? now : undefined;
  }, 10_000);
}

describe('runs', () => {
  let tinyDir = '';

  it('Start Run trains the tiny experiment to the end, streaming events into the store', async () => {
    const a = await api();
    const uri = vscode.Uri.file(path.join(workspaceDir(), 'tiny.jest.json'));
    const seen: string[] = [];
    const sub = a.store.onDidAppendEvents(({ events }) => seen.push(...events.map((e) => e.type)));
    tinyDir = (await command<string>('jestStudio.startRun', uri)) ?? '';
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
    await command('jestStudio.openDashboard', [tinyDir]);
    const state = await waitFor('metrics posted to the dashboard', async () => {
      const s = await vscode.commands.executeCommand<{ runDirs: string[]; points: Record<string, Record<string, number>>; fullStates: number }>('jestStudio._test.dashboardState');
      const pts = s?.points?.[tinyDir];
      return pts && Object.values(pts).some((n) => n > 0) ? s : undefined;
    }, 30_000, 250);
    assert.ok(state.runDirs.includes(tinyDir));
    assert.ok(state.fullStates >= 1, 'a full state was posted when the page said it was ready');
  });

  it('a benchmark\'s runs (a group folder inside the runs folder, as bench:jest writes) show in the runs view and open together in the dashboard', async () => {
    const a = await api();
    const group = path.join(workspaceDir(), 'runs', 'bench-jest-quick');
    const seeds = ['tiny-s0', 'tiny-s1'].map((n) => path.join(group, n));
    for (const d of seeds) fs.cpSync(tinyDir, d, { recursive: true });
    a.store.refresh();
    await waitFor('the benchmark runs in the store', () => seeds.every((d) => a.store.get(d)?.status === 'finished') || undefined, 10_000);
    await waitFor('the benchmark runs in the tree', () => seeds.every((d) => treeLabels(a).includes(path.basename(d))) || undefined, 5_000);
    await command('jestStudio.openDashboard', seeds);
    const state = await waitFor('both benchmark runs posted to the dashboard', async () => {
      const s = await vscode.commands.executeCommand<{ runDirs: string[]; points: Record<string, Record<string, number>> }>('jestStudio._test.dashboardState');
      return seeds.every((d) => s?.runDirs.includes(d) && Object.values(s.points?.[d] ?? {}).some((n) => n > 0)) ? s : undefined;
    }, 30_000, 250);
    assert.deepEqual([...state.runDirs].sort(), [...seeds].sort());
  });

  it('Export Model and Precompute Reference Embeddings run the engine on the finished run', async () => {
    fs.rmSync(path.join(tinyDir, 'models', 'image_encoder.onnx'));
    const models = await command<string>('jestStudio.exportModel', tinyDir);
    assert.equal(models, path.join(tinyDir, 'models'));
    assert.ok(fs.existsSync(path.join(models, 'image_encoder.onnx')) && fs.existsSync(path.join(models, 'text_encoder.onnx')));
    const uri = writeExperiment('with-reference', { selection: { method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 2 }, reference: { run: path.relative(workspaceDir(), tinyDir), encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true } });
    const cache = await command<string>('jestStudio.precomputeReferenceEmbeddings', uri);
    assert.ok(cache && fs.existsSync(path.join(cache, 'image.f32')), `cache folder ${cache}`);
  });

  it('Inspect Batches opens on a run with selection snapshots', async () => {
    assert.ok(fs.readdirSync(path.join(tinyDir, 'batches')).some((f) => f.endsWith('.json')));
    const a = await api();
    await command('jestStudio.inspectBatches', tinyDir, 10);
    // the batch inspector's webview tab, titled with this run's name, is open and active
    const name = a.store.get(tinyDir)!.name;
    const tab = await waitFor('the batch inspector tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('jestStudio.batchInspector') && t.label === `Batches: ${name}`),
    10_000);
    assert.equal(tab.isActive, true);
    assert.deepEqual(lastNotices, [], 'nothing was refused or failed');
  });

  it('Choose Reference Model -> train a new one: a uniform run on the curated set, and the file points at it', async () => {
    const a = await api();
    const uri = writeExperiment('needs-ref', { selection: { method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 2 }, reference: { run: null, encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true } });
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(await command('jestStudio.chooseReferenceModel', uri, { train: true }), true);
    const refFile = path.join(workspaceDir(), 'needs-ref-reference.jest.json');
    const ref = JSON.parse(fs.readFileSync(refFile, 'utf8').replace(/^\/\/.*\n/gm, ''));
    assert.equal(ref.name, 'needs-ref-reference');
    assert.equal(ref.selection.method, 'uniform');
    assert.deepEqual(ref.data.train, { kind: 'synthetic', n: 200, seed: 1 });
    const run = JSON.parse(doc.getText().replace(/^\/\/.*\n/, '')).reference.run as string;
    assert.match(run, /^runs\/needs-ref-reference-/);
    const dir = path.join(workspaceDir(), run);
    const done = await waitFor('the reference run to end', () => {
      const r = a.store.get(dir);
      return r && !r.live && r.status !== 'starting' && r.status !== 'running' ? r : undefined;
    }, 90_000);
    assert.equal(done.status, 'finished');
    await doc.save();
  });

  it('Stop Run stops a long run after its current step with a checkpoint; Resume continues it', async () => {
    const a = await api();
    const uri = writeExperiment('long', { training: { batchSize: 16, steps: 5000, seed: 1 }, evaluation: { every: 1000 }, checkpointEvery: 1000 });
    const dir = (await command<string>('jestStudio.startRun', uri))!;
    await waitFor('a few steps', () => (a.store.get(dir)?.step ?? 0) >= 3, 60_000);
    // the status bar redraws at most four times a second
    await waitFor('the status bar to show the run', () => /JEST long: \d+\/5000/.test(a.statusBar.text()) || undefined, 5_000);
    // the palette offers Stop Run now; the tree offers Stop, not Resume, on this run
    // (every earlier run here finished: none is resumable yet)
    await contextKeys(a, { hasLiveRuns: true, hasResumableRuns: false, hasRuns: true }, 'jestStudio.hasLiveRuns to be set while the run is live');
    assert.match(contextValueOf(a, dir) ?? '', /^jestRun\.running\.live$/);
    await command('jestStudio.stopRun', dir);
    const stopped = await waitFor('the run to stop', () => {
      const s = a.store.get(dir);
      return s && !s.live ? s : undefined;
    }, 60_000);
    assert.equal(stopped.status, 'stopped');
    assert.ok(stopped.step < 5000);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'latest.ckpt')), 'a checkpoint on stop');
    const status = JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'stopped');
    // stopped with a checkpoint: Resume Run applies (palette and the tree's inline action), Stop Run does not
    await contextKeys(a, { hasLiveRuns: false, hasResumableRuns: true }, 'the context keys to flip: no live run, one resumable');
    await waitFor('the tree to mark the run resumable', () => contextValueOf(a, dir) === 'jestRun.stopped.resumable' || undefined, 5_000);

    await command('jestStudio.resumeRun', dir);
    await waitFor('steps after the resume', () => (a.store.get(dir)?.step ?? 0) >= stopped.step + 2 && a.store.get(dir)?.live, 60_000);
    await waitFor('the resumed run, live again in the tree', () => contextValueOf(a, dir) === 'jestRun.running.live' || undefined, 5_000);
    await contextKeys(a, { hasLiveRuns: true, hasResumableRuns: false }, 'the keys after the resume: live again, nothing to resume');
    const starts = a.store.events(dir).filter((e) => e.type === 'run-start').length;
    assert.equal(starts, 2, 'the resumed run appends to the same run');
    await command('jestStudio.stopRun', dir);
    await waitFor('the resumed run to stop', () => a.store.get(dir)?.status === 'stopped' && !a.store.get(dir)?.live, 60_000);
  });

  it('several runs at once: each its own process, the status bar counts them, each stops on its own', async () => {
    const a = await api();
    const long = { training: { batchSize: 16, steps: 5000, seed: 1 }, evaluation: { every: 1000 }, checkpointEvery: 1000 };
    const d1 = (await command<string>('jestStudio.startRun', writeExperiment('twin-a', long)))!;
    const d2 = (await command<string>('jestStudio.startRun', writeExperiment('twin-b', long)))!;
    await waitFor('both runs stepping', () => (a.store.get(d1)?.step ?? 0) >= 2 && (a.store.get(d2)?.step ?? 0) >= 2, 60_000);
    await waitFor('the status bar to count the second run', () => /\(\+1\)$/.test(a.statusBar.text()) || undefined, 5_000);
    await command('jestStudio.stopRun', d1);
    await waitFor('the first to stop', () => a.store.get(d1)?.status === 'stopped' && !a.store.get(d1)?.live, 60_000);
    assert.equal(a.store.get(d2)?.live, true, 'the other keeps running');
    await command('jestStudio.stopRun', d2);
    await waitFor('the second to stop', () => a.store.get(d2)?.status === 'stopped' && !a.store.get(d2)?.live, 60_000);
  });

  it('a run started outside this window (a terminal) appears live from its folder, then finished', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension('jest-studio.jest-studio')!;
    const uri = writeExperiment('terminal', { training: { batchSize: 16, steps: 300, seed: 1 }, evaluation: { every: 1000 } });
    const dir = path.join(workspaceDir(), 'runs', 'terminal-run');
    // the engine as the installed extension ships it (dist/cli.js in the VSIX; out/src/cli.js in a checkout)
    const cli = [path.join(ext.extensionPath, 'dist', 'cli.js'), path.join(ext.extensionPath, 'out', 'src', 'cli.js')].find((f) => fs.existsSync(f))!;
    const child = fork(cli, ['train', uri.fsPath, '--run-dir', dir], { cwd: workspaceDir(), stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
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

  it('a run that dies says why (the engine\'s own message, in the end event and the log)', async () => {
    const a = await api();
    // a data folder that does not exist: valid to the schema, the engine fails while preparing data
    const uri = writeExperiment('broken', { data: { train: { kind: 'folder', path: 'no-such-folder' }, curated: null, eval: [] } });
    const ended = new Promise<{ dir: string; status: string; reason?: string }>((resolve) => {
      const sub = a.manager.onDidEndRun((r) => {
        if (r.dir.includes('broken')) {
          sub.dispose();
          resolve(r);
        }
      });
    });
    const dir = await command<string>('jestStudio.startRun', uri);
    assert.ok(dir, 'started (the schema allows the folder; only the engine finds it missing)');
    const end = await Promise.race([ended, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no end event in 60 s')), 60_000))]);
    assert.equal(end.status, 'failed');
    assert.match(end.reason ?? '', /exited with code 1: image folder not found: .*no-such-folder/);
    assert.equal(a.store.get(dir)?.status, 'failed');
    assert.equal(a.store.get(dir)?.live, false);
  });

  it('a folder that says running but whose process is gone reads as died, not live', async () => {
    const a = await api();
    const dir = path.join(workspaceDir(), 'runs', 'ghost-run');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '');
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'running', step: 7, totalSteps: 20, pid: 999999, updatedAt: new Date().toISOString() }));
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ id: 'x', name: 'ghost', createdAt: new Date().toISOString(), engine: '0.1.0' }));
    a.store.refresh();
    const s = await waitFor('the ghost run', () => a.store.get(dir), 10_000);
    assert.equal(s.live, false);
    assert.equal(s.status, 'died');
    assert.equal(s.step, 7);
  });

  it('an error a command shows the user itself is seen by the tests: Resume on a run with no checkpoint', async () => {
    const dir = path.join(workspaceDir(), 'runs', 'ghost-run');
    await assert.rejects(command('jestStudio.resumeRun', dir), /jestStudio\.resumeRun failed: error: Cannot resume: ghost-run has no checkpoint to resume from/);
    const shown = await commandShowingError('jestStudio.resumeRun', dir);
    assert.equal(shown.length, 1, 'one notification');
  });
});

describe('extension host hygiene', () => {
  it('after all of the above, the extension host has never loaded onnxruntime-node or sharp', () => {
    // the engine's native modules belong in its child processes: a crash there never takes the editor down
    const loaded = Object.keys(require.cache);
    const ext = vscode.extensions.getExtension('jest-studio.jest-studio')!;
    const main = path.join(ext.extensionPath, String(ext.packageJSON.main));
    assert.ok(loaded.includes(main), `the cache is the extension host's (it holds the extension's main, ${main})`);
    const native = loaded.filter((k) => /node_modules[\\/](onnxruntime-node|onnxruntime-common|sharp)[\\/]/.test(k));
    assert.deepEqual(native, []);
  });
});
