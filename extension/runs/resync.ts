// A resume the editor starts appends to a history the store already holds, but the engine first
// cuts metrics.jsonl back to its checkpoint (src/runs/events.ts eventsBeforeResume: the stretch an
// interrupted run logged past the checkpoint is dropped, a torn tail too), before it logs any
// event. So once the resumed engine's first event arrives, the store's copy is replaced by the
// file as it now is, and the
// events still in flight over IPC are lined up against it: the engine writes each event to the
// file before it sends it, in the same order, so every IPC event up to the file's last one is
// already in the history, and every one after it is new. vscode-free, so it is tested alone.
import type { RunEvent } from '../../src/runs/events';

const same = (a: RunEvent, b: RunEvent) => JSON.stringify(a) === JSON.stringify(b);

export class ResumeResync {
  private waiting = true;
  private asked = false;
  private readonly pending: RunEvent[] = [];
  /** After the re-read: the file's last event, until its IPC copy has gone by. */
  private skipUntil: RunEvent | null = null;

  /**
   * An IPC event from the resumed engine: what to append to the store now, and whether to read the
   * file now (true once: on the first event, the engine has cut the file).
   */
  onEvent(e: RunEvent): { append: RunEvent[]; reread: boolean } {
    if (this.waiting) {
      this.pending.push(e);
      const reread = !this.asked;
      this.asked = true;
      return { append: [], reread };
    }
    if (this.skipUntil) {
      if (same(e, this.skipUntil)) this.skipUntil = null;
      return { append: [], reread: false };
    }
    return { append: [e], reread: false };
  }

  /** The file as read after the first event: the run's history now; and the IPC events beyond it, to append. */
  settle(file: RunEvent[]): { history: RunEvent[]; append: RunEvent[] } {
    this.waiting = false;
    const last = file.at(-1);
    const k = last ? this.pending.findIndex((p) => same(p, last)) : -1;
    if (last && k < 0) {
      // the file is ahead of the IPC messages: skip them until its last one has gone by
      this.skipUntil = last;
      return { history: file, append: [] };
    }
    return { history: file, append: this.pending.slice(k + 1) };
  }
}
