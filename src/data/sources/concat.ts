// Several sources read one after the other as one, e.g. a raw pool of icons plus openclipart:
//   { "kind": "concat", "sources": [{ "kind": "builtin", "name": "icons" }, { "kind": "folder", "path": "mine" }] }
// Ids are prefixed with the source's position so they stay unique. An entry may carry "max" (as
// any source may) to take at most that many examples from it: { "kind": "builtin", "name": "icons", "max": 20000 }.

import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';

export interface ConcatSpec extends SourceLimit {
  kind: 'concat';
  /** Read one after another; each may carry its own "max". */
  sources: ({ kind: string } & SourceLimit & Record<string, unknown>)[];
}

export class ConcatSource implements Source {
  readonly name: string;

  constructor(private readonly parts: Source[]) {
    if (parts.length === 0) throw new Error('a concat source needs at least one entry in "sources"');
    this.name = parts.map((p) => p.name).join(' + ');
  }

  async describe(): Promise<SourceDescription> {
    return { kind: 'concat', sources: await Promise.all(this.parts.map((p) => p.describe())) };
  }

  async estimateCount(): Promise<number | undefined> {
    let total = 0;
    for (const p of this.parts) {
      const n = await p.estimateCount?.();
      if (n === undefined) return undefined;
      total += n;
    }
    return total;
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    for (const [i, part] of this.parts.entries()) {
      for await (const ex of part.examples(ctx)) yield { ...ex, id: `${i}/${ex.id}` };
    }
  }
}
