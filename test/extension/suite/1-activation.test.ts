// The extension activates, registers exactly the commands it contributes, and brings its
// authoring help to *.jest.json files: the engine's diagnostics and undoable edits.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, command, commandShowingError, EXTENSION_ID, lastNotices, waitFor, workspaceDir, writeExperiment } from './helpers';

describe('activation and authoring', () => {
  it('activates on the workspace and returns its API', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension present');
    // by itself, before anything here calls activate(): the workspace holds tiny.jest.json
    assert.ok((ext.packageJSON.activationEvents as string[]).includes('workspaceContains:**/*.jest.json'));
    await waitFor('the extension to activate on the workspace', () => ext.isActive, 30_000);
    const a = await api();
    assert.equal(typeof a.store.list, 'function');
    // The 150 ms budget is reported, not asserted (timing on a shared machine is no verdict; npm run
    // bench:e2e measures it). What is asserted: the three were measured (finite, not negative, and
    // evaluating modules and activating both take time), and nothing in activation waits on disk
    // or a child process (a bound of seconds, not the budget: the run folders are read after it returns).
    const { loadMs, waitMs, activateMs } = a.activation;
    for (const [k, v] of Object.entries({ loadMs, waitMs, activateMs })) assert.ok(Number.isFinite(v) && v >= 0, `${k} = ${v}`);
    assert.ok(loadMs > 0 && activateMs > 0, `measured: load ${loadMs} ms, activate ${activateMs} ms`);
    assert.ok(loadMs + activateMs < 5000, `activation took ${(loadMs + activateMs).toFixed(0)} ms: something in it blocks (the budget is 150 ms)`);
    console.log(`activation: modules evaluated in ${loadMs.toFixed(1)} ms + activate() ${activateMs.toFixed(1)} ms = ${(loadMs + activateMs).toFixed(1)} ms (budget 150 ms); VS Code's own work in between: ${waitMs.toFixed(1)} ms; from ${ext.packageJSON.main}`);
  });

  it('registers every contributed command, and contributes every command it registers', async () => {
    await api();
    const contributed: string[] = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 12, `${contributed.length} commands contributed`);
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('jestStudio.') && !c.startsWith('jestStudio._test.') && !c.startsWith('jestStudio.runs.'));
    assert.deepEqual([...contributed].sort(), [...new Set(registered)].sort());
    for (const c of (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { category: string }[])) assert.equal(c.category, 'JEST');
  });

  it('a command that fails tells the user once, and the suite sees the failure (executeCommand alone resolves)', async () => {
    await api();
    // openTextDocument rejects on a file that does not exist: the handler's error, caught by the wrapper
    const missing = vscode.Uri.file(path.join(workspaceDir(), 'no-such-file.jest.json'));
    await assert.rejects(command('jestStudio.openHyperparameterPanel', missing), /jestStudio\.openHyperparameterPanel failed: /);
    assert.deepEqual(lastNotices.map((n) => [n.kind, n.command]), [['command-error', 'jestStudio.openHyperparameterPanel']], 'one failure recorded, naming the command');
    // the same failure through executeCommand resolves (the user got the notification): the record is what tells
    assert.equal(await vscode.commands.executeCommand('jestStudio.openHyperparameterPanel', missing), undefined);
    const notices = await vscode.commands.executeCommand<{ kind: string }[]>('jestStudio._test.notices');
    assert.deepEqual(notices.map((n) => n.kind), ['command-error']);
  });

  it('shows the engine\'s rule diagnostics on an experiment file (B = b / (1 − f) must be whole)', async () => {
    const uri = writeExperiment('diag', { selection: { method: 'jest', score: 'hard-learner', filterRatio: 0.7, chunks: 1 } });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'jsonc', '*.jest.json opens as JSON with comments');
    const diags = await waitFor('a JEST diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'JEST');
      return d.length ? d : undefined;
    }, 10_000);
    const d = diags.find((x) => x.message.includes('selection.filterRatio'));
    assert.ok(d, `a diagnostic on selection.filterRatio: ${diags.map((x) => x.message).join(' | ')}`);
    assert.equal(doc.getText(d.range), '0.7');
  });

  it('Set Filter Ratio edits the file as one undoable edit, and refuses a ratio that makes B fractional', async () => {
    const uri = writeExperiment('ratio', { selection: { method: 'jest', score: 'hard-learner', filterRatio: 0.5, chunks: 1 } });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const before = doc.getText();
    const refused = await commandShowingError('jestStudio.setFilterRatio', uri, 0.7);
    assert.match(refused[0].message, /^Filter ratio not set: /, '16 / 0.3 is not whole: the user is told why');
    assert.equal(doc.getText(), before);
    assert.equal(await command('jestStudio.setFilterRatio', uri, 0.75), true);
    assert.match(doc.getText(), /"filterRatio": 0\.75/);
    assert.ok(doc.getText().startsWith('// written by the extension tests'), 'comments survive');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), before);
  });

  it('Configure Flexi-JEST and Choose Reference Model write their sections', async () => {
    const uri = writeExperiment('flexi');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(await command('jestStudio.configureFlexi', uri, { enabled: true, scoringPatchSize: 8, trainMix: [{ patchSize: 4, fraction: 0.25 }, { patchSize: 8, fraction: 0.75 }] }), true);
    const flexi = JSON.parse(doc.getText().replace(/^\/\/.*\n/, '')).flexi;
    assert.deepEqual(flexi, { enabled: true, scoringPatchSize: 8, trainMix: [{ patchSize: 4, fraction: 0.25 }, { patchSize: 8, fraction: 0.75 }] });
    const runDir = `${vscode.workspace.workspaceFolders![0].uri.fsPath}/runs/some-reference`;
    assert.equal(await command('jestStudio.chooseReferenceModel', uri, { run: runDir }), true);
    const ref = JSON.parse(doc.getText().replace(/^\/\/.*\n/, '')).reference;
    assert.deepEqual(ref, { run: 'runs/some-reference', encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true });
    // a pretrained model folder replaces the run: exactly one reference
    const folder = `${vscode.workspace.workspaceFolders![0].uri.fsPath}/models/clip-vit-b32`;
    assert.equal(await command('jestStudio.chooseReferenceModel', uri, { folder }), true);
    const ref2 = JSON.parse(doc.getText().replace(/^\/\/.*\n/, '')).reference;
    assert.deepEqual(ref2, { run: null, encoders: null, folder: 'models/clip-vit-b32', logitScale: null, logitBias: null, cacheEmbeddings: true });
  });

  it('New Experiment writes the commented template and opens it', async () => {
    const uri = await command<vscode.Uri>('jestStudio.newExperiment', vscode.workspace.workspaceFolders![0].uri, 'from-template');
    assert.ok(uri && fs.existsSync(uri.fsPath));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
    assert.match(fs.readFileSync(uri.fsPath, 'utf8'), /^\/\/ A JEST Studio experiment/);
  });
});
