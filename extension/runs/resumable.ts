// Which runs Resume applies to: not live, not finished, and with the checkpoint `resume` starts
// from. The tree and the palette's context keys ask on every summary change (every step of a live
// run), so whether the checkpoint exists is asked of the disk only when a run's status or
// liveness changes: a run that is neither live nor resumed writes no checkpoint.
import { hasAnyCheckpoint } from '../../src/runs/checkpoints';
import type { RunSummary } from './summary';


export class Resumability {
  private readonly known = new Map<string, { key: string; checkpoint: boolean }>();

  isResumable(r: Pick<RunSummary, 'dir' | 'status' | 'live'>): boolean {
    if (r.live || r.status === 'finished') return false;
    const key = `${r.status}:${r.live}`;
    let k = this.known.get(r.dir);
    if (!k || k.key !== key) {
      k = { key, checkpoint: hasAnyCheckpoint(r.dir) };
      this.known.set(r.dir, k);
    }
    return k.checkpoint;
  }
}

/** One cache for the whole window (the tree and the context keys ask about the same runs). */
export const resumability = new Resumability();
