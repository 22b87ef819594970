// A seeded generator we own, so shuffles and synthetic data are identical on every machine and
// Node version (Math.random cannot be seeded). xoshiro128** (Blackman & Vigna; the one
// implementation is util/rng.ts) for the stream, splitmix32 to expand a seed into its 128-bit
// state: the authors' recommended pairing.

import { Rng as CoreRng, splitmix32 } from '../util/rng';

export { splitmix32 };

/** Combine seeds (e.g. run seed and epoch) into one, order-sensitively. */
export function mixSeeds(...parts: number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) {
    // Split numbers above 2^32 so large seeds keep their high bits.
    h = splitmix32(h ^ (p >>> 0));
    h = splitmix32(h ^ Math.floor(p / 0x100000000));
  }
  return h;
}

export class Rng {
  /** The generator itself is util/rng's (one xoshiro128** in the codebase); this class keeps the
   * data layer's seeding and draws, which prepared caches and benchmarks are reproducible by. */
  private readonly core: CoreRng;

  constructor(seed: number) {
    let x = mixSeeds(seed);
    const s0 = (x = splitmix32(x));
    const s1 = (x = splitmix32(x));
    const s2 = (x = splitmix32(x));
    const s3 = splitmix32(x);
    this.core = new CoreRng((s0 | s1 | s2 | s3) === 0 ? [1, 0, 0, 0] : [s0, s1, s2, s3]); // all-zero is a fixed point
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    return this.core.nextU32();
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextU32() / 0x100000000;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!(n > 0 && n <= 0x100000000 && Number.isInteger(n))) {
      throw new RangeError(`Rng.int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    }
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * The example order of one epoch: a permutation of [0, n) that depends only on (seed, epoch), so a
 * resumed run recomputes exactly the order it was in.
 */
export function epochPermutation(n: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(mixSeeds(seed, epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
