// Run commands: Start, Stop, Resume, Open Dashboard, Compare Runs, Inspect Batches, Export Model,
// Precompute Reference Embeddings. Everything that executes the engine checks workspace trust first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseExperiment } from '../../src/config/validate';
import { runsRootFor, overrideFlags } from '../config';
import type { Services } from '../context';
import * as panels from '../panels';
import { jobFailure, runJob } from '../runs/job';
import { resumability } from '../runs/resumable';
import { recordNotice } from '../notices';
import { requireTrust } from '../trust';
import { experimentDocument, pickRun, pickRuns, runDirsFromArg } from './args';
import { showError, showWarning } from '../notify';
import { hasAnyCheckpoint } from '../../src/runs/checkpoints';

/** Save, validate with the engine, and say what is wrong (with a way to see it) when it has errors. */
export async function readyExperiment(s: Services, doc: vscode.TextDocument): Promise<{ name: string } | undefined> {
  if (doc.isDirty && !(await doc.save())) {
    void showError(`Could not save ${path.basename(doc.fileName)}; save it, then start the run again.`);
    return undefined;
  }
  const parsed = s.diagnostics.validate(doc);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0];
    const where = `${path.basename(doc.fileName)}:${first.line}:${first.column}`;
    void showError(`${path.basename(doc.fileName)} has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} to run. First, at ${where}: ${first.path ? `${first.path}: ` : ''}${first.message}`, 'Show Problems')
      .then((p) => p && vscode.commands.executeCommand('workbench.actions.view.problems'));
    return undefined;
  }
  return { name: parsed.experiment.name };
}

export async function startRun(s: Services, arg?: unknown): Promise<string | undefined> {
  if (!requireTrust()) return undefined;
  const doc = await experimentDocument(arg);
  if (!doc) return undefined;
  const ok = await readyExperiment(s, doc);
  if (!ok) return undefined;
  const dir = s.manager.start(doc.fileName, ok.name, runsRootFor(doc.fileName), overrideFlags());
  void vscode.window.showInformationMessage(`Started ${path.basename(dir)}.`, 'Open Dashboard', 'Show Log').then((p) => {
    if (p === 'Open Dashboard') void vscode.commands.executeCommand('jestStudio.openDashboard', dir);
    if (p === 'Show Log') s.manager.output(dir).show(true);
  });
  return dir;
}

export async function stopRun(s: Services, arg?: unknown): Promise<void> {
  const dir = await pickRun(s.store, 'Stop which run?', (r) => r.live, arg);
  if (!dir) return;
  const refused = s.manager.stop(dir);
  if (refused) {
    recordNotice({ kind: 'refused', command: 'jestStudio.stopRun', message: refused });
    void vscode.window.showWarningMessage(refused); // recorded as a refusal above, not as a warning
  }
}

export async function resumeRun(s: Services, arg?: unknown): Promise<void> {
  if (!requireTrust()) return;
  // only runs with a checkpoint: resume starts from checkpoints/latest.ckpt
  const dir = await pickRun(s.store, 'Resume which run? (stopped or failed runs with a checkpoint)', (r) => resumability.isResumable(r), arg);
  if (!dir) return;
  try {
    await s.manager.resume(dir, overrideFlags());
  } catch (e) {
    void showError(`Cannot resume: ${(e as Error).message}`);
  }
}

/**
 * What a dashboard shows: the given runs, or for an experiment file (its CodeLens) that experiment,
 * whose runs it follows, none yet included (it never falls back to other experiments' runs);
 * nothing given: the dashboard's own choice (the newest runs).
 */
function dashboardDirs(arg: unknown): { dirs?: string[]; experiment?: string } {
  if (arg instanceof vscode.Uri && arg.fsPath.endsWith('.jest.json')) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === arg.fsPath);
    const { name } = parseExperiment(open ? open.getText() : fs.readFileSync(arg.fsPath, 'utf8')).experiment;
    return { experiment: name };
  }
  return { dirs: runDirsFromArg(arg) };
}

export async function openDashboard(s: Services, arg?: unknown): Promise<void> {
  const { dirs, experiment } = dashboardDirs(arg);
  await panels.openDashboard(s.ctx, s.store, dirs, { experiment });
}

/**
 * The runs in the order picked (the first is the baseline), in the dashboard with a table of steps
 * and FLOPs each needs to reach the baseline's final value of a metric chosen in the page, and the
 * config fields that differ: computed on the host from the store's events with the engine's own
 * comparison (src/runs/compare.ts, what `jest-studio compare` prints), so it runs no process and
 * works in an untrusted workspace too.
 */
export async function compareRuns(s: Services, arg?: unknown): Promise<void> {
  const dirs = await pickRuns(s.store, 'Compare which runs? Tick the baseline first', arg);
  if (!dirs?.length) return;
  await panels.openDashboard(s.ctx, s.store, dirs, { compare: true });
}

export async function inspectBatches(s: Services, arg?: unknown, step?: number): Promise<void> {
  const dir = await pickRun(s.store, 'Inspect the batches of which run?', () => true, arg);
  if (!dir) return;
  if (!fs.existsSync(path.join(dir, 'batches'))) {
    void showWarning(`${path.basename(dir)} has no selection snapshots (batches/): set "snapshotEvery" above 0 in the experiment to record them.`);
    return;
  }
  await panels.openBatchInspector(s.ctx, s.store, dir, step);
}

/** Returns the folder the encoders were written to (undefined when nothing was exported). */
export async function exportModel(s: Services, arg?: unknown): Promise<string | undefined> {
  if (!requireTrust()) return undefined;
  const dir = await pickRun(s.store, 'Export the encoders of which run?', (r) => !r.live && hasAnyCheckpoint(r.dir), arg);
  if (!dir) return undefined;
  const r = await runJob(s.cliPath, ['export', dir], dir, `JEST: exporting ${path.basename(dir)}`, s.manager.output(dir));
  if (r.code !== 0) {
    void showError(`Export of ${path.basename(dir)} failed (${jobFailure(r)}). The log is in the output channel "JEST: ${path.basename(dir)}".`);
    return undefined;
  }
  const models = path.join(dir, 'models');
  void vscode.window.showInformationMessage(`Exported image_encoder.onnx and text_encoder.onnx to ${models}.`, 'Reveal').then((p) => {
    if (p) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(models, 'image_encoder.onnx')));
  });
  return models;
}

/** Returns the cache folder (undefined when it failed or was refused). */
export async function precomputeReferenceEmbeddings(s: Services, arg?: unknown): Promise<string | undefined> {
  if (!requireTrust()) return undefined;
  const doc = await experimentDocument(arg);
  if (!doc || !(await readyExperiment(s, doc))) return undefined;
  const log = s.manager.output('reference-embeddings', 'reference embeddings');
  const r = await runJob(s.cliPath, ['precompute-reference', doc.fileName], path.dirname(doc.fileName), 'JEST: reference embeddings', log);
  if (r.code !== 0) {
    void showError(`Reference embeddings failed (${jobFailure(r)}).`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Reference embeddings cached in ${r.stdout.trim()}; runs of ${path.basename(doc.fileName)} read them instead of embedding the pool.`);
  return r.stdout.trim();
}
