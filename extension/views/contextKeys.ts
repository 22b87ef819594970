// Context keys for the palette and menus (package.json `enablement` / `when`): Stop Run applies
// only while a run is live, Resume Run only to a run with a checkpoint. Set after the store
// changes, coalesced (a live run changes its summary every step; each setContext is a message to
// the workbench) and only when a value actually changes.
import * as vscode from 'vscode';
import { resumability } from '../runs/resumable';
import type { RunStore } from '../runs/store';

export const CONTEXT_KEYS = { hasLiveRuns: 'jestStudio.hasLiveRuns', hasResumableRuns: 'jestStudio.hasResumableRuns', hasRuns: 'jestStudio.hasRuns' } as const;

const COALESCE_MS = 250;

export class RunContextKeys implements vscode.Disposable {
  private readonly sub: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;
  private readonly values = new Map<string, boolean>();

  constructor(private readonly store: RunStore) {
    this.sub = store.onDidChangeRuns(() => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.update();
      }, COALESCE_MS);
    });
    this.update();
  }

  /** The values now (also read by the tests). */
  current(): Record<string, boolean> {
    return Object.fromEntries(this.values);
  }

  update(): void {
    const runs = this.store.list();
    this.set(CONTEXT_KEYS.hasRuns, runs.length > 0);
    this.set(CONTEXT_KEYS.hasLiveRuns, runs.some((r) => r.live));
    this.set(CONTEXT_KEYS.hasResumableRuns, runs.some((r) => resumability.isResumable(r)));
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.sub.dispose();
  }
}
