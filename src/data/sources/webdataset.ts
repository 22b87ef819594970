// WebDataset tar shards as img2dataset writes them: members grouped by key, e.g.
//   00000/000000012.jpg  00000/000000012.txt  00000/000000012.json
// The key is the member path up to the first dot of its file name; the part after is the field.
// Shards are read as streams, one member at a time.

import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import { CorruptTarError, readTar, TruncatedTarError, type TarEntry } from '../tar';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { decodeCaption, fileStamp, requireExists } from './files';

/** Config shape: `{ "kind": "webdataset", "path": "shards/" }` or `"path": ["a.tar", "b.tar"]`. */
export interface WebDatasetSpec extends SourceLimit {
  kind: 'webdataset';
  /** A .tar shard, a folder of .tar shards, or a list of shard paths. */
  path: string | string[];
  /** Image fields tried in order; default jpg, jpeg, png, webp. */
  imageFields?: string[];
}

const DEFAULT_IMAGE_FIELDS = ['jpg', 'jpeg', 'png', 'webp'];

interface Sample {
  key: string;
  fields: Map<string, Buffer>;
}

function splitKey(name: string): { key: string; field: string } | undefined {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  if (dot < 0) return undefined;
  return { key: name.slice(0, dot), field: name.slice(dot + 1).toLowerCase() };
}

export class WebDatasetSource implements Source {
  readonly name: string;
  private shards: string[] | undefined;

  constructor(private readonly spec: WebDatasetSpec) {
    this.name = `webdataset ${Array.isArray(spec.path) ? `${spec.path.length} shards` : spec.path}`;
  }

  private async shardList(): Promise<string[]> {
    if (this.shards) return this.shards;
    const given = Array.isArray(this.spec.path) ? this.spec.path : [this.spec.path];
    const out: string[] = [];
    for (const p of given) {
      await requireExists(p, 'WebDataset shard or folder', 'Check the "path" of the webdataset source.');
      if ((await fs.stat(p)).isDirectory()) {
        const names = (await fs.readdir(p)).filter((n) => n.endsWith('.tar')).sort();
        out.push(...names.map((n) => path.resolve(p, n)));
      } else out.push(path.resolve(p));
    }
    if (out.length === 0) throw new Error(`no .tar shards in ${given.join(', ')}: point "path" at the shards img2dataset wrote (output_format=webdataset)`);
    return (this.shards = out);
  }

  async describe(): Promise<SourceDescription> {
    const shards = await this.shardList();
    return { kind: 'webdataset', imageFields: this.spec.imageFields ?? DEFAULT_IMAGE_FIELDS, shards: await Promise.all(shards.map(fileStamp)) };
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    for (const shard of await this.shardList()) yield* this.shardExamples(shard, ctx);
  }

  private async *shardExamples(shard: string, ctx: SourceContext): AsyncIterable<Example> {
    const shardName = path.basename(shard);
    let current: Sample | undefined;
    const flush = (s: Sample) => this.toExample(s, shardName, ctx);
    try {
      for await (const entry of readTar(createReadStream(shard, { highWaterMark: 1 << 20 }))) {
        const parts = splitKey(entry.name);
        if (!parts) continue; // e.g. a stray README without a field
        if (current && current.key !== parts.key) {
          const ex = flush(current);
          if (ex) yield ex;
          current = undefined;
        }
        current ??= { key: parts.key, fields: new Map() };
        current.fields.set(parts.field, (entry as TarEntry).data);
      }
      if (current) {
        const ex = flush(current);
        if (ex) yield ex;
      }
    } catch (e) {
      if (e instanceof TruncatedTarError || e instanceof CorruptTarError) {
        // The sample being read is incomplete; everything before it was yielded.
        const reason = e instanceof TruncatedTarError ? 'truncated-tar' : 'bad-record';
        ctx.problem({ reason, where: current ? `${shardName}:${current.key}` : shardName, detail: `${e.message}; the rest of this shard is skipped (re-download it)` });
        return;
      }
      throw e;
    }
  }

  private toExample(s: Sample, shardName: string, ctx: SourceContext): Example | undefined {
    const where = `${shardName}:${s.key}`;
    const fields = this.spec.imageFields ?? DEFAULT_IMAGE_FIELDS;
    const imageField = fields.find((f) => s.fields.has(f));
    if (!imageField) {
      ctx.problem({ reason: 'missing-image', where, detail: `no image member (${fields.join('/')}) for this key` });
      return undefined;
    }
    let caption: string | undefined;
    let meta: Record<string, unknown> = {};
    const json = s.fields.get('json');
    if (json) {
      try {
        meta = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
      } catch {
        meta = {};
      }
    }
    const txt = s.fields.get('txt');
    if (txt) {
      caption = decodeCaption(txt);
      if (caption === undefined) {
        ctx.problem({ reason: 'unreadable-caption', where: `${where}.txt`, detail: 'caption is not valid UTF-8 text' });
        return undefined;
      }
    } else if (typeof meta.caption === 'string') caption = meta.caption.replace(/\s+/g, ' ').trim();
    if (!caption) {
      ctx.problem({ reason: 'missing-caption', where, detail: 'no .txt member and no "caption" in .json' });
      return undefined;
    }
    return {
      id: where,
      caption,
      image: { kind: 'buffer', data: s.fields.get(imageField)!, format: imageField },
      provenance: { source: 'webdataset', where: `${where}.${imageField}`, url: typeof meta.url === 'string' ? meta.url : undefined },
    };
  }
}
