// What every decoded image must look like: the model's square input.

/** An sRGB colour as [r, g, b], 0..255. */
export type Rgb = [number, number, number];

export interface DecodeSettings {
  /** Side of the square output in pixels: the model's image size (e.g. 16, 24, 32). */
  size: number;
  /** Transparent pixels are composited on this colour (icons and emoji are mostly transparent). */
  background: Rgb;
  /**
   * 'contain' keeps the whole image and pads with the background (right for icons and emoji, whose
   * subject touches the edges); 'cover' crops the centre square (CLIP-style, for photos); 'fill'
   * stretches the whole image to the square (SigLIP's processor resizes to height x width so).
   */
  fit: 'contain' | 'cover' | 'fill';
}

export const DEFAULT_DECODE_SETTINGS: DecodeSettings = { size: 16, background: [255, 255, 255], fit: 'contain' };

/** Parse "#rrggbb", "white", "black" or "r,g,b". */
export function parseColour(text: string): Rgb {
  const named: Record<string, Rgb> = { white: [255, 255, 255], black: [0, 0, 0], grey: [128, 128, 128], gray: [128, 128, 128] };
  const t = text.trim().toLowerCase();
  if (named[t]) return named[t];
  const hex = /^#?([0-9a-f]{6})$/.exec(t);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const parts = t.split(',').map((p) => Number(p.trim()));
  if (parts.length === 3 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)) return parts as Rgb;
  throw new Error(`background colour "${text}" is not understood: use #rrggbb, "r,g,b" (0-255) or white/black/grey`);
}

export function checkDecodeSettings(s: DecodeSettings): void {
  if (!(Number.isInteger(s.size) && s.size >= 1 && s.size <= 1024)) {
    throw new RangeError(`image size must be an integer from 1 to 1024 pixels, got ${s.size}`);
  }
  if (s.fit !== 'contain' && s.fit !== 'cover' && s.fit !== 'fill') throw new RangeError(`fit must be "contain", "cover" or "fill", got ${String(s.fit)}`);
}
