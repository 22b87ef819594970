// Word-level tokenizer built from the training captions and stored beside the prepared data.
// Rules (docs/data.md repeats them for users):
//  1. Normalise: Unicode NFKC, then lower-case.
//  2. Split: a word is a maximal run of letters, digits and marks (\p{L}\p{N}\p{M}); an apostrophe
//     between two such characters stays inside the word ("don't"). Every other character that is
//     not white space (punctuation, symbols) is a token on its own. White space only separates.
//  3. Vocabulary: count words over the training captions; keep those seen at least `minCount`
//     times, most frequent first, ties broken by code-unit order of the word, so the same captions
//     always give the same ids, whatever order they were read in. At most vocabSize ids in all,
//     specials included.
//  4. Ids: 0 = padding, 1 = unknown word, words from 2 on.
//  5. Truncation: a caption longer than maxLength tokens keeps its FIRST maxLength tokens; shorter
//     ones are padded with 0 at the end. Attention masks are `id !== 0`.

export const PAD_ID = 0;
export const UNK_ID = 1;
const FIRST_WORD_ID = 2;

export interface TokenizerSettings {
  vocabSize: number; // cap on ids, specials included
  maxLength: number; // L: tokens per caption after truncation / padding
  minCount: number; // a word seen fewer times maps to the unknown id
}

export const DEFAULT_TOKENIZER_SETTINGS: TokenizerSettings = { vocabSize: 8192, maxLength: 16, minCount: 1 };

/** The stored form (tokenizer.json). */
export interface TokenizerJson {
  format: 'jest-studio-word-tokenizer';
  version: 1;
  settings: TokenizerSettings;
  /** Words in id order; words[i] has id i + 2. */
  words: string[];
}

const TOKEN_RE = /[\p{L}\p{N}\p{M}]+(?:'[\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;

/** Rules 1 and 2: the token strings of a text, before lookup. */
export function splitWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(TOKEN_RE) ?? [];
}

export class Tokenizer {
  readonly kind = 'word' as const;
  private readonly ids: Map<string, number>;

  private constructor(
    readonly settings: TokenizerSettings,
    readonly words: readonly string[],
  ) {
    this.ids = new Map(words.map((w, i) => [w, i + FIRST_WORD_ID]));
  }

  /** Rule 3: build the vocabulary from training captions. */
  static build(captions: Iterable<string>, settings: Partial<TokenizerSettings> = {}): Tokenizer {
    const s = { ...DEFAULT_TOKENIZER_SETTINGS, ...settings };
    if (!(s.vocabSize >= FIRST_WORD_ID && Number.isInteger(s.vocabSize))) {
      throw new RangeError(`tokenizer vocabSize must be an integer >= 2 (pad + unknown), got ${s.vocabSize}`);
    }
    if (!(s.maxLength >= 1 && Number.isInteger(s.maxLength))) {
      throw new RangeError(`tokenizer maxLength must be a positive integer, got ${s.maxLength}`);
    }
    const counts = new Map<string, number>();
    for (const caption of captions) {
      for (const w of splitWords(caption)) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const kept = [...counts].filter(([, c]) => c >= s.minCount);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const words = kept.slice(0, s.vocabSize - FIRST_WORD_ID).map(([w]) => w);
    return new Tokenizer(s, words);
  }

  static fromJSON(json: TokenizerJson): Tokenizer {
    if (json.format !== 'jest-studio-word-tokenizer' || json.version !== 1) {
      throw new Error(`not a jest-studio tokenizer (format ${String(json.format)} v${String(json.version)}); re-run "data prepare"`);
    }
    return new Tokenizer(json.settings, json.words);
  }

  toJSON(): TokenizerJson {
    return { format: 'jest-studio-word-tokenizer', version: 1, settings: this.settings, words: [...this.words] };
  }

  /** Ids in use, specials included: the text tower's embedding table needs this many rows. */
  get vocabSize(): number {
    return this.words.length + FIRST_WORD_ID;
  }

  get maxLength(): number {
    return this.settings.maxLength;
  }

  idOf(word: string): number {
    return this.ids.get(word) ?? UNK_ID;
  }

  /** All ids of a text, untruncated (for statistics). */
  encodeAll(text: string): number[] {
    return splitWords(text).map((w) => this.idOf(w));
  }

  /** Rules 4 and 5: exactly maxLength ids. Writes into `out` at `offset` when given. */
  encode(text: string, out?: Int32Array, offset = 0): Int32Array {
    const L = this.settings.maxLength;
    const target = out ?? new Int32Array(L);
    const ids = this.encodeAll(text);
    const n = Math.min(ids.length, L);
    for (let i = 0; i < n; i++) target[offset + i] = ids[i];
    target.fill(PAD_ID, offset + n, offset + L);
    return target;
  }

  /** Several texts as one [N, L] block, e.g. the class names of a zero-shot evaluation. */
  encodeBatch(texts: readonly string[]): Int32Array {
    const L = this.settings.maxLength;
    const out = new Int32Array(texts.length * L);
    texts.forEach((t, i) => this.encode(t, out, i * L));
    return out;
  }

  /** Ids back to text; unknown words show as <unk>. For the batch inspector and debugging. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === PAD_ID) continue;
      parts.push(id === UNK_ID ? '<unk>' : (this.words[id - FIRST_WORD_ID] ?? '<unk>'));
    }
    return parts.join(' ');
  }
}

/**
 * int32 token ids as the int64 tensor onnxruntime wants, without a BigInt per element: on a
 * little-endian machine an int64 is (low word, high word), and the high word of a non-negative
 * id is 0.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function toInt64(ids: Int32Array, out?: BigInt64Array): BigInt64Array {
  const target = out ?? new BigInt64Array(ids.length);
  if (target.length !== ids.length) throw new RangeError(`toInt64: out has ${target.length} slots for ${ids.length} ids`);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < ids.length; i++) target[i] = BigInt(ids[i]);
    return target;
  }
  const words = new Int32Array(target.buffer, target.byteOffset, ids.length * 2);
  for (let i = 0; i < ids.length; i++) {
    words[2 * i] = ids[i];
    words[2 * i + 1] = ids[i] < 0 ? -1 : 0;
  }
  return target;
}
