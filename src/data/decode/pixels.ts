// Decoded pixels to the model's square RGB, in plain JS: used for sprite-sheet cells and the
// synthetic generator, whose pixels are already in memory, so no native decoder (and no child
// process round trip) is needed.

import type { DecodeSettings } from './settings';

/**
 * Area-average resample of an RGB or RGBA image to size x size RGB, alpha composited on the
 * background first (compositing is linear, so compositing then averaging equals averaging
 * premultiplied colour then compositing).
 */
export function resizePixels(
  src: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  s: DecodeSettings,
  out: Uint8Array = new Uint8Array(s.size * s.size * 3),
): Uint8Array {
  const S = s.size;
  const [br, bg, bb] = s.background;
  // Source window (cover: centre square) and destination window (contain: centred, letterboxed);
  // fill takes the whole source into the whole square.
  let sx0 = 0, sy0 = 0, sw = width, sh = height;
  let dx0 = 0, dy0 = 0, dw = S, dh = S;
  if (s.fit === 'cover') {
    const side = Math.min(width, height);
    sx0 = (width - side) / 2;
    sy0 = (height - side) / 2;
    sw = sh = side;
  } else if (s.fit === 'contain' && width !== height) {
    const scale = S / Math.max(width, height);
    dw = Math.max(1, Math.round(width * scale));
    dh = Math.max(1, Math.round(height * scale));
    dx0 = Math.floor((S - dw) / 2);
    dy0 = Math.floor((S - dh) / 2);
  }
  for (let i = 0; i < S * S; i++) {
    out[3 * i] = br;
    out[3 * i + 1] = bg;
    out[3 * i + 2] = bb;
  }
  const fx = sw / dw;
  const fy = sh / dh;
  for (let dy = 0; dy < dh; dy++) {
    const y0 = sy0 + dy * fy, y1 = y0 + fy;
    for (let dx = 0; dx < dw; dx++) {
      const x0 = sx0 + dx * fx, x1 = x0 + fx;
      let r = 0, g = 0, b = 0, wsum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1) && y < height; y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        for (let x = Math.floor(x0); x < Math.ceil(x1) && x < width; x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          const w = wx * wy;
          const p = (y * width + x) * channels;
          if (channels === 4) {
            const a = src[p + 3] / 255;
            r += w * (a * src[p] + (1 - a) * br);
            g += w * (a * src[p + 1] + (1 - a) * bg);
            b += w * (a * src[p + 2] + (1 - a) * bb);
          } else {
            r += w * src[p];
            g += w * src[p + 1];
            b += w * src[p + 2];
          }
          wsum += w;
        }
      }
      const o = ((dy0 + dy) * S + dx0 + dx) * 3;
      out[o] = Math.round(r / wsum);
      out[o + 1] = Math.round(g / wsum);
      out[o + 2] = Math.round(b / wsum);
    }
  }
  return out;
}
