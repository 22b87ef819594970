// The learner's tokenizer: our word tokenizer built from the training captions (tokenizer.ts), or
// a standard one the user brings (a Hugging Face tokenizer.json: CLIP's BPE, SigLIP's
// SentencePiece, data.tokenizer). Both give every caption exactly L ids with 0 = padding, which
// is what our text tower masks on, so a standard tokenizer's ids are shifted by one: id k is
// learner id k + 1, and its own pad positions become 0. Stored in the prepared folder's
// tokenizer.json (either format), and read back by tokenizerFromJSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StandardTokenizer } from './standard-tokenizer';
import { PAD_ID, Tokenizer, type TokenizerJson, type TokenizerSettings } from './tokenizer';

/** What the pipeline needs of a caption tokenizer (prepare, evaluation, the data inspector, export). */
export interface CaptionTokenizer {
  readonly kind: 'word' | 'standard';
  readonly settings: TokenizerSettings;
  /** Ids in use (0 = padding included): the text tower's embedding table needs this many rows. */
  readonly vocabSize: number;
  readonly maxLength: number;
  encode(text: string, out?: Int32Array, offset?: number): Int32Array;
  encodeBatch(texts: readonly string[]): Int32Array;
  /** All ids of a text, untruncated (for statistics). */
  encodeAll(text: string): number[];
  decode(ids: ArrayLike<number>): string;
  toJSON(): CaptionTokenizerJson;
}

export interface StandardTokenizerJson {
  format: 'jest-studio-standard-tokenizer';
  version: 1;
  maxLength: number;
  /** Where it came from (shown in the data summary). */
  source: string;
  /** tokenizer.json and tokenizer_config.json, as given. */
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
}

export type CaptionTokenizerJson = TokenizerJson | StandardTokenizerJson;

/** A standard tokenizer for the learner: HF ids shifted by one, pad = 0. */
export class LearnerStandardTokenizer implements CaptionTokenizer {
  readonly kind = 'standard';
  private readonly inner: StandardTokenizer;

  constructor(readonly json: StandardTokenizerJson) {
    this.inner = new StandardTokenizer({ tokenizer: json.tokenizer, config: json.config }, json.maxLength, json.source);
  }

  get vocabSize(): number {
    return this.inner.vocabSize + 1;
  }

  get maxLength(): number {
    return this.json.maxLength;
  }

  get settings(): TokenizerSettings {
    return { vocabSize: this.vocabSize, maxLength: this.maxLength, minCount: 1 };
  }

  /** The tokenizer's own pieces (the `kind` of tokenizer.json's model, e.g. BPE). */
  get model(): string {
    return this.inner.kind;
  }

  encodeAll(text: string): number[] {
    return this.inner.encodeOne(text).map((id) => id + 1);
  }

  encode(text: string, out?: Int32Array, offset = 0): Int32Array {
    const L = this.maxLength;
    const target = out ?? new Int32Array(L);
    const ids = this.encodeAll(text); // already truncated to L, end token kept
    target.set(ids, offset);
    target.fill(PAD_ID, offset + ids.length, offset + L);
    return target;
  }

  encodeBatch(texts: readonly string[]): Int32Array {
    const out = new Int32Array(texts.length * this.maxLength);
    texts.forEach((t, i) => this.encode(t, out, i * this.maxLength));
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const hf: number[] = [];
    for (let i = 0; i < ids.length; i++) if (ids[i] !== PAD_ID) hf.push(ids[i] - 1);
    return hf.length ? this.inner.decode(hf) : '';
  }

  toJSON(): StandardTokenizerJson {
    return this.json;
  }
}

/**
 * data.tokenizer as the learner's tokenizer: a tokenizer.json, or the folder holding it (and its
 * tokenizer_config.json, when there). Throws naming the file and the fix.
 */
export function loadLearnerStandardTokenizer(where: string, maxLength: number): LearnerStandardTokenizer {
  let file = where;
  try {
    if (fs.statSync(where).isDirectory()) file = path.join(where, 'tokenizer.json');
  } catch {
    throw new Error(`data.tokenizer ${where} does not exist: point it at a tokenizer.json, or at the model folder holding it (relative paths are from the experiment file's folder)`);
  }
  const read = (f: string) => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`data.tokenizer: ${f} cannot be read as JSON (${(e as Error).message}): it needs a Hugging Face tokenizer.json`);
    }
  };
  const cfgFile = path.join(path.dirname(file), 'tokenizer_config.json');
  const config = fs.existsSync(cfgFile) ? read(cfgFile) : {};
  return new LearnerStandardTokenizer({ format: 'jest-studio-standard-tokenizer', version: 1, maxLength, source: file, tokenizer: read(file), config });
}

export function tokenizerFromJSON(json: CaptionTokenizerJson): CaptionTokenizer {
  if (json.format === 'jest-studio-standard-tokenizer') {
    if (json.version !== 1) throw new Error(`standard tokenizer v${String(json.version)} is newer than this JEST Studio: update it, or prepare the data again`);
    return new LearnerStandardTokenizer(json);
  }
  return Tokenizer.fromJSON(json);
}
