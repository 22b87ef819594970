// The status bar item: the live run's step, progress and ETA (+N when several run). ETA comes from
// an exponential moving average of the engine's per-step wall-clock (StepEvent.ms.total), steady
// across evaluation pauses.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStore } from '../runs/store';
import { averageStepMs } from '../../src/util/stepTime';
import { formatDuration } from './format';

const RENDER_MS = 250;

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('jestStudio.run', vscode.StatusBarAlignment.Left, 50);
  private readonly msPerStep = new Map<string, number>();
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: RunStore) {
    this.item.name = 'JEST run';
    this.subs.push(
      store.onDidAppendEvents(({ dir, events }) => {
        for (const e of events) {
          if (e.type !== 'step') continue;
          this.msPerStep.set(dir, averageStepMs(this.msPerStep.get(dir), e.ms.total));
        }
      }),
      // every event changes a live run's summary: redraw at most four times a second (each is a message to the workbench)
      store.onDidChangeRuns(() => {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.render();
        }, RENDER_MS);
      }),
    );
    this.render();
  }

  /** What the item shows now (also read by the tests). */
  text(): string {
    return this.item.text;
  }

  private render(): void {
    const live = this.store.list().filter((r) => r.live);
    if (live.length === 0) {
      this.item.hide();
      return;
    }
    const r = live[0];
    const frac = r.totalSteps ? r.step / r.totalSteps : 0;
    const ms = this.msPerStep.get(r.dir);
    const eta = ms !== undefined && r.totalSteps ? ` ETA ${formatDuration((r.totalSteps - r.step) * ms)}` : '';
    const more = live.length > 1 ? ` (+${live.length - 1})` : '';
    this.item.text = `$(sync~spin) JEST ${r.name}: ${r.status === 'starting' ? 'starting' : `${r.step}/${r.totalSteps} ${(frac * 100).toFixed(0)}%${eta}`}${more}`;
    this.item.tooltip = `${path.basename(r.dir)}\n${live.map((x) => `${x.name}: ${x.status} ${x.step}/${x.totalSteps}`).join('\n')}\nClick for the dashboard`;
    this.item.command = { command: 'jestStudio.openDashboard', title: 'Open Dashboard', arguments: [live.map((x) => x.dir)] };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
