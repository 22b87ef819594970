// Input rules for the experiment-editing commands, checked BEFORE anything is written: the input
// box shows the problem and the fix while the user types. Plain functions (no vscode), unit-tested
// in test/host/rules.test.ts; the engine's validator re-checks the whole file after the edit.

/** Filter ratios with at most 4 decimals for which B = b / (1 − f) is whole (B = b+1 … 8b; the shortest first). */
export function validFilterRatios(b: number, limit = 6): number[] {
  const out: number[] = [];
  for (let B = b + 1; B <= 8 * b; B++) {
    const f = 1 - b / B;
    if (Number(f.toFixed(4)) === f || Math.abs(Number(f.toFixed(4)) - f) < 1e-12) out.push(Number(f.toFixed(4)));
  }
  return out.sort((x, y) => String(x).length - String(y).length || x - y).slice(0, limit).sort((x, y) => x - y);
}

/** Why `text` is not a usable filter ratio for batch size b, or undefined. */
export function filterRatioProblem(text: string, b: number): string | undefined {
  const f = Number(text);
  if (text.trim() === '' || !Number.isFinite(f)) return 'Enter a number in [0, 1), e.g. 0.8 (keep one example in five).';
  if (f < 0 || f >= 1) return 'The filter ratio f is in [0, 1): f = 0.8 keeps one example in five.';
  const B = b / (1 - f);
  if (Math.abs(B - Math.round(B)) > 1e-6) return `The super-batch B = b / (1 − f) = ${b} / ${(1 - f).toFixed(4)} = ${B.toFixed(3)} is not whole. With batch size ${b}, try: ${validFilterRatios(b).join(', ')}.`;
  return undefined;
}

/** "4:0.5, 8:0.5" -> trainMix, or a message naming the problem. */
export function parseTrainMix(text: string, patchSizes: number[]): { patchSize: number; fraction: number }[] | string {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return 'Enter patch size:fraction pairs, e.g. 4:0.5, 8:0.5';
  const mix: { patchSize: number; fraction: number }[] = [];
  for (const p of parts) {
    const m = /^(\d+)\s*:\s*([0-9.]+)$/.exec(p);
    if (!m) return `"${p}" is not patchSize:fraction (e.g. 8:0.5).`;
    const patchSize = Number(m[1]);
    const fraction = Number(m[2]);
    if (!patchSizes.includes(patchSize)) return `Patch size ${patchSize} is not in model.patchSizes (${patchSizes.join(', ')}).`;
    if (!(fraction > 0 && fraction <= 1)) return `The fraction for patch size ${patchSize} must be in (0, 1].`;
    mix.push({ patchSize, fraction });
  }
  const sum = mix.reduce((a, m) => a + m.fraction, 0);
  if (Math.abs(sum - 1) > 1e-6) return `The fractions add up to ${Number(sum.toFixed(6))}; they must add up to 1.`;
  return mix;
}

