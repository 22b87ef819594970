// Built-in curated set: emoji images from emoji-datasource's 32 px sprite sheets, captioned with
// their CLDR labels from emojibase-data ("cat with wry smile", "waving hand: light skin tone").
// Each vendor's drawing of an emoji is its own pair; skin-tone variants are separate pairs.
// Default vendors are google (Apache-2.0) and twitter (CC-BY-4.0): apple and facebook images are
// not licensed for reuse, so they are only read when a config names them.

import * as path from 'path';
import sharp from 'sharp';
import type { Example, Source, SourceContext, SourceDescription, SourceLimit } from '../types';
import { conceptTaken, loadCldrLabels, normaliseCodepoints, emojibaseDir, type ConceptSplit } from './emojiLabels';
import { DATA_PACKAGES, packageVersion, requirePackageDir } from './packages';

export type EmojiVendor = 'google' | 'twitter' | 'apple' | 'facebook';

/** Config shape: `{ "kind": "builtin", "name": "emoji", "vendors": ["google", "twitter"] }`. */
export interface EmojiSpec extends SourceLimit {
  kind: 'builtin';
  name: 'emoji';
  /** Default ["google", "twitter"] (reusable licences). */
  vendors?: EmojiVendor[];
  /** Include the five skin-tone variants of people emoji; default true. */
  skinTones?: boolean;
  /** A held-out concept split (emojiLabels.ts): yield the kept concepts or the held-out ones. */
  concepts?: ConceptSplit;
}

export const VENDOR_LICENCE: Record<EmojiVendor, string> = {
  google: 'Apache-2.0',
  twitter: 'CC-BY-4.0',
  apple: 'not licensed for reuse',
  facebook: 'not licensed for reuse',
};

const CELL = 34; // sprite pitch: 32 px image + 1 px border each side
const SIDE = 32;

interface DatasourceEntry {
  unified: string;
  sheet_x: number;
  sheet_y: number;
  sort_order: number;
  category: string;
  skin_variations?: Record<string, DatasourceEntry>;
  [hasImg: `has_img_${string}`]: boolean | undefined;
}

function datasourceDir(): string {
  return requirePackageDir('emoji-datasource', 'the emoji sets (sprite sheets)', [DATA_PACKAGES.emojiDatasource, DATA_PACKAGES.emojibase]);
}

export class EmojiSource implements Source {
  readonly name = 'builtin emoji';
  private readonly vendors: EmojiVendor[];

  constructor(private readonly spec: EmojiSpec) {
    this.vendors = spec.vendors ?? ['google', 'twitter'];
    for (const v of this.vendors) {
      if (!(v in VENDOR_LICENCE)) throw new Error(`unknown emoji vendor "${v}": use google, twitter, apple or facebook`);
    }
  }

  async describe(): Promise<SourceDescription> {
    return {
      kind: 'builtin',
      name: 'emoji',
      vendors: this.vendors,
      skinTones: this.spec.skinTones ?? true,
      ...(this.spec.concepts ? { concepts: { ...this.spec.concepts, seed: this.spec.concepts.seed ?? 0 } } : {}),
      packages: { 'emoji-datasource': packageVersion(datasourceDir()), 'emojibase-data': packageVersion(emojibaseDir()) },
    };
  }

  /** Entries with their variants, in sort order: what each vendor is asked for. */
  private entries(): DatasourceEntry[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const all = (require(path.join(datasourceDir(), 'emoji.json')) as DatasourceEntry[]).slice().sort((a, b) => a.sort_order - b.sort_order);
    const out: DatasourceEntry[] = [];
    for (const e of all) {
      out.push(e);
      if (this.spec.skinTones ?? true) out.push(...Object.values(e.skin_variations ?? {}));
    }
    return out;
  }

  async estimateCount(): Promise<number> {
    const labels = loadCldrLabels();
    const taken = (e: DatasourceEntry) => {
      const cldr = labels.get(normaliseCodepoints(e.unified));
      return !!cldr && conceptTaken(cldr.baseLabel, this.spec.concepts);
    };
    const entries = this.entries().filter(taken);
    return this.vendors.reduce((n, v) => n + entries.filter((e) => e[`has_img_${v}`]).length, 0);
  }

  async *examples(ctx: SourceContext): AsyncIterable<Example> {
    const labels = loadCldrLabels();
    const entries = this.entries();
    for (const vendor of this.vendors) {
      const sheetPath = path.join(datasourceDir(), 'img', vendor, 'sheets', '32.png');
      // One decode per sheet (~0.5 s); cells are then plain copies. The sheet is a trusted package
      // file, so it is decoded here rather than in a child process.
      const { data: sheet, info } = await sharp(sheetPath).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      for (const e of entries) {
        if (!e[`has_img_${vendor}`]) continue;
        const code = normaliseCodepoints(e.unified);
        const cldr = labels.get(code);
        if (!cldr) {
          ctx.problem({ reason: 'missing-caption', where: `emoji ${e.unified}`, detail: 'no CLDR label in emojibase-data' });
          continue;
        }
        if (!conceptTaken(cldr.baseLabel, this.spec.concepts)) continue;
        const cell = new Uint8Array(SIDE * SIDE * 4);
        const x0 = e.sheet_x * CELL + 1;
        const y0 = e.sheet_y * CELL + 1;
        for (let y = 0; y < SIDE; y++) {
          const from = ((y0 + y) * info.width + x0) * 4;
          cell.set(sheet.subarray(from, from + SIDE * 4), y * SIDE * 4);
        }
        yield {
          id: `emoji:${vendor}:${code}`,
          caption: cldr.label,
          label: cldr.label,
          image: { kind: 'pixels', width: SIDE, height: SIDE, channels: 4, data: cell },
          provenance: { source: 'emoji', where: `${vendor} ${code}`, vendor, licence: VENDOR_LICENCE[vendor], tone: cldr.tone },
        };
      }
    }
  }
}
