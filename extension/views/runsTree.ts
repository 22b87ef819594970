// The runs view: experiments (by name) with their runs under them, status, progress and key
// metrics; context values drive the inline and context-menu actions in package.json.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStore, RunSummary } from '../runs/store';
import { resumability } from '../runs/resumable';
import { describeRun } from './format';

export type RunsNode = { kind: 'experiment'; name: string; runs: RunSummary[] } | { kind: 'run'; run: RunSummary };

const ICONS: Record<RunSummary['status'], string> = {
  starting: 'loading~spin',
  running: 'sync~spin',
  finished: 'pass',
  failed: 'error',
  stopped: 'debug-pause',
  died: 'debug-disconnect',
  unknown: 'question',
};

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly store: RunStore) {
    // coalesce: a fast run changes its summary every step
    this.sub = store.onDidChangeRuns(() => {
      if (this.pending) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.changed.fire();
      }, 250);
    });
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (!node) {
      const groups = new Map<string, RunSummary[]>();
      for (const r of this.store.list()) groups.set(r.name, [...(groups.get(r.name) ?? []), r]);
      return [...groups].map(([name, runs]) => ({ kind: 'experiment', name, runs }));
    }
    return node.kind === 'experiment' ? node.runs.map((run) => ({ kind: 'run', run })) : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'experiment') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      const live = node.runs.filter((r) => r.live).length;
      item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}${live ? `, ${live} live` : ''}`;
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.contextValue = 'jestExperiment';
      return item;
    }
    const r = node.run;
    const item = new vscode.TreeItem(path.basename(r.dir), vscode.TreeItemCollapsibleState.None);
    item.id = r.dir;
    item.description = describeRun(r);
    item.tooltip = new vscode.MarkdownString(
      [`**${r.name}** — ${r.status}`, `\`${r.dir}\``, '', ...Object.entries(r.lastMetrics).map(([k, v]) => `- ${k}: ${Number.isInteger(v) ? v : v.toPrecision(4)}`)].join('\n'),
    );
    item.iconPath = new vscode.ThemeIcon(ICONS[r.status]);
    // e.g. jestRun.running.live, jestRun.stopped.resumable: package.json menus match on these words
    item.contextValue = `jestRun.${r.status}${r.live ? '.live' : ''}${resumability.isResumable(r) ? '.resumable' : ''}`;
    item.command = { command: 'jestStudio.openDashboard', title: 'Open Dashboard', arguments: [r.dir] };
    return item;
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.sub.dispose();
    this.changed.dispose();
  }
}
