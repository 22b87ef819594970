// Several sources read one after the other as one, e.g. a raw pool of icons plus openclipart:
//   { "kind": "concat", "sources": [{ "kind": "builtin", "name": "icons" }, { "kind": "folder", "path": "mine" }] }
// Ids are prefixed with the source's position so they stay unique. An entry may carry "max" to
// take at most that many examples from it: { "kind": "builtin", "name": "icons", "max": 20000 }.

import type { Example, Source, SourceContext, SourceDescription } from '../types';

export interface ConcatSpec {
  kind: 'concat';
  sources: ({ kind: string; max?: number; [key: string]: unknown })[];
}

export class ConcatSource implements Source {
  readonly name: string;

  constructor(
    private readonly parts: Source[],
    private readonly limits: (number | undefined)[] = [],
  ) {
    if (parts.length === 0) throw new Error('a concat source needs at least one entry in "sources"');
    this.name = parts.map((p) => p.name).join(' + ');
  }

  async describe(): Promise<SourceDescription> {
    const sources = await Promise.all(this.parts.map((p) => p.describe()));
    return { kind: 'concat', sources: sources.map((d, i) => (this.limits[i] === undefined ? d : { ...d, max: this.limits[i] })) };
  }

  async estimateCount(): Promise<number | undefined> {
    let total = 0;
    for (const p of this.parts) {
      const n = await p.estimateCount?.();
      const limit = this.limits[this.parts.indexOf(p)];
      if (n === undefined && limit === undefined) return undefined;
      total += Math.min(n ?? Infinity, limit ?? Infinity);
    }
    return total;
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    for (const [i, part] of this.parts.entries()) {
      const limit = this.limits[i] ?? Infinity;
      let n = 0;
      if (n >= limit) continue;
      for await (const ex of part.examples(ctx)) {
        yield { ...ex, id: `${i}/${ex.id}` };
        if (++n >= limit) break;
      }
    }
  }
}
