// A grid of prepared images as one PNG: the quickest way to see what the cache holds.

import sharp from 'sharp';
import type { PreparedDataset } from './cache/dataset';

export async function writeContactSheet(ds: PreparedDataset, file: string, rows: number[], columns = 16, scale = 4): Promise<void> {
  const S = ds.imageSize;
  const n = rows.length;
  const cols = Math.min(columns, n);
  const gridRows = Math.ceil(n / cols);
  const W = cols * S;
  const H = gridRows * S;
  const canvas = new Uint8Array(W * H * 3).fill(128);
  const batch = ds.get(rows);
  for (let k = 0; k < n; k++) {
    const gx = (k % cols) * S;
    const gy = Math.floor(k / cols) * S;
    for (let y = 0; y < S; y++) {
      canvas.set(batch.pixels.subarray((k * S + y) * S * 3, (k * S + y + 1) * S * 3), ((gy + y) * W + gx) * 3);
    }
  }
  await sharp(canvas, { raw: { width: W, height: H, channels: 3 } })
    .resize(W * scale, H * scale, { kernel: 'nearest' })
    .png()
    .toFile(file);
}
