// Runs read from their folders: runs started from a terminal, on another window, or before a
// window reload. Finished ones give the store a summary (read from the folder's end: scan.ts) and
// a way to read their history when a panel wants it; one whose status.json names its live engine
// (pid and start time, checked against the OS) is followed with the engine's RunTailer until its
// process ends. Runs the manager owns are left to it. Everything here is asynchronous: the
// extension host never waits on a run folder.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunTailer } from '../../src/runs/reader';
import type { ProcessIdentity } from '../../src/runs/process-identity';
import { isSameProcess } from '../../src/runs/process-identity';
import { pidAlive, stillRunning } from './child';
import type { RunManager } from './manager';
import { listRunDirs, readEvents, readRunHead, readRunSummary } from './scan';
import type { RunStore } from './store';

/** How often a followed run's process is checked (one /proc read each on Linux). */
const LIVENESS_MS = 2000;
/** File watchers miss events on some file systems (network, remote, containers): look for new folders this often too. */
const RESCAN_MS = 10_000;

export class FolderRuns implements vscode.Disposable {
  private readonly tailers = new Map<string, { tailer: RunTailer; id: ProcessIdentity }>();
  private readonly timers: NodeJS.Timeout[];
  private watchers: vscode.FileSystemWatcher[] = [];
  /** One scan at a time; a request during one runs once more after it (with the stronger reread). */
  private scanning: Promise<void> | undefined;
  private queued: { reread: boolean } | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly manager: RunManager,
    private readonly roots: () => string[],
  ) {
    this.timers = [setInterval(() => this.checkLiveness(), LIVENESS_MS), setInterval(() => void this.scan(), RESCAN_MS)];
    this.watch();
  }

  /** Watch each runs folder for new run folders (run.json appearing) and removed ones. */
  watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = this.roots().map((root) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '{*,*/*}/run.json'));
      w.onDidCreate(() => void this.scan());
      w.onDidDelete(() => void this.scan());
      return w;
    });
  }

  /** Read new run folders; with `reread`, re-read every one the manager does not own or follow. */
  scan(reread = false): Promise<void> {
    if (this.scanning) {
      this.queued = { reread: reread || (this.queued?.reread ?? false) };
      return this.scanning;
    }
    this.scanning = this.scanOnce(reread).finally(() => {
      this.scanning = undefined;
      const next = this.queued;
      this.queued = undefined;
      if (next) void this.scan(next.reread);
    });
    return this.scanning;
  }

  private async scanOnce(reread: boolean): Promise<void> {
    const roots = this.roots();
    const seen = new Set<string>();
    for (const root of roots) {
      const dirs = await listRunDirs(root);
      for (const dir of dirs) seen.add(dir);
      const todo = dirs.filter((dir) => !this.manager.isOwned(dir) && !this.tailers.has(dir) && (reread || !this.store.has(dir)));
      await Promise.all(todo.map((dir) => this.load(dir)));
    }
    // a folder deleted from a runs folder leaves the view (runs elsewhere, e.g. a changed setting, stay until reload)
    for (const r of this.store.list()) {
      if (!seen.has(r.dir) && !this.manager.isOwned(r.dir) && roots.some((root) => r.dir.startsWith(root + path.sep))) {
        this.untail(r.dir);
        this.store.remove(r.dir);
      }
    }
  }

  private async load(dir: string): Promise<void> {
    const head = await readRunHead(dir);
    if (!head) return; // half-created folder: the watcher brings it back when run.json is complete
    if (this.manager.isOwned(dir) || this.tailers.has(dir)) return; // claimed while we read
    const st = head.status;
    const claimsLive = st?.status === 'running' || st?.status === 'starting';
    // The engine's own identity when it recorded one; a status.json from an older engine has only
    // a pid, which is probed as before (and never signalled: see child.ts pidStopTarget).
    const live = claimsLive && st?.pid !== undefined && (st.started !== undefined ? isSameProcess({ pid: st.pid, started: st.started }) : pidAlive(st.pid));
    if (live && st?.pid !== undefined) {
      // start empty: the tailer's first poll delivers the whole file, then what is appended
      this.store.upsert(dir, { name: head.info.name, status: st.status, step: st.step, totalSteps: st.totalSteps, live: true, events: [], createdAt: head.createdAt });
      const tailer = new RunTailer(dir, (events) => this.store.append(dir, events), 250).start();
      this.tailers.set(dir, { tailer, id: { pid: st.pid, started: st.started ?? '' } });
      return;
    }
    // A folder that says running but whose process is gone died without a final status (killed, a
    // crash, or a disk too full to write one): resumable like a stopped run.
    const status = claimsLive ? 'died' : (st?.status ?? 'unknown');
    const loader = () => readEvents(dir);
    if (this.store.isLoaded(dir)) {
      // a panel shows it: re-read the history too, so the panel gets what was appended
      this.store.upsert(dir, { name: head.info.name, status, step: st?.step, totalSteps: st?.totalSteps, live: false, events: await loader(), loader, createdAt: head.createdAt });
      return;
    }
    const summary = await readRunSummary(dir, head);
    this.store.upsert(dir, { name: head.info.name, status, live: false, summary, loader, createdAt: head.createdAt });
  }

  private checkLiveness(): void {
    for (const [dir, t] of this.tailers) {
      if (t.id.started ? stillRunning(t.id) : pidAlive(t.id.pid)) continue;
      t.tailer.poll();
      this.untail(dir);
      void this.load(dir);
    }
  }

  private untail(dir: string): void {
    const t = this.tailers.get(dir);
    if (!t) return;
    t.tailer.stop();
    this.tailers.delete(dir);
  }

  dispose(): void {
    for (const t of this.timers) clearInterval(t);
    for (const t of this.tailers.values()) t.tailer.stop();
    this.tailers.clear();
    for (const w of this.watchers) w.dispose();
  }
}
