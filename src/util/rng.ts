// Seeded, serialisable random numbers (xoshiro128**): every random choice in a run (parameter
// init, shuffling, selection sampling) comes from one of these, so a run is reproducible and its
// generator state can be checkpointed and resumed exactly.

export type RngState = [number, number, number, number];

/** splitmix32 step: a strong 32-bit mixer (seeds xoshiro's state; also derives sub-seeds). */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private s: Uint32Array;

  constructor(seed: number | RngState) {
    this.s = new Uint32Array(4);
    if (Array.isArray(seed)) {
      this.s.set(seed);
    } else {
      // splitmix32 over seed, seed + φ, seed + 2φ, ... expands one number into a well-mixed state
      for (let i = 0; i < 4; i++) this.s[i] = splitmix32(((seed >>> 0) + Math.imul(i, 0x9e3779b9)) >>> 0);
      if (this.s.every((v) => v === 0)) this.s[0] = 1;
    }
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller; one draw per call keeps the state simple to save). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /**
   * Gumbel(0, 1) noise, for sampling without replacement by Gumbel-top-k. One 32-bit draw, at the
   * centre of its bin so u is in (0, 1): the noise spans about [−3.1, 22.2], beyond which the
   * Gumbel distribution has probability < 2e-9; selection draws ~20k of these per step.
   */
  gumbel(): number {
    return -Math.log(-Math.log((this.nextU32() + 0.5) * 2.3283064365386963e-10));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(xs: T[] | Int32Array | Uint32Array): void {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
  }

  /** A child generator for an independent stream (e.g. one per epoch or per purpose). */
  fork(tag: number): Rng {
    return new Rng((this.nextU32() ^ Math.imul(tag + 1, 0x9e3779b1)) >>> 0);
  }

  /** Continue from a saved state (checkpoint resume). */
  setState(state: RngState): void {
    this.s.set(state);
  }

  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
