// Reading iconify icon sets: from individual @iconify-json/<set> packages (what package.json
// installs) or from the full @iconify/json collection when that is installed. Builds the SVG for
// one icon and turns icon names into captions.

import { promises as fs } from 'fs';
import * as path from 'path';
import { packageDir } from './packages';

export interface IconifyIcon {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}

export interface IconifySet {
  prefix: string;
  icons: Record<string, IconifyIcon>;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
  info?: { name?: string; license?: { spdx?: string; title?: string } };
}

/** Sets whose licences forbid our use (GPL or non-commercial), per the data-sources research. */
export const EXCLUDED_LICENCE_SETS = ['cbi', 'ps', 'gridicons', 'wordpress', 'dashicons', 'gala', 'icomoon-free', 'et'];

/**
 * Emoji sets in iconify (every style of them, not only the held-out evaluation style): an emoji
 * image of any vendor is a near-duplicate of an evaluation image, so none may enter the icon pool.
 * Known prefixes, any prefix naming emoji, and any set whose info says category "Emoji".
 */
export const EMOJI_SETS = ['fluent-emoji', 'fluent-emoji-flat', 'fluent-emoji-high-contrast', 'noto', 'noto-v1', 'twemoji', 'openmoji', 'emojione', 'emojione-v1', 'emojione-monotone', 'fxemoji', 'streamline-emojis', 'emojione-v2'];

export function isEmojiSet(prefix: string, category?: string): boolean {
  return EMOJI_SETS.includes(prefix) || /emoji/i.test(prefix) || category === 'Emoji';
}

/** The category a single-set package's info.json, or the full collection's collections.json, gives. */
export async function setCategory(loc: SetLocation): Promise<string | undefined> {
  try {
    if (loc.packageName === '@iconify/json') {
      // json/<set>.json beside the package's collections.json index (prefix -> info)
      const index = JSON.parse(await fs.readFile(path.join(path.dirname(path.dirname(loc.file)), 'collections.json'), 'utf8')) as Record<string, { category?: string }>;
      return index[loc.prefix]?.category;
    }
    const info = JSON.parse(await fs.readFile(path.join(path.dirname(loc.file), 'info.json'), 'utf8')) as { category?: string };
    return info.category;
  } catch {
    return undefined;
  }
}

export interface SetLocation {
  prefix: string;
  file: string; // the set's JSON (icons.json of a single-set package, or json/<set>.json)
  packageName: string;
  version: string;
}

/** Every installed set, single-set packages first (they are pinned in package.json). */
export async function discoverSets(): Promise<SetLocation[]> {
  const found = new Map<string, SetLocation>();
  const anchor = packageDir('@iconify-json/mdi') ?? firstScopedPackage();
  const scopeDir = anchor ? path.dirname(anchor) : undefined;
  if (scopeDir) {
    for (const name of (await fs.readdir(scopeDir)).sort()) {
      const dir = path.join(scopeDir, name);
      try {
        const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string };
        found.set(name, { prefix: name, file: path.join(dir, 'icons.json'), packageName: `@iconify-json/${name}`, version: pkg.version });
      } catch {
        /* not a set package */
      }
    }
  }
  const full = packageDir('@iconify/json');
  if (full) {
    const pkg = JSON.parse(await fs.readFile(path.join(full, 'package.json'), 'utf8')) as { version: string };
    for (const f of (await fs.readdir(path.join(full, 'json'))).sort()) {
      const prefix = f.replace(/\.json$/, '');
      if (!found.has(prefix)) found.set(prefix, { prefix, file: path.join(full, 'json', f), packageName: '@iconify/json', version: pkg.version });
    }
  }
  return [...found.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
}

function firstScopedPackage(): string | undefined {
  // Any @iconify-json package will do to find the scope folder.
  for (const name of ['material-symbols', 'tabler', 'ph', 'fluent', 'ri', 'mingcute', 'fluent-emoji-flat']) {
    const d = packageDir(`@iconify-json/${name}`);
    if (d) return d;
  }
  return undefined;
}

export async function loadSet(loc: SetLocation): Promise<IconifySet> {
  const set = JSON.parse(await fs.readFile(loc.file, 'utf8')) as IconifySet;
  if (!set.info) {
    // Single-set packages keep the licence in info.json beside icons.json.
    try {
      set.info = JSON.parse(await fs.readFile(path.join(path.dirname(loc.file), 'info.json'), 'utf8')) as IconifySet['info'];
    } catch {
      /* licence unknown */
    }
  }
  return set;
}

/**
 * A standalone SVG for one icon. Monochrome icons draw in currentColor, which has no value outside
 * a page: it becomes black. xmlns:xlink is declared because some bodies use xlink:href.
 */
export function iconSvg(set: IconifySet, icon: IconifyIcon): string {
  const w = icon.width ?? set.width ?? 16;
  const h = icon.height ?? set.height ?? 16;
  const left = icon.left ?? set.left ?? 0;
  const top = icon.top ?? set.top ?? 0;
  const body = icon.body.replace(/currentColor/g, '#000');
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}" viewBox="${left} ${top} ${w} ${h}">${body}</svg>`;
}

// Trailing words that name a drawing style or a pixel grid, not the thing drawn:
// "brain-circuit-24-regular" is a brain circuit.
const STYLE_WORDS = new Set([
  'regular', 'filled', 'fill', 'outline', 'outlined', 'line', 'linear', 'bold', 'duotone', 'light', 'thin',
  'solid', 'sharp', 'rounded', 'round', 'twotone', 'two', 'tone', 'broken', 'color', 'colored', 'stroke', 'off-outline',
]);
const GRID_SIZES = new Set(['10', '12', '16', '20', '24', '28', '32', '48']);

/** Caption from an icon name: style and grid-size words stripped from the end, dashes to spaces. */
export function captionFromIconName(name: string): { caption: string; style: string } {
  const words = name.toLowerCase().split(/[-_]+/).filter(Boolean);
  const style: string[] = [];
  while (words.length > 1 && (STYLE_WORDS.has(words[words.length - 1]) || GRID_SIZES.has(words[words.length - 1]))) {
    style.unshift(words.pop()!);
  }
  return { caption: words.join(' '), style: style.join(' ') };
}
