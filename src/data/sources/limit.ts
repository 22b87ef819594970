// "max" on any source spec: read at most that many examples from it (e.g. 20,000 icons plus all
// the emoji in one pool). The limit is part of the description, so it changes the cache key.
import type { Example, Source, SourceContext, SourceDescription } from '../types';

export class LimitSource implements Source {
  readonly name: string;

  constructor(
    private readonly inner: Source,
    private readonly max: number,
  ) {
    if (!(Number.isInteger(max) && max >= 0)) throw new RangeError(`a source's "max" must be a non-negative integer, got ${max}`);
    this.name = `${inner.name} (first ${max})`;
  }

  async describe(): Promise<SourceDescription> {
    return { ...(await this.inner.describe()), max: this.max };
  }

  async estimateCount(): Promise<number | undefined> {
    const n = await this.inner.estimateCount?.();
    return n === undefined ? this.max : Math.min(n, this.max);
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    if (this.max === 0) return;
    let n = 0;
    for await (const ex of this.inner.examples(ctx)) {
      yield ex;
      if (++n >= this.max) return;
    }
  }
}
