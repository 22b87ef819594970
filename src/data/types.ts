// The data layer's shared vocabulary: what a source yields and how an image is referred to before
// it is decoded. Everything here is plain data so an example can cross a process boundary (the
// decode children) and be written into a prepared cache's provenance file unchanged.

/** An image before decoding. Sources never decode: they only say where the pixels are. */
export type ImageRef =
  | { kind: 'file'; path: string }
  /** Encoded bytes (JPEG, PNG, WebP, SVG, ...), e.g. a member of a WebDataset tar shard. */
  | { kind: 'buffer'; data: Uint8Array; format?: string }
  /** SVG markup, e.g. an iconify icon wrapped in an <svg> element. */
  | { kind: 'svg'; text: string }
  /** Already-decoded pixels, row-major, channels 3 (RGB) or 4 (RGBA, not premultiplied). */
  | { kind: 'pixels'; width: number; height: number; channels: 3 | 4; data: Uint8Array };

/** Where an example came from: enough to find it again and to honour its licence. */
export interface Provenance {
  source: string; // the source kind or built-in name, e.g. "manifest", "emoji"
  where?: string; // file, shard member, sprite cell or icon id
  licence?: string; // SPDX id where known
  [key: string]: string | number | boolean | undefined;
}

/** How the caption relates to the image; set by the synthetic generator and the noisy wrapper. */
export type NoiseTag = 'clean' | 'mismatched' | 'vague' | 'duplicate';

/** One image-text pair. */
export interface Example {
  id: string; // unique within its source, stable across runs
  caption: string;
  image: ImageRef;
  /** Class name for zero-shot evaluation (the CLDR label for emoji, the drawn class for shapes). */
  label?: string;
  noise?: NoiseTag;
  provenance: Provenance;
}

/** Why an input was skipped. */
export type ProblemReason =
  | 'missing-image'
  | 'empty-image'
  | 'corrupt-image'
  | 'decoder-crash'
  | 'unreadable-caption'
  | 'missing-caption'
  | 'truncated-tar'
  | 'bad-record';

export interface Problem {
  reason: ProblemReason;
  where: string; // a path, shard member or manifest line the user can open
  detail: string;
}

/** What a source tells a source about the run it is feeding. */
export interface SourceContext {
  /** Record an input the source itself had to skip (bad manifest line, unreadable caption, ...). */
  problem(p: Problem): void;
}

/** JSON-serialisable identity of a source; hashed into the prepared cache's fingerprint. */
export type SourceDescription = { kind: string } & Record<string, unknown>;

export interface Source {
  /** A one-line name for progress output and error messages. */
  readonly name: string;
  /** Everything that determines the examples: spec, file sizes and mtimes, package versions. */
  describe(): Promise<SourceDescription>;
  /** Best-effort count for progress bars; undefined when unknown without reading everything. */
  estimateCount?(): Promise<number | undefined>;
  examples(ctx: SourceContext): AsyncIterable<Example>;
}

/** Every source spec may say "max": read at most that many examples from it (mixing pools by count). */
export interface SourceLimit {
  max?: number;
}
