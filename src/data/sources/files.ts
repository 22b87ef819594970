// File helpers shared by the file-based sources.

import { promises as fs } from 'fs';
import * as path from 'path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.svg', '.gif', '.tif', '.tiff', '.avif']);

/** Size and mtime: enough to notice an edited file in the cache fingerprint without hashing it. */
export async function fileStamp(p: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  const st = await fs.stat(p);
  return { path: path.resolve(p), size: st.size, mtimeMs: Math.round(st.mtimeMs) };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode caption bytes; undefined when they are not valid UTF-8 (e.g. a binary file named .txt). */
export function decodeCaption(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes).replace(/^\uFEFF/, '').replace(/\s+/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/** All files under a folder, sorted, so every run sees the same order. */
export async function listFilesRecursive(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  }
  await walk(root);
  return out;
}

export async function requireExists(p: string, what: string, fix: string): Promise<void> {
  try {
    await fs.access(p);
  } catch {
    throw new Error(`${what} not found: ${p}. ${fix}`);
  }
}
