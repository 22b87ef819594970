// Optional extra raw data: Debian's openclipart-svg package (8,121 public-domain SVGs under
// /usr/share/openclipart/svg/<category>/). Captions are the <title> inside each file, which is
// often wrong, generic or not English: real caption noise.

import { promises as fs } from 'fs';
import * as path from 'path';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { listFilesRecursive } from './files';

/** Config shape: `{ "kind": "builtin", "name": "openclipart" }`. */
export interface OpenclipartSpec extends SourceLimit {
  kind: 'builtin';
  name: 'openclipart';
  /** Default /usr/share/openclipart/svg. */
  path?: string;
  /** Append the file's keywords to its title; default false. */
  keywords?: boolean;
}

export const OPENCLIPART_DIR = '/usr/share/openclipart/svg';

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

export class OpenclipartSource implements Source {
  readonly name = 'builtin openclipart';
  private readonly root: string;

  constructor(private readonly spec: OpenclipartSpec) {
    this.root = spec.path ?? OPENCLIPART_DIR;
  }

  private async files(): Promise<string[]> {
    try {
      await fs.access(this.root);
    } catch {
      throw new Error(`openclipart is not installed (${this.root} does not exist). On Debian/Ubuntu run:\n  apt-get install openclipart-svg\nor use another source (emoji, icons, a manifest).`);
    }
    return (await listFilesRecursive(this.root)).filter((f) => f.endsWith('.svg'));
  }

  async describe(): Promise<SourceDescription> {
    const files = await this.files();
    return { kind: 'builtin', name: 'openclipart', root: this.root, files: files.length, keywords: !!this.spec.keywords };
  }

  async estimateCount(): Promise<number> {
    return (await this.files()).length;
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    for (const file of await this.files()) {
      const rel = path.relative(this.root, file);
      const text = await fs.readFile(file, 'utf8');
      const title = /<title[^>]*>([^<]*)<\/title>/.exec(text)?.[1]?.trim() || /<dc:title>([^<]*)<\/dc:title>/.exec(text)?.[1]?.trim();
      if (!title) {
        ctx.problem({ reason: 'missing-caption', where: rel, detail: 'no <title> in the SVG' });
        continue;
      }
      let caption = unescapeXml(title);
      if (this.spec.keywords) {
        const words = [...text.matchAll(/<rdf:li>([^<]*)<\/rdf:li>/g)].map((m) => unescapeXml(m[1].trim())).filter(Boolean);
        if (words.length) caption += `, ${words.join(', ')}`;
      }
      yield { id: rel, caption, image: { kind: 'file', path: file }, provenance: { source: 'openclipart', where: rel, licence: 'CC0-1.0' } };
    }
  }
}
