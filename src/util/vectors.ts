// Row-wise vector arithmetic on flat Float32Arrays [n, E] (embeddings), in place where it says so.

/** Each row scaled to unit L2 norm, in place (a zero row stays zero). */
export function l2normaliseRows(x: Float32Array, E: number): Float32Array {
  for (let r = 0; r < x.length / E; r++) {
    let s = 0;
    for (let k = 0; k < E; k++) s += x[r * E + k] * x[r * E + k];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < E; k++) x[r * E + k] *= inv;
  }
  return x;
}
