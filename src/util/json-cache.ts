// A small result computed once and kept on disk by a key (a fitted temperature, a baseline's
// evaluation): read it back when there, else compute and write it atomically (runs/folder.ts).
import { promises as fs, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../runs/folder';

export async function cachedJson<T>(file: string, compute: () => Promise<T>): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    const value = await compute();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(value));
    return value;
  }
}
