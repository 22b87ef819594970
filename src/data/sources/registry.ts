// Sources by kind name, so an experiment config says `{ "kind": "manifest", "path": ... }` and
// the engine gets a Source. Built-in sets share kind "builtin" and are told apart by "name".

import { promises as fs } from 'fs';
import * as path from 'path';
import type { Source } from '../types';
import { ConcatSource, type ConcatSpec } from './concat';
import { LimitSource } from './limit';
import { EmojiSource, type EmojiSpec } from './emoji';
import { EmojiHeldOutSource, type EmojiHeldOutSpec } from './emojiHeldOut';
import { FolderSource, type FolderSpec } from './folder';
import { IconsSource, type IconsSpec } from './icons';
import { ManifestSource, type ManifestSpec } from './manifest';
import { NoisySource, type NoisySpec } from './noisy';
import { OpenclipartSource, type OpenclipartSpec } from './openclipart';
import { SyntheticSource, type SyntheticSpec } from './synthetic';
import { WebDatasetSource, type WebDatasetSpec } from './webdataset';

export type BuiltinSpec = EmojiSpec | IconsSpec | EmojiHeldOutSpec | OpenclipartSpec;
export type SourceSpec = ManifestSpec | FolderSpec | WebDatasetSpec | SyntheticSpec | NoisySpec | ConcatSpec | BuiltinSpec;
/** Kept for code written before concat joined SourceSpec. */
export type ExtraSourceSpec = ConcatSpec;

type Factory = (spec: Record<string, unknown> & { kind: string }) => Source;

const BUILTINS: Record<string, (spec: never) => Source> = {
  emoji: (s: EmojiSpec) => new EmojiSource(s),
  icons: (s: IconsSpec) => new IconsSource(s),
  'emoji-heldout': (s: EmojiHeldOutSpec) => new EmojiHeldOutSource(s),
  openclipart: (s: OpenclipartSpec) => new OpenclipartSource(s),
};

export const BUILTIN_NAMES = Object.keys(BUILTINS);

const KINDS = new Map<string, Factory>([
  ['manifest', (s) => new ManifestSource(s as unknown as ManifestSpec)],
  ['folder', (s) => new FolderSource(s as unknown as FolderSpec)],
  ['webdataset', (s) => new WebDatasetSource(s as unknown as WebDatasetSpec)],
  ['synthetic', (s) => new SyntheticSource(s as unknown as SyntheticSpec)],
  ['noisy', (s) => new NoisySource(s as unknown as NoisySpec, createSource((s as unknown as NoisySpec).source))],
  [
    'concat',
    (s) => {
      const list = (s as unknown as ConcatSpec).sources;
      if (!Array.isArray(list)) throw new Error('a concat source needs "sources": a list of source specs');
      return new ConcatSource(list.map((p) => createSource(p)));
    },
  ],
  [
    'builtin',
    (s) => {
      const make = BUILTINS[String(s.name)];
      if (!make) throw new Error(`unknown built-in data set "${String(s.name)}": use one of ${BUILTIN_NAMES.join(', ')}`);
      return make(s as never);
    },
  ],
]);

/** Add a source kind (e.g. from a plugin or a test). */
export function registerSourceKind(kind: string, factory: Factory): void {
  KINDS.set(kind, factory);
}

export function sourceKinds(): string[] {
  return [...KINDS.keys()];
}

export function createSource(spec: SourceSpec | ExtraSourceSpec | ({ kind: string } & Record<string, unknown>)): Source {
  if (typeof spec !== 'object' || spec === null || typeof spec.kind !== 'string') {
    throw new Error(`a data source must be an object with a "kind" (${sourceKinds().join(', ')})`);
  }
  const factory = KINDS.get(spec.kind);
  if (!factory) throw new Error(`unknown data source kind "${spec.kind}": use one of ${sourceKinds().join(', ')}`);
  // "max" works on every kind: the source itself never sees it
  const { max, ...rest } = spec as Record<string, unknown> & { kind: string };
  const source = factory(rest as Record<string, unknown> & { kind: string });
  return max === undefined ? source : new LimitSource(source, max as number);
}

/**
 * What the CLI accepts in place of a JSON spec: a built-in name ("emoji"), "synthetic" or
 * "synthetic:N", a .jsonl/.csv manifest, a .tar shard or folder of shards, a folder of images with
 * .txt sidecars, a .json file holding a spec, or the JSON spec itself.
 */
export async function parseSourceArgument(arg: string): Promise<SourceSpec | ExtraSourceSpec> {
  const text = arg.trim();
  if (text.startsWith('{')) return JSON.parse(text) as SourceSpec;
  if (BUILTIN_NAMES.includes(text)) return { kind: 'builtin', name: text } as BuiltinSpec;
  const syn = /^synthetic(?::(\d+))?$/.exec(text);
  if (syn) return { kind: 'synthetic', n: syn[1] ? Number(syn[1]) : 2000 };
  let stat;
  try {
    stat = await fs.stat(text);
  } catch {
    throw new Error(`"${arg}" is neither a built-in set (${BUILTIN_NAMES.join(', ')}, synthetic[:N]) nor an existing file or folder`);
  }
  if (stat.isDirectory()) {
    const names = await fs.readdir(text);
    if (names.some((n) => n.endsWith('.tar'))) return { kind: 'webdataset', path: text };
    return { kind: 'folder', path: text };
  }
  const ext = path.extname(text).toLowerCase();
  if (ext === '.tar') return { kind: 'webdataset', path: text };
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.csv') return { kind: 'manifest', path: text };
  if (ext === '.json') return JSON.parse(await fs.readFile(text, 'utf8')) as SourceSpec;
  throw new Error(`cannot tell what kind of source "${arg}" is: expected .jsonl, .csv, .tar, .json or a folder`);
}
