// Shared by the extension tests: the extension's API, the workspace, waiting for a condition.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'jest-studio.jest-studio';

/** The parts of the extension's activate() result the tests use (declared here: the suite compiles apart). */
export interface RunSummary {
  dir: string;
  name: string;
  status: string;
  step: number;
  totalSteps: number;
  lastMetrics: Record<string, number>;
  live: boolean;
}
export interface RunEventLike {
  type: string;
  step?: number;
}
export interface Api {
  store: {
    list(): RunSummary[];
    get(dir: string): RunSummary | undefined;
    events(dir: string): RunEventLike[];
    refresh(): void;
    onDidAppendEvents: vscode.Event<{ dir: string; events: RunEventLike[] }>;
  };
  manager: { isOwned(dir: string): boolean; onDidEndRun: vscode.Event<{ dir: string; status: string; reason?: string }> };
  runsTree: { getChildren(node?: unknown): unknown[]; getTreeItem(node: unknown): vscode.TreeItem };
  statusBar: { text(): string };
  /** The context keys it last set (extension/views/contextKeys.ts): jestStudio.hasLiveRuns, .hasResumableRuns, .hasRuns. */
  contextKeys: { current(): Record<string, boolean> };
  activation: { loadMs: number; waitMs: number; activateMs: number };
}

export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function workspaceDir(): string {
  const ws = vscode.workspace.workspaceFolders?.[0];
  if (!ws) throw new Error('the tests need a workspace folder');
  return ws.uri.fsPath;
}

/** Poll until `fn` returns a truthy value; fail with `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, ms = 60_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** A tiny experiment on built-in data (a run takes seconds); `over` replaces top-level sections. */
export function writeExperiment(name: string, over: Record<string, unknown> = {}): vscode.Uri {
  const e = {
    name,
    data: {
      // the built-in sets a user meets first: emoji with noisy captions, a held-out emoji style
      train: { kind: 'noisy', source: { kind: 'builtin', name: 'emoji', max: 400 }, mismatchFraction: 0.3 },
      curated: { kind: 'synthetic', n: 200, seed: 1 },
      eval: [{ name: 'held-out', source: { kind: 'builtin', name: 'emoji-heldout', max: 64 }, tasks: ['zero-shot'], max: null }],
    },
    model: { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 512, seqLen: 4 },
    optimizer: { warmupSteps: 2 },
    training: { batchSize: 16, steps: 20, seed: 1 },
    selection: { method: 'jest', score: 'hard-learner', filterRatio: 0.5, chunks: 2 },
    reference: null,
    runtime: { device: 'cpu', threads: 1 },
    evaluation: { every: 10 },
    snapshotEvery: 10,
    checkpointEvery: 10,
    ...over,
  };
  const file = path.join(workspaceDir(), `${name}.jest.json`);
  fs.writeFileSync(file, `// written by the extension tests\n${JSON.stringify(e, null, 2)}\n`);
  return vscode.Uri.file(file);
}

/** What the extension recorded telling the user (extension/notices.ts). */
export interface Notice {
  kind: 'command-error' | 'refused' | 'error' | 'warning';
  message: string;
  command?: string;
}

/** What the last `command()` call made the extension say. */
export let lastNotices: Notice[] = [];

/**
 * Run one of the extension's commands and fail when it failed: its handler shows the error to the
 * user and resolves (no second notification from VS Code), so executeCommand alone would hide it.
 */
export async function command<T = unknown>(id: string, ...args: unknown[]): Promise<T> {
  await vscode.commands.executeCommand('jestStudio._test.notices'); // what came before is not this command's
  const result = await vscode.commands.executeCommand<T>(id, ...args);
  lastNotices = (await vscode.commands.executeCommand<Notice[]>('jestStudio._test.notices')) ?? [];
  // a handler that threw, or one that showed the user an error itself (extension/notify.ts)
  const failed = lastNotices.filter((n) => n.kind === 'command-error' || n.kind === 'error');
  if (failed.length) throw new Error(`${id} failed: ${failed.map((n) => `${n.command ?? n.kind}: ${n.message}`).join('; ')}`);
  return result;
}

/** Run a command that must show the user an error (a refusal the test provokes); returns the errors shown. */
export async function commandShowingError(id: string, ...args: unknown[]): Promise<Notice[]> {
  await vscode.commands.executeCommand('jestStudio._test.notices');
  await vscode.commands.executeCommand(id, ...args);
  lastNotices = (await vscode.commands.executeCommand<Notice[]>('jestStudio._test.notices')) ?? [];
  const errors = lastNotices.filter((n) => n.kind === 'error' || n.kind === 'command-error');
  if (!errors.length) throw new Error(`${id} was expected to show an error, and showed none`);
  return errors;
}
