// The synthetic generator as a source kind, so an experiment config can train on it.

import { synthetic, type SyntheticClass } from '../synthetic';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';

/** Config shape: `{ "kind": "synthetic", "n": 2000, "seed": 1, "mismatchFraction": 0.2 }`. */
export interface SyntheticSpec extends SourceLimit {
  kind: 'synthetic';
  n: number;
  seed?: number;
  /** Drawn size before the prepare step resamples to the model's size; default 32. */
  imageSize?: number;
  mismatchFraction?: number;
  vagueFraction?: number;
  duplicateFraction?: number;
  classes?: SyntheticClass[];
  sizeWords?: boolean;
}

export class SyntheticSource implements Source {
  readonly name: string;

  constructor(private readonly spec: SyntheticSpec) {
    this.name = `synthetic n=${spec.n} seed=${spec.seed ?? 0}`;
  }

  async describe(): Promise<SourceDescription> {
    return { ...this.spec, generator: 1 };
  }

  async estimateCount(): Promise<number> {
    return this.spec.n;
  }

  async *examples(_ctx: SourceContext): AsyncIterable<Example> {
    yield* synthetic({ ...this.spec, imageSize: this.spec.imageSize ?? 32 });
  }
}
