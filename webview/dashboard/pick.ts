// From a clicked point back to its training step. On the steps axis a point's x is the step; on
// the FLOPs axis it is a FLOP count, and the step is that of the table row with the nearest FLOP
// count (rows are in step order, FLOPs grow with steps). Pure and DOM-free (unit-tested in node).

/** The step of the row whose x (xs[i], i < length) is nearest to `x`; NaN for an empty table. */
export function stepAtX(xs: ArrayLike<number>, steps: ArrayLike<number>, length: number, x: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let i = 0; i < length; i++) {
    const d = Math.abs(xs[i] - x);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best < 0 ? NaN : steps[best];
}
