// A folder of images, each with a sidecar caption file of the same stem: cat.jpg + cat.txt.
// Subfolders are searched too; order is sorted by path so runs are reproducible.

import { promises as fs } from 'fs';
import * as path from 'path';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { decodeCaption, IMAGE_EXTENSIONS, listFilesRecursive, requireExists } from './files';

/** Config shape: `{ "kind": "folder", "path": "data/images" }`. */
export interface FolderSpec extends SourceLimit {
  kind: 'folder';
  path: string;
  /** Sidecar extension; default ".txt". */
  captionExtension?: string;
  /** Use the image's parent folder name as its class label (ImageNet-style layouts). */
  labelFromFolder?: boolean;
}

export class FolderSource implements Source {
  readonly name: string;
  private readonly root: string;
  private files: string[] | undefined;

  constructor(private readonly spec: FolderSpec) {
    this.root = path.resolve(spec.path);
    this.name = `folder ${spec.path}`;
  }

  private async listing(): Promise<string[]> {
    if (!this.files) {
      await requireExists(this.root, 'image folder', 'Check the "path" of the folder source.');
      this.files = await listFilesRecursive(this.root);
    }
    return this.files;
  }

  async describe(): Promise<SourceDescription> {
    const files = await this.listing();
    // Count, total size and newest mtime: a cheap stamp that changes when files are added or edited.
    let bytes = 0;
    let newest = 0;
    for (const f of files) {
      const st = await fs.stat(f);
      bytes += st.size;
      newest = Math.max(newest, st.mtimeMs);
    }
    return { kind: 'folder', root: this.root, captionExtension: this.captionExt, labelFromFolder: !!this.spec.labelFromFolder, files: files.length, bytes, newest: Math.round(newest) };
  }

  async estimateCount(): Promise<number> {
    return (await this.listing()).filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase())).length;
  }

  private get captionExt(): string {
    return this.spec.captionExtension ?? '.txt';
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    const files = await this.listing();
    const present = new Set(files);
    for (const file of files) {
      if (!IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) continue;
      const rel = path.relative(this.root, file);
      const sidecar = file.slice(0, file.length - path.extname(file).length) + this.captionExt;
      if (!present.has(sidecar)) {
        ctx.problem({ reason: 'missing-caption', where: rel, detail: `no ${path.basename(sidecar)} beside the image` });
        continue;
      }
      const caption = decodeCaption(await fs.readFile(sidecar));
      if (caption === undefined) {
        ctx.problem({ reason: 'unreadable-caption', where: path.relative(this.root, sidecar), detail: 'caption file is not valid UTF-8 text' });
        continue;
      }
      if (caption === '') {
        ctx.problem({ reason: 'missing-caption', where: path.relative(this.root, sidecar), detail: 'caption file is empty' });
        continue;
      }
      yield {
        id: rel,
        caption,
        image: { kind: 'file', path: file },
        label: this.spec.labelFromFolder ? path.basename(path.dirname(file)) : undefined,
        provenance: { source: 'folder', where: rel },
      };
    }
  }
}
