// Standard tokenizers: a Hugging Face `tokenizer.json` (BPE for CLIP, Unigram/SentencePiece for
// SigLIP, WordPiece, ...) run by @huggingface/tokenizers, a pure-JS port of the Rust library, so
// captions get exactly the ids the model was trained with. What the library leaves to its caller
// is here: padding and truncation to the model's fixed length L, and the checks that say, before
// a run starts, when a tokenizer does not belong to its model.
//
// Padding: to L with the pad token (tokenizer_config.json's pad_token, else tokenizer.json's
// padding.pad_id, else the end token, which is what CLIP pads with); attention mask 1 on tokens.
// Truncation: to L, keeping the end token last when the post-processor added one (HF truncates
// before adding specials, so the end token survives; we truncate after and put it back).
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';

export interface StandardTokenizerFiles {
  /** tokenizer.json, parsed. */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json, parsed ({} when the folder has none). */
  config: Record<string, unknown>;
}

export interface EncodedBatch {
  /** [n, L] token ids. */
  ids: Int32Array;
  /** [n, L] 1 on tokens, 0 on padding. */
  mask: Int32Array;
}

type AddedToken = { id: number; content: string; special?: boolean };

/** The token string a config field names: "x" or { content: "x" } (both appear in the wild). */
function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export class StandardTokenizer {
  private readonly hf: HfTokenizer;
  private readonly ids = new Map<string, number>();
  private readonly specialIds = new Set<number>();
  /** Ids 0 .. vocabSize-1 (model vocabulary and added tokens). */
  readonly vocabSize: number;
  /** The model family of tokenizer.json ("BPE", "Unigram", "WordPiece", ...). */
  readonly kind: string;
  readonly padId: number;
  /** The token the post-processor puts last (CLIP's <|endoftext|>, SigLIP's </s>), if any. */
  readonly endId: number | undefined;

  /**
   * @param maxLength L: every caption becomes exactly L ids.
   * @param where the file named in errors.
   */
  constructor(files: StandardTokenizerFiles, readonly maxLength: number, readonly where = 'tokenizer.json') {
    if (!(Number.isInteger(maxLength) && maxLength >= 1)) throw new RangeError(`tokenizer length must be a positive integer, got ${maxLength}`);
    const model = files.tokenizer.model as { type?: string; vocab?: unknown } | undefined;
    if (!model || typeof model !== 'object' || !model.vocab) throw new Error(`${where} has no model.vocab: it is not a Hugging Face tokenizer.json (the file the tokenizers library writes)`);
    this.kind = String(model.type ?? (Array.isArray(model.vocab) ? 'Unigram' : 'BPE'));
    if (Array.isArray(model.vocab)) (model.vocab as [string, number][]).forEach(([piece], i) => this.ids.set(piece, i));
    else for (const [piece, id] of Object.entries(model.vocab as Record<string, number>)) this.ids.set(piece, id);
    for (const t of (files.tokenizer.added_tokens as AddedToken[] | undefined) ?? []) {
      this.ids.set(t.content, t.id);
      if (t.special) this.specialIds.add(t.id);
    }
    let top = -1;
    for (const id of this.ids.values()) if (id > top) top = id; // a loop: spreading 256k ids overflows the stack
    this.vocabSize = top + 1;
    try {
      this.hf = new HfTokenizer(files.tokenizer, files.config);
    } catch (e) {
      throw new Error(`${where} cannot be loaded by @huggingface/tokenizers (${(e as Error).message}): it must be a tokenizer.json written by the tokenizers library or transformers`);
    }
    const cfg = files.config;
    const padding = files.tokenizer.padding as { pad_id?: number } | null | undefined;
    const probe = this.hf.encode('', { add_special_tokens: true }).ids;
    const last = probe.length ? probe[probe.length - 1] : undefined;
    this.endId = last !== undefined && this.specialIds.has(last) ? last : undefined;
    const padName = tokenName(cfg.pad_token);
    const pad = padName !== undefined ? this.ids.get(padName) : (padding?.pad_id ?? this.endId);
    if (pad === undefined) {
      throw new Error(`${where}: no pad token (${padName !== undefined ? `tokenizer_config.json's pad_token "${padName}" is not in the vocabulary` : 'tokenizer_config.json names none, tokenizer.json has no padding and no end token'}): set pad_token in tokenizer_config.json`);
    }
    this.padId = pad;
  }

  /** The ids of one caption: specials added, truncated to L (end token kept), not padded. */
  encodeOne(text: string): number[] {
    const ids = this.hf.encode(text, { add_special_tokens: true }).ids;
    for (const id of ids) {
      if (!Number.isInteger(id)) throw new Error(`${this.where} gave no id for a piece of "${text}" (the vocabulary has no unknown token)`);
    }
    if (ids.length <= this.maxLength) return ids;
    const cut = ids.slice(0, this.maxLength);
    if (this.endId !== undefined && ids[ids.length - 1] === this.endId) cut[this.maxLength - 1] = this.endId;
    return cut;
  }

  encodeBatch(captions: readonly string[]): EncodedBatch {
    const L = this.maxLength;
    const ids = new Int32Array(captions.length * L).fill(this.padId);
    const mask = new Int32Array(captions.length * L);
    captions.forEach((c, i) => {
      const row = this.encodeOne(c);
      ids.set(row, i * L);
      mask.fill(1, i * L, i * L + row.length);
    });
    return { ids, mask };
  }

  decode(ids: readonly number[]): string {
    return this.hf.decode([...ids], { skip_special_tokens: true });
  }
}
