// Every contributed command, by id. package.json's contributes.commands lists the same ids (the
// extension tests check both ways).
import * as vscode from 'vscode';
import type { Services } from '../context';
import { extensionLog } from '../log';
import { recordNotice, takeNotices } from '../notices';
import * as panels from '../panels';
import { installDatasets } from '../runs/datasets';
import { requireTrust } from '../trust';
import { experimentDocument } from './args';
import { chooseReferenceModel, configureFlexi, newExperiment, setFilterRatio } from './experiment';
import { compareRuns, exportModel, inspectBatches, openDashboard, precomputeReferenceEmbeddings, resumeRun, startRun, stopRun } from './runs';

type Handler = (s: Services, ...args: unknown[]) => unknown;

export const COMMANDS: Record<string, Handler> = {
  'jestStudio.newExperiment': (s, folder, name) => newExperiment(s, folder, name),
  'jestStudio.startRun': (s, arg) => startRun(s, arg),
  'jestStudio.stopRun': (s, arg) => stopRun(s, arg),
  'jestStudio.resumeRun': (s, arg) => resumeRun(s, arg),
  'jestStudio.openDashboard': (s, arg) => openDashboard(s, arg),
  // from the tree: (the clicked item, every selected item); the clicked one is the baseline
  // from the view's title button: no arguments, so the view's selection when it holds several runs
  'jestStudio.compareRuns': (s, arg, selected) => {
    const inView = arg === undefined ? (s.runsSelection?.() ?? []) : [];
    if (Array.isArray(selected) && selected.length > 1) return compareRuns(s, [arg, ...selected.filter((x) => x !== arg)]);
    return compareRuns(s, inView.length > 1 ? [...inView] : arg);
  },
  'jestStudio.inspectBatches': (s, arg, step) => inspectBatches(s, arg, typeof step === 'number' ? step : undefined),
  'jestStudio.setFilterRatio': (s, arg, value) => setFilterRatio(s, arg, value),
  'jestStudio.chooseReferenceModel': (s, arg, choice) => chooseReferenceModel(s, arg, choice as Parameters<typeof chooseReferenceModel>[2]),
  'jestStudio.configureFlexi': (s, arg, choice) => configureFlexi(s, arg, choice as Parameters<typeof configureFlexi>[2]),
  'jestStudio.precomputeReferenceEmbeddings': (s, arg) => precomputeReferenceEmbeddings(s, arg),
  'jestStudio.exportModel': (s, arg) => exportModel(s, arg),
  'jestStudio.openHyperparameterPanel': async (s, arg) => {
    const doc = await experimentDocument(arg);
    if (doc) panels.openHyperparameterPanel(s.ctx, doc);
  },
  'jestStudio.refreshRuns': (s) => s.store.refresh(),
  'jestStudio.installDatasets': (s) => (requireTrust() ? installDatasets(s.ctx, extensionLog()) : undefined),
  'jestStudio.showRunLog': (s, arg) => {
    const dir = typeof arg === 'string' ? arg : (arg as { run?: { dir: string } } | undefined)?.run?.dir;
    if (dir) s.manager.showLog(dir);
  },
  'jestStudio.revealRunFolder': (s, arg) => {
    const dir = typeof arg === 'string' ? arg : (arg as { run?: { dir: string } } | undefined)?.run?.dir;
    if (dir) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
  },
};

/** Register every command; an unexpected error becomes one message naming the command, not a silent failure. */
export function registerCommands(s: Services): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, fn]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(s, ...args);
      } catch (e) {
        extensionLog().error(`${id}: ${(e as Error).stack ?? String(e)}`);
        recordNotice({ kind: 'command-error', command: id, message: (e as Error).message });
        void vscode.window.showErrorMessage(`${id.replace('jestStudio.', 'JEST: ')} failed: ${(e as Error).message}`);
        return undefined;
      }
    }),
  ).concat(vscode.commands.registerCommand('jestStudio._test.notices', () => takeNotices()));
}
