// The run histories one panel holds in the RunStore. The store keeps a finished run's events on
// disk until asked (loadEvents, counted per call) and drops them when nobody holds them (release):
// a panel loads each run it shows before building anything from store.events(), and lets go of
// each run it stops showing, and of all on dispose. vscode-free (unit-tested with a fake store).

/** The part of RunStore this needs. */
export interface HistorySource {
  loadEvents(dir: string): Promise<unknown>;
  release(dir: string): void;
  isLoaded(dir: string): boolean;
}

export class HeldRuns {
  /** Runs this panel holds once (one loadEvents not yet released). */
  private readonly held = new Set<string>();
  private readonly loading = new Map<string, Promise<void>>();
  /** Runs whose history could not be read: not retried until shown anew. */
  private readonly failed = new Set<string>();
  private wanted = new Set<string>();
  private closed = false;

  constructor(private readonly store: HistorySource) {}

  /** Show exactly these runs: runs held but no longer among them are released at once. */
  keepOnly(dirs: readonly string[]): void {
    this.wanted = new Set(dirs);
    for (const d of [...this.held]) {
      if (this.wanted.has(d)) continue;
      this.held.delete(d);
      this.store.release(d);
    }
    for (const d of [...this.failed]) if (!this.wanted.has(d)) this.failed.delete(d);
  }

  /** Load (and hold) every run of `dirs` whose history is not in memory under this panel's hold. */
  async hold(dirs: readonly string[]): Promise<void> {
    this.keepOnly(dirs);
    const errors: unknown[] = [];
    await Promise.all(dirs.map((d) => this.holdOne(d).catch((e: unknown) => void errors.push(e))));
    if (errors.length) throw errors[0];
  }

  /** Whole history in memory, held by this panel: tables may be built from store.events(). */
  isReady(dir: string): boolean {
    return this.held.has(dir) && this.store.isLoaded(dir);
  }

  hasFailed(dir: string): boolean {
    return this.failed.has(dir);
  }

  /** Let go of everything (the panel is disposed); loads still in flight are released as they end. */
  releaseAll(): void {
    this.closed = true;
    this.keepOnly([]);
  }

  private holdOne(dir: string): Promise<void> {
    const pending = this.loading.get(dir);
    if (pending) return pending;
    if (this.isReady(dir) || this.failed.has(dir)) return Promise.resolve();
    // held, but the store dropped the history (it re-read the run's folder): hold it anew
    if (this.held.delete(dir)) this.store.release(dir);
    const p = (async () => {
      try {
        // loadEvents counts the hold when called, whether or not the read succeeds
        await this.store.loadEvents(dir);
      } catch (err) {
        this.store.release(dir);
        this.failed.add(dir);
        throw err;
      } finally {
        this.loading.delete(dir);
      }
      if (this.closed || !this.wanted.has(dir)) this.store.release(dir);
      else this.held.add(dir);
    })();
    this.loading.set(dir, p);
    return p;
  }
}
