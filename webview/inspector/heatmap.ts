// The selected batch's score sub-matrix as a heat map on a canvas: a diverging scale around 0
// (learnability can be negative: the reference finds a pair harder than the learner does), one
// square per pair, in selection order. Colours are computed, not themed: a heat map's meaning
// must not change with the theme; the frame and labels around it follow the theme.

/** Blue (negative) – neutral – red (positive), t in [-1, 1]. */
export function diverging(t: number): [number, number, number] {
  const u = Math.max(-1, Math.min(1, t));
  const neutral = [235, 235, 235];
  const end = u < 0 ? [33, 102, 172] : [178, 24, 43];
  const a = Math.abs(u);
  return [0, 1, 2].map((i) => Math.round(neutral[i] + (end[i] - neutral[i]) * a)) as [number, number, number];
}

export interface HeatMap {
  canvas: HTMLCanvasElement;
  /** The cell under a canvas-relative point, or null. */
  cellAt(x: number, y: number): { i: number; j: number; value: number } | null;
}

export function drawHeatMap(canvas: HTMLCanvasElement, m: number[][], maxPx = 384): HeatMap {
  const n = m.length;
  const cell = n ? Math.max(2, Math.floor(maxPx / n)) : 1;
  const size = Math.max(1, n * cell);
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  let maxAbs = 0;
  for (const row of m) for (const v of row) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m[i][j];
      const [r, g, b] = Number.isFinite(v) && maxAbs > 0 ? diverging(v / maxAbs) : [128, 128, 128];
      for (let y = i * cell; y < (i + 1) * cell; y++) {
        for (let x = j * cell; x < (j + 1) * cell; x++) {
          const o = (y * size + x) * 4;
          img.data[o] = r;
          img.data[o + 1] = g;
          img.data[o + 2] = b;
          img.data[o + 3] = 255;
        }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  return {
    canvas,
    cellAt(x, y) {
      const i = Math.floor(y / cell);
      const j = Math.floor(x / cell);
      return i >= 0 && j >= 0 && i < n && j < n ? { i, j, value: m[i][j] } : null;
    },
  };
}

export function scaleLabel(m: number[][]): string {
  let maxAbs = 0;
  for (const row of m) for (const v of row) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  return `blue −${maxAbs.toFixed(3)} · grey 0 · red +${maxAbs.toFixed(3)}`;
}
