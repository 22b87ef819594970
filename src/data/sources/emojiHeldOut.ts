// Evaluation split for zero-shot label retrieval: one emoji STYLE held out entirely from
// training (default: iconify's fluent-emoji-flat, MIT). Its icons are matched to CLDR labels by
// slug ("waving hand" -> waving-hand; "waving hand: light skin tone" -> waving-hand-light). Every
// example carries its label, so evaluation can rank each image against all labels of the split.

import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { conceptTaken, loadCldrLabels, emojibaseDir, type ConceptSplit } from './emojiLabels';
import { discoverSets, iconSvg, loadSet } from './iconify';
import { installAdvice, packageVersion, pinned } from './packages';

export const DEFAULT_HELD_OUT_STYLE = 'fluent-emoji-flat';

/** Config shape: `{ "kind": "builtin", "name": "emoji-heldout", "style": "fluent-emoji-flat" }`. */
export interface EmojiHeldOutSpec extends SourceLimit {
  kind: 'builtin';
  name: 'emoji-heldout';
  /** An iconify emoji set whose names are CLDR slugs: fluent-emoji-flat (default), openmoji, noto, twemoji. */
  style?: string;
  /** Include skin-tone variants where the style has them; default true. */
  skinTones?: boolean;
  /** A held-out concept split (emojiLabels.ts): yield the kept concepts or the held-out ones. */
  concepts?: ConceptSplit;
}

const TONE_SUFFIX = ['', 'light', 'medium-light', 'medium', 'medium-dark', 'dark'];

export function slugify(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents: piñata -> pinata
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/['\u2019]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export class EmojiHeldOutSource implements Source {
  readonly name: string;
  private readonly style: string;

  constructor(private readonly spec: EmojiHeldOutSpec) {
    this.style = spec.style ?? DEFAULT_HELD_OUT_STYLE;
    this.name = `builtin emoji-heldout (${this.style})`;
  }

  private async location() {
    const loc = (await discoverSets()).find((s) => s.prefix === this.style);
    if (!loc) throw new Error(`the held-out emoji style "${this.style}" is not installed. To install it, ${installAdvice([pinned(`@iconify-json/${this.style}`)])}`);
    return loc;
  }

  async describe(): Promise<SourceDescription> {
    const loc = await this.location();
    return { kind: 'builtin', name: 'emoji-heldout', style: `${loc.packageName}@${loc.version}`, skinTones: this.spec.skinTones ?? true, emojibase: packageVersion(emojibaseDir()), ...(this.spec.concepts ? { concepts: { ...this.spec.concepts, seed: this.spec.concepts.seed ?? 0 } } : {}) };
  }

  async *examples(_ctx: SourceContext): AsyncIterable<Example> {
    const loc = await this.location();
    const set = await loadSet(loc);
    const seen = new Set<string>();
    for (const [code, cldr] of loadCldrLabels()) {
      if (cldr.tone !== undefined && !(this.spec.skinTones ?? true)) continue;
      if (!conceptTaken(cldr.baseLabel, this.spec.concepts)) continue;
      const slug = cldr.tone === undefined ? slugify(cldr.label) : `${slugify(cldr.baseLabel)}-${TONE_SUFFIX[cldr.tone]}`;
      const icon = set.icons[slug];
      if (!icon || seen.has(slug)) continue;
      seen.add(slug);
      yield {
        id: `${this.style}:${slug}`,
        caption: cldr.label,
        label: cldr.label,
        image: { kind: 'svg', text: iconSvg(set, icon) },
        provenance: { source: 'emoji-heldout', where: `${this.style}:${slug}`, codepoints: code, licence: set.info?.license?.spdx },
      };
    }
  }
}
