// A manifest of image path + caption: JSONL (one object per line) or CSV with a header row.
// Image paths are relative to the manifest's folder (absolute paths work too).

import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { parseCsv } from '../csv';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { fileStamp, requireExists } from './files';

/** Config shape: `{ "kind": "manifest", "path": "data/train.jsonl" }`. */
export interface ManifestSpec extends SourceLimit {
  kind: 'manifest';
  /** The .jsonl, .ndjson or .csv file. */
  path: string;
  /** Field or column holding the image path; default: first of image, file, path, filepath, filename. */
  imageField?: string;
  /** Field or column holding the caption; default: first of caption, text, title. */
  captionField?: string;
  /** Optional class label field (for zero-shot evaluation sets); default: label when present. */
  labelField?: string;
  /** 'jsonl' or 'csv'; default from the file extension. */
  format?: 'jsonl' | 'csv';
}

const IMAGE_FIELDS = ['image', 'file', 'path', 'filepath', 'filename', 'image_path'];
const CAPTION_FIELDS = ['caption', 'text', 'title'];

export class ManifestSource implements Source {
  readonly name: string;
  private readonly file: string;
  private readonly format: 'jsonl' | 'csv';

  constructor(private readonly spec: ManifestSpec) {
    this.file = path.resolve(spec.path);
    this.format = spec.format ?? (/\.csv$/i.test(spec.path) ? 'csv' : 'jsonl');
    this.name = `manifest ${spec.path}`;
  }

  async describe(): Promise<SourceDescription> {
    await requireExists(this.file, 'manifest', 'Check the "path" of the manifest source (relative paths are from the working folder).');
    return { kind: 'manifest', format: this.format, fields: [this.spec.imageField, this.spec.captionField, this.spec.labelField], file: await fileStamp(this.file) };
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    const rows = this.format === 'csv' ? this.csvRows() : this.jsonlRows(ctx);
    const base = path.dirname(this.file);
    for await (const { line, record } of rows) {
      const where = `${this.spec.path}:${line}`;
      const imageValue = pickField(record, this.spec.imageField, IMAGE_FIELDS);
      const captionValue = pickField(record, this.spec.captionField, CAPTION_FIELDS);
      const labelValue = pickField(record, this.spec.labelField, ['label']);
      if (typeof imageValue !== 'string' || imageValue.trim() === '') {
        ctx.problem({ reason: 'bad-record', where, detail: `no image path (looked for ${this.spec.imageField ?? IMAGE_FIELDS.join(', ')})` });
        continue;
      }
      if (/^[a-z]+:\/\//i.test(imageValue)) {
        ctx.problem({ reason: 'bad-record', where, detail: `remote image ${imageValue} is not fetched: download it first (e.g. with img2dataset) and point at the file` });
        continue;
      }
      if (captionValue === undefined || captionValue === null || captionValue === '') {
        ctx.problem({ reason: 'missing-caption', where, detail: `no caption (looked for ${this.spec.captionField ?? CAPTION_FIELDS.join(', ')})` });
        continue;
      }
      if (typeof captionValue !== 'string') {
        ctx.problem({ reason: 'unreadable-caption', where, detail: `caption is a ${Array.isArray(captionValue) ? 'list' : typeof captionValue}, not text` });
        continue;
      }
      const caption = captionValue.replace(/\s+/g, ' ').trim();
      if (caption === '') {
        ctx.problem({ reason: 'missing-caption', where, detail: 'caption is blank' });
        continue;
      }
      const imagePath = path.resolve(base, imageValue);
      yield {
        id: `${path.basename(this.spec.path)}:${line}`,
        caption,
        image: { kind: 'file', path: imagePath },
        label: typeof labelValue === 'string' && labelValue !== '' ? labelValue : undefined,
        provenance: { source: 'manifest', where: imageValue, manifest: this.spec.path, line },
      };
    }
  }

  private async *jsonlRows(ctx: SourceContext): AsyncIterable<{ line: number; record: Record<string, unknown> }> {
    const lines = readline.createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (e) {
        ctx.problem({ reason: 'bad-record', where: `${this.spec.path}:${line}`, detail: `not JSON: ${(e as Error).message}` });
        continue;
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        ctx.problem({ reason: 'bad-record', where: `${this.spec.path}:${line}`, detail: 'a line must be a JSON object' });
        continue;
      }
      yield { line, record: record as Record<string, unknown> };
    }
  }

  private async *csvRows(): AsyncIterable<{ line: number; record: Record<string, unknown> }> {
    const records = parseCsv(await fs.readFile(this.file, 'utf8'));
    if (records.length === 0) return;
    const header = records[0].fields.map((h) => h.trim());
    for (const r of records.slice(1)) {
      const record: Record<string, unknown> = {};
      header.forEach((h, i) => (record[h] = r.fields[i]));
      yield { line: r.line, record };
    }
  }
}

function pickField(record: Record<string, unknown>, chosen: string | undefined, defaults: string[]): unknown {
  if (chosen !== undefined) return record[chosen];
  for (const f of defaults) if (record[f] !== undefined) return record[f];
  return undefined;
}
