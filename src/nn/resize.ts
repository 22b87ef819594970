// Constant resampling matrices for Flexi patch embeddings (computed in JS at graph-build time and
// applied in-graph with a MatMul, so gradients flow back to the one stored set of weights).

/** Row-major dense matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** 1-D linear interpolation, half-pixel centres (align_corners = false), edges clamped: [nOut, nIn]. */
export function linearResize1d(nIn: number, nOut: number): Matrix {
  const m: Matrix = { rows: nOut, cols: nIn, data: new Float64Array(nOut * nIn) };
  for (let i = 0; i < nOut; i++) {
    const src = Math.min(Math.max((i + 0.5) * (nIn / nOut) - 0.5, 0), nIn - 1);
    const i0 = Math.floor(src);
    const w = src - i0;
    m.data[i * nIn + i0] += 1 - w;
    if (w > 0) m.data[i * nIn + Math.min(i0 + 1, nIn - 1)] += w;
  }
  return m;
}

/** Bilinear resize of a row-major n×n grid to m×m, as an [m², n²] matrix (Kronecker product). */
export function bilinearResize2d(n: number, m: number): Matrix {
  const r = linearResize1d(n, m);
  const out: Matrix = { rows: m * m, cols: n * n, data: new Float64Array(m * m * n * n) };
  for (let yo = 0; yo < m; yo++)
    for (let xo = 0; xo < m; xo++)
      for (let yi = 0; yi < n; yi++)
        for (let xi = 0; xi < n; xi++) {
          out.data[(yo * m + xo) * n * n + yi * n + xi] = r.data[yo * n + yi] * r.data[xo * n + xi];
        }
  return out;
}

export function transpose(a: Matrix): Matrix {
  const t: Matrix = { rows: a.cols, cols: a.rows, data: new Float64Array(a.data.length) };
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const c: Matrix = { rows: a.rows, cols: b.cols, data: new Float64Array(a.rows * b.cols) };
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  return c;
}

/** Inverse of a symmetric positive-definite matrix by Gauss-Jordan with partial pivoting. */
export function inverse(a: Matrix): Matrix {
  const n = a.rows;
  const w = 2 * n;
  const m = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * w + j] = a.data[i * n + j];
    m[i * w + n + i] = 1;
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * w + c]) > Math.abs(m[p * w + c])) p = r;
    if (Math.abs(m[p * w + c]) < 1e-12) throw new Error('inverse: matrix is singular');
    if (p !== c) for (let j = 0; j < w; j++) [m[c * w + j], m[p * w + j]] = [m[p * w + j], m[c * w + j]];
    const piv = m[c * w + c];
    for (let j = 0; j < w; j++) m[c * w + j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * w + c];
      if (f !== 0) for (let j = 0; j < w; j++) m[r * w + j] -= f * m[c * w + j];
    }
  }
  const inv: Matrix = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inv.data[i * n + j] = m[i * w + n + j];
  return inv;
}

/**
 * FlexiViT's PI-resize: the [p², pb²] matrix M with ŵ = M·w for a kernel w stored at patch size
 * pb, so that a p×p patch that is the bilinear upsampling B·x of a pb×pb patch x gives the same
 * token: ⟨B·x, ŵ⟩ = ⟨x, w⟩ for all x, i.e. ŵ = pinv(Bᵀ)·w. For p > pb that is exact,
 * M = B·(BᵀB)⁻¹; for p < pb it is the least-squares solution, M = (B·Bᵀ)⁻¹·B.
 */
export function piResize(pb: number, p: number): Matrix {
  if (p === pb) {
    const id: Matrix = { rows: p * p, cols: p * p, data: new Float64Array(p ** 4) };
    for (let i = 0; i < p * p; i++) id.data[i * p * p + i] = 1;
    return id;
  }
  const b = bilinearResize2d(pb, p); // [p², pb²]
  const bt = transpose(b);
  if (p > pb) return matmul(b, inverse(matmul(bt, b)));
  return matmul(inverse(matmul(b, bt)), b);
}
