// The batch iterator: deterministic epochs, prefetch, and a position that can be saved in a
// checkpoint and handed back to resume at exactly the next batch.

import { epochPermutation } from '../prng';
import type { Batch, PreparedDataset } from './dataset';

/** Where an iterator stands: plain JSON, stored in checkpoints. */
export interface BatchPosition {
  seed: number;
  epoch: number;
  /** Rows of this epoch's order already delivered. */
  cursor: number;
  batchSize: number;
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle seed; each epoch's order is a permutation drawn from (seed, epoch). */
  seed?: number;
  /** Resume here (from a Batch's or the iterator's `position`). */
  position?: BatchPosition;
  /** Batches assembled ahead; default 2. */
  prefetch?: number;
  /**
   * Drop an epoch's last partial batch; default true, because the train-step graph has static
   * shapes. With false the last batch of an epoch is shorter.
   */
  dropLast?: boolean;
  /** Stop after this many epochs (counted from epoch 0); default: never. */
  epochs?: number;
  /** Shuffle; default true. false reads rows in cache order (evaluation). */
  shuffle?: boolean;
}

export interface PositionedBatch extends Batch {
  epoch: number;
  /** Where the iterator stands after this batch: save this to resume after it. */
  position: BatchPosition;
}

export class BatchIterator implements AsyncIterableIterator<PositionedBatch> {
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly dropLast: boolean;
  private readonly shuffle: boolean;
  private readonly epochs: number;
  private readonly prefetchDepth: number;
  /** The plan's cursor: where the next batch to be ASSEMBLED starts (ahead of what was delivered). */
  private planEpoch: number;
  private planCursor: number;
  private delivered: BatchPosition;
  private order: { epoch: number; perm: Uint32Array } | undefined;
  /** Prefetched batches; they never reject (an error is carried and thrown by next()). */
  private readonly queue: Promise<{ batch?: PositionedBatch; error?: unknown }>[] = [];
  private stopped = false;

  constructor(
    private readonly dataset: PreparedDataset,
    options: BatchOptions,
  ) {
    this.batchSize = options.batchSize;
    this.seed = options.position?.seed ?? options.seed ?? 0;
    this.dropLast = options.dropLast ?? true;
    this.shuffle = options.shuffle ?? true;
    this.epochs = options.epochs ?? Infinity;
    this.prefetchDepth = Math.max(1, options.prefetch ?? 2);
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    if (this.dropLast && this.batchSize > dataset.size) {
      throw new RangeError(`batchSize ${this.batchSize} is larger than the prepared set (${dataset.size} examples): lower it or prepare more data`);
    }
    const p = options.position;
    if (p && p.batchSize !== this.batchSize) throw new RangeError(`position was saved with batchSize ${p.batchSize}, not ${this.batchSize}`);
    if (p && options.seed !== undefined && p.seed !== options.seed) throw new RangeError(`position was saved with seed ${p.seed}, not ${options.seed}`);
    this.planEpoch = p?.epoch ?? 0;
    this.planCursor = p?.cursor ?? 0;
    this.delivered = { seed: this.seed, epoch: this.planEpoch, cursor: this.planCursor, batchSize: this.batchSize };
  }

  /** Position after the last batch handed out: resume from here. */
  get position(): BatchPosition {
    return { ...this.delivered };
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.dataset.size;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  private permutation(epoch: number): Uint32Array {
    if (this.order?.epoch !== epoch) {
      const n = this.dataset.size;
      const perm = this.shuffle ? epochPermutation(n, this.seed, epoch) : Uint32Array.from({ length: n }, (_, i) => i);
      this.order = { epoch, perm };
    }
    return this.order.perm;
  }

  /** Assemble the next planned batch, advancing the plan. */
  private assemble(): PositionedBatch | undefined {
    const n = this.dataset.size;
    const left = n - this.planCursor;
    if (left <= 0 || (this.dropLast && left < this.batchSize)) {
      this.planEpoch++;
      this.planCursor = 0;
    }
    if (this.planEpoch >= this.epochs) return undefined;
    const perm = this.permutation(this.planEpoch);
    const end = Math.min(n, this.planCursor + this.batchSize);
    const batch = this.dataset.get(perm.subarray(this.planCursor, end));
    const epoch = this.planEpoch;
    this.planCursor = end;
    return { ...batch, epoch, position: { seed: this.seed, epoch, cursor: end, batchSize: this.batchSize } };
  }

  private fill(): void {
    while (!this.stopped && this.queue.length < this.prefetchDepth) {
      // Each batch is assembled on a later turn of the event loop, so the trainer's own work
      // (an awaited ORT run) overlaps with the copies.
      this.queue.push(
        new Promise((resolve) =>
          setImmediate(() => {
            if (this.stopped) return resolve({}); // the consumer left (and may have closed the set)
            try {
              resolve({ batch: this.assemble() });
            } catch (error) {
              resolve({ error });
            }
          }),
        ),
      );
    }
  }

  async next(): Promise<IteratorResult<PositionedBatch>> {
    if (this.stopped) return { done: true, value: undefined };
    this.fill();
    const { batch, error } = await this.queue.shift()!;
    if (error !== undefined) {
      this.stopped = true;
      throw error;
    }
    if (!batch) {
      this.stopped = true;
      return { done: true, value: undefined };
    }
    this.delivered = batch.position;
    this.fill();
    return { done: false, value: batch };
  }

  async return(): Promise<IteratorResult<PositionedBatch>> {
    this.stopped = true;
    this.queue.length = 0;
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
