// Runs read from their folders: runs started from a terminal, on another window, or before a
// window reload. Finished ones are read whole; one whose status.json names a live pid is followed
// with the engine's RunTailer until its process ends. Runs the manager owns are left to it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns, readRun, RunTailer } from '../../src/runs/reader';
import { pidAlive } from './child';
import type { RunManager } from './manager';
import type { RunStore } from './store';

const LIVENESS_MS = 2000;

export class FolderRuns implements vscode.Disposable {
  private readonly tailers = new Map<string, { tailer: RunTailer; pid: number }>();
  private readonly timer: NodeJS.Timeout;
  private watchers: vscode.FileSystemWatcher[] = [];

  constructor(
    private readonly store: RunStore,
    private readonly manager: RunManager,
    private readonly roots: () => string[],
  ) {
    this.timer = setInterval(() => this.checkLiveness(), LIVENESS_MS);
    this.watch();
  }

  /** Watch each runs folder for new run folders (run.json appearing) and removed ones. */
  watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = this.roots().map((root) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '{*,*/*}/run.json'));
      w.onDidCreate(() => this.scan());
      w.onDidDelete(() => this.scan());
      return w;
    });
  }

  /** Read new run folders; with `reread`, re-read every one the manager does not own or follow. */
  scan(reread = false): void {
    const seen = new Set<string>();
    for (const root of this.roots()) {
      for (const dir of listRuns(root)) {
        seen.add(dir);
        if (this.manager.isOwned(dir) || this.tailers.has(dir)) continue;
        if (!reread && this.store.has(dir)) continue;
        this.load(dir);
      }
    }
    // a folder deleted from a runs folder leaves the view (runs elsewhere, e.g. a changed setting, stay until reload)
    const roots = this.roots();
    for (const r of this.store.list()) {
      if (!seen.has(r.dir) && !this.manager.isOwned(r.dir) && roots.some((root) => r.dir.startsWith(root + path.sep))) {
        this.untail(r.dir);
        this.store.remove(r.dir);
      }
    }
  }

  private load(dir: string): void {
    let rec;
    try {
      rec = readRun(dir);
    } catch {
      return; // half-created folder: the watcher brings it back when run.json is complete
    }
    const st = rec.status;
    const claimsLive = st?.status === 'running' || st?.status === 'starting';
    const live = claimsLive && st?.pid !== undefined && pidAlive(st.pid);
    if (live && st?.pid) {
      // start empty: the tailer's first poll delivers the whole file, then what is appended
      this.store.upsert(dir, { name: rec.info.name, status: st.status, step: st.step, totalSteps: st.totalSteps, live: true });
      const tailer = new RunTailer(dir, (events) => this.store.append(dir, events), 250).start();
      this.tailers.set(dir, { tailer, pid: st.pid });
      return;
    }
    // A folder that says running but whose process is gone died without a final status.
    const status = claimsLive ? 'failed' : (st?.status ?? 'unknown');
    this.store.upsert(dir, { name: rec.info.name, status, step: st?.step, totalSteps: st?.totalSteps, live: false, events: rec.events });
  }

  private checkLiveness(): void {
    // file watchers miss events on some file systems (network, remote, containers): look for new folders too
    this.scan();
    for (const [dir, t] of this.tailers) {
      if (pidAlive(t.pid)) continue;
      t.tailer.poll();
      this.untail(dir);
      this.load(dir);
    }
  }

  private untail(dir: string): void {
    const t = this.tailers.get(dir);
    if (!t) return;
    t.tailer.stop();
    this.tailers.delete(dir);
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const t of this.tailers.values()) t.tailer.stop();
    this.tailers.clear();
    for (const w of this.watchers) w.dispose();
  }
}
