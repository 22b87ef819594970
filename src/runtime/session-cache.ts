// Static shapes mean one session per graph shape (training batch, scoring super-batch, a partial
// last batch, each Flexi mix): build and create each once, keyed by what determines the graph.
import * as ort from 'onnxruntime-node';
import { ResolvedDevice, sessionOptions } from './device';

export class SessionCache {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    readonly device: ResolvedDevice,
    readonly threads: number,
    readonly spinning = false,
  ) {}

  /** `build` runs only on a miss; extra options (e.g. output locations) are part of the key's contract. */
  get(
    key: string,
    build: () => Uint8Array,
    extra: Partial<ort.InferenceSession.SessionOptions> = {},
  ): Promise<ort.InferenceSession> {
    let s = this.sessions.get(key);
    if (!s) {
      s = ort.InferenceSession.create(build(), { ...sessionOptions(this.device, this.threads, this.spinning), ...extra });
      // A failed creation must not poison the cache: the next call tries again.
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  get size(): number {
    return this.sessions.size;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        await (await s).release();
      } catch {
        // a session that failed to create has nothing to release
      }
    }
  }
}
