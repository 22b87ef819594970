// Built-in raw pool: iconify icons, captioned from their names. The natural noise of the pool
// (good names, style-laden names, meaningless ids, near-duplicates across sets) is what JEST's
// selection is for. Licence-filtered: GPL and non-commercial sets are never read, and no emoji set
// of any style is read (the held-out evaluation style and every other: an emoji of one vendor is a
// near-duplicate of another's), so the zero-shot test stays honest.

import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { captionFromIconName, discoverSets, EXCLUDED_LICENCE_SETS, iconSvg, isEmojiSet, loadSet, setCategory, type SetLocation } from './iconify';
import { DEFAULT_HELD_OUT_STYLE } from './emojiHeldOut';
import { installAdvice } from './packages';

export const ICON_PACKAGES = [
  '@iconify-json/fluent@1.2.60',
  '@iconify-json/material-symbols@1.2.98',
  '@iconify-json/mdi@1.2.3',
  '@iconify-json/ph@1.2.2',
  '@iconify-json/tabler@1.2.41',
  '@iconify-json/ri@1.2.10',
  '@iconify-json/mingcute@1.2.8',
];

/** Config shape: `{ "kind": "builtin", "name": "icons", "sets": ["mdi", "tabler"] }`. */
export interface IconsSpec extends SourceLimit {
  kind: 'builtin';
  name: 'icons';
  /** Icon set prefixes to use; default: every installed set that passes the licence filter. */
  sets?: string[];
  /** More prefixes to leave out (the licence exclusions and the held-out style always apply). */
  excludeSets?: string[];
  /** The emoji style held out for evaluation, excluded here; default "fluent-emoji-flat". */
  heldOutStyle?: string;
}

export class IconsSource implements Source {
  readonly name = 'builtin icons';
  private chosen: SetLocation[] | undefined;

  constructor(private readonly spec: IconsSpec) {}

  private async sets(): Promise<SetLocation[]> {
    if (this.chosen) return this.chosen;
    const installed = await discoverSets();
    const excluded = new Set([...EXCLUDED_LICENCE_SETS, this.spec.heldOutStyle ?? DEFAULT_HELD_OUT_STYLE, ...(this.spec.excludeSets ?? [])]);
    const categories = new Map(await Promise.all(installed.map(async (s) => [s.prefix, await setCategory(s)] as const)));
    for (const s of installed) if (isEmojiSet(s.prefix, categories.get(s.prefix))) excluded.add(s.prefix);
    let sets = installed.filter((s) => !excluded.has(s.prefix));
    if (this.spec.sets) {
      const bad = this.spec.sets.filter((p) => excluded.has(p) || isEmojiSet(p));
      if (bad.length) throw new Error(`icon sets ${bad.join(', ')} are excluded (licence, or emoji: every emoji style is a near-duplicate of the held-out evaluation images); remove them from "sets"`);
      const missing = this.spec.sets.filter((p) => !installed.some((s) => s.prefix === p));
      if (missing.length) throw new Error(`icon sets not installed: ${missing.join(', ')}. To install them, ${installAdvice(missing.map((m) => `@iconify-json/${m}`))}`);
      sets = sets.filter((s) => this.spec.sets!.includes(s.prefix));
    }
    if (sets.length === 0) {
      throw new Error(`the icons set needs iconify icon sets and none is installed. To install them, ${installAdvice(ICON_PACKAGES)}`);
    }
    return (this.chosen = sets);
  }

  async describe(): Promise<SourceDescription> {
    const sets = await this.sets();
    return { kind: 'builtin', name: 'icons', sets: sets.map((s) => `${s.packageName === '@iconify/json' ? s.prefix + '@iconify/json' : s.packageName}@${s.version}`) };
  }

  async estimateCount(): Promise<number> {
    let n = 0;
    for (const loc of await this.sets()) n += Object.keys((await loadSet(loc)).icons).length;
    return n;
  }

  /**
   * Icons interleaved round-robin across sets (each set in name order), so that a prefix of the
   * stream (`max`) is a mix of sets rather than the first set alone.
   */
  async *examples(_ctx: SourceContext): AsyncIterable<Example> {
    const loaded = await Promise.all((await this.sets()).map(async (loc) => ({ loc, set: await loadSet(loc) })));
    const names = loaded.map(({ set }) => Object.keys(set.icons).sort());
    const longest = Math.max(...names.map((n) => n.length));
    for (let i = 0; i < longest; i++) {
      for (let s = 0; s < loaded.length; s++) {
        const name = names[s][i];
        if (name === undefined) continue;
        const { loc, set } = loaded[s];
        const { caption, style } = captionFromIconName(name);
        yield {
          id: `${loc.prefix}:${name}`,
          caption,
          image: { kind: 'svg', text: iconSvg(set, set.icons[name]) },
          provenance: { source: 'icons', where: `${loc.prefix}:${name}`, licence: set.info?.license?.spdx ?? set.info?.license?.title, style: style || undefined },
        };
      }
    }
  }
}
