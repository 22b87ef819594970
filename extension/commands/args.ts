// Commands are called from the palette (no argument), a CodeLens or editor menu (a Uri), the runs
// view (a tree node) or other code and tests (a run folder path, or a list of them). These turn
// whatever came into what the command needs, asking the user when nothing did.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStore, RunSummary } from '../runs/store';
import type { RunsNode } from '../views/runsTree';
import { describeRun } from '../views/format';
import { EXPERIMENT_GLOB } from '../authoring/documents';
import { pickOrder } from './pickOrder';
import { showError } from '../notify';

function isNode(a: unknown): a is RunsNode {
  return typeof a === 'object' && a !== null && 'kind' in a && ((a as RunsNode).kind === 'run' || (a as RunsNode).kind === 'experiment');
}

/** Run folders named by the argument, or undefined when it names none. */
export function runDirsFromArg(arg: unknown): string[] | undefined {
  if (typeof arg === 'string') return [arg];
  if (Array.isArray(arg) && arg.every((a) => typeof a === 'string')) return arg as string[];
  // several tree items selected at once (the view allows multi-select): each one's runs, in order
  if (Array.isArray(arg) && arg.length && arg.every(isNode)) return [...new Set((arg as RunsNode[]).flatMap((n) => (n.kind === 'run' ? [n.run.dir] : n.runs.map((r) => r.dir))))];
  if (arg instanceof vscode.Uri && !arg.fsPath.endsWith('.jest.json')) return [arg.fsPath];
  if (isNode(arg)) return arg.kind === 'run' ? [arg.run.dir] : arg.runs.map((r) => r.dir);
  return undefined;
}

export async function pickRun(store: RunStore, placeHolder: string, filter: (r: RunSummary) => boolean, arg?: unknown): Promise<string | undefined> {
  const given = runDirsFromArg(arg);
  if (given?.length) return given[0];
  const runs = store.list().filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`${placeHolder}: no run fits. Runs are read from the folder in the setting jestStudio.runsFolder.`);
    return undefined;
  }
  if (runs.length === 1) return runs[0].dir;
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: path.basename(r.dir), description: describeRun(r), dir: r.dir })),
    { placeHolder },
  );
  return pick?.dir;
}

/** Several runs, in the order the user picked them: the first one picked is the baseline. */
export async function pickRuns(store: RunStore, placeHolder: string, arg?: unknown): Promise<string[] | undefined> {
  const given = runDirsFromArg(arg);
  if (given?.length) return given;
  const runs = store.list();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`${placeHolder}: no runs yet. Runs are read from the folder in the setting jestStudio.runsFolder.`);
    return undefined;
  }
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { dir: string }>();
  qp.canSelectMany = true;
  qp.placeholder = placeHolder;
  qp.items = runs.map((r) => ({ label: path.basename(r.dir), description: describeRun(r), detail: r.name, dir: r.dir }));
  let order: string[] = [];
  const label = () => (qp.title = order.length ? `Baseline: ${path.basename(order[0])}${order.length > 1 ? ` + ${order.length - 1}` : ''}` : 'Tick the baseline first');
  label();
  return new Promise((resolve) => {
    qp.onDidChangeSelection((sel) => {
      order = pickOrder(order, sel.map((i) => i.dir));
      label();
    });
    qp.onDidAccept(() => {
      resolve(order.length ? order : undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

/** The experiment document: the Uri given, the active editor's, or one picked from the workspace. */
export async function experimentDocument(arg?: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.fileName.endsWith('.jest.json')) return active;
  const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '**/node_modules/**', 200);
  if (files.length === 0) {
    void showError('No experiment file (*.jest.json) in this workspace: create one with "JEST: New Experiment".', 'New Experiment').then((p) => {
      if (p) void vscode.commands.executeCommand('jestStudio.newExperiment');
    });
    return undefined;
  }
  if (files.length === 1) return vscode.workspace.openTextDocument(files[0]);
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f), uri: f })),
    { placeHolder: 'Which experiment?' },
  );
  return pick ? vscode.workspace.openTextDocument(pick.uri) : undefined;
}
