// Synthetic image-caption batches for engine tests, from the data layer's generator and tokenizer.
import { synthetic, SyntheticExample } from '../../src/data/synthetic';
import { Tokenizer } from '../../src/data/tokenizer';

export interface TinySet {
  examples: SyntheticExample[];
  pixels: Uint8Array; // [N, S, S, 3]
  tokens: Int32Array; // [N, L]
  tokenizer: Tokenizer;
}

export function syntheticSet(n: number, imageSize: number, seqLen: number, seed: number, tokenizer?: Tokenizer): TinySet {
  const examples = synthetic({ n, imageSize, seed });
  const tok = tokenizer ?? Tokenizer.build(examples.map((e) => e.caption), { maxLength: seqLen, vocabSize: 64 });
  const pixels = new Uint8Array(n * imageSize * imageSize * 3);
  examples.forEach((e, i) => {
    if (e.image.kind !== 'pixels') throw new Error('synthetic examples carry pixels');
    pixels.set(e.image.data, i * imageSize * imageSize * 3);
  });
  return { examples, pixels, tokens: tok.encodeBatch(examples.map((e) => e.caption)), tokenizer: tok };
}

/** Rows [start, start + count) of a set. */
export function rows(set: TinySet, start: number, count: number, imageSize: number, seqLen: number) {
  const px = imageSize * imageSize * 3;
  return {
    pixels: set.pixels.subarray(start * px, (start + count) * px),
    tokens: set.tokens.subarray(start * seqLen, (start + count) * seqLen),
    captions: set.examples.slice(start, start + count).map((e) => e.caption),
  };
}

/** Image-to-text retrieval accuracy: the best-scoring caption is the image's own (or identical to it). */
export function imageToTextAccuracy(img: Float32Array, txt: Float32Array, n: number, dim: number, captions: string[]): number {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = -1;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += img[i * dim + k] * txt[j * dim + k];
      if (s > best) [best, arg] = [s, j];
    }
    if (captions[arg] === captions[i]) hits++;
  }
  return hits / n;
}
