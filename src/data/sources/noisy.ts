// Wraps any source and spoils a seeded fraction of its captions: 'mismatched' takes the caption of
// another example, 'vague' replaces it with a caption that fits anything. The label stays true.
// E.g. a noisy emoji variant for benchmarks of what JEST filters out:
//   { "kind": "noisy", "source": { "kind": "builtin", "name": "emoji" }, "mismatchFraction": 0.2 }

import { Rng } from '../prng';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';

export interface NoisySpec extends SourceLimit {
  kind: 'noisy';
  source: { kind: string; [key: string]: unknown };
  mismatchFraction?: number;
  vagueFraction?: number;
  seed?: number;
  /** Default: "an emoji", "a symbol", "an icon", "a picture", "something". */
  vagueCaptions?: string[];
}

const DEFAULT_VAGUE = ['an emoji', 'a symbol', 'an icon', 'a picture', 'something'];
// Captions kept to draw mismatches from: a uniform reservoir sample of everything seen so far, so
// a mismatch is not just the neighbouring (often similar) caption of a sorted source.
const RESERVOIR = 4096;

export class NoisySource implements Source {
  readonly name: string;

  constructor(
    private readonly spec: NoisySpec,
    private readonly inner: Source,
  ) {
    this.name = `noisy ${inner.name}`;
    const m = spec.mismatchFraction ?? 0;
    const v = spec.vagueFraction ?? 0;
    if (!(m >= 0 && v >= 0 && m + v <= 1)) throw new RangeError(`noisy: mismatchFraction (${m}) and vagueFraction (${v}) must be >= 0 and add up to at most 1`);
  }

  async describe(): Promise<SourceDescription> {
    const { source: _inner, ...rest } = this.spec;
    return { ...rest, source: await this.inner.describe() };
  }

  async estimateCount(): Promise<number | undefined> {
    return this.inner.estimateCount?.();
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    const rng = new Rng(this.spec.seed ?? 0);
    const m = this.spec.mismatchFraction ?? 0;
    const v = this.spec.vagueFraction ?? 0;
    const vague = this.spec.vagueCaptions ?? DEFAULT_VAGUE;
    const reservoir: string[] = [];
    let seen = 0;
    for await (const ex of this.inner.examples(ctx)) {
      const u = rng.float();
      let out: Example = { ...ex, noise: 'clean' };
      if (u < m) {
        const others = reservoir.filter((c) => c !== ex.caption);
        if (others.length > 0) out = { ...ex, caption: rng.pick(others), noise: 'mismatched' };
      } else if (u < m + v) out = { ...ex, caption: rng.pick(vague), noise: 'vague' };
      out.provenance = { ...ex.provenance, noise: out.noise, trueCaption: out.noise === 'clean' ? undefined : ex.caption };
      seen++;
      if (reservoir.length < RESERVOIR) reservoir.push(ex.caption);
      else {
        const slot = rng.int(seen);
        if (slot < RESERVOIR) reservoir[slot] = ex.caption;
      }
      yield out;
    }
  }
}
