// SigLIP's temperature and bias for a reference trained with another loss. JEST scores pairs with
// the sigmoid loss l_ij = softplus(−z_ij·(e^t'·⟨x_i, y_j⟩ + b)); a CLIP reference was trained with
// a softmax and has a logit scale but no bias, and its scale is tuned for a softmax, not for
// independent binary decisions. So t' and b are fitted: frozen embeddings of the curated set, the
// (t', b) that minimise the sigmoid loss over all its pairs. In s = e^t' and b the loss is a sum of
// softplus of functions linear in (s, b): convex, so Newton's method finds the optimum in a few
// steps (a 2x2 system per step, with step halving to keep s > 0 and the loss falling).

/**
 * The largest temperature e^t' the fit may reach. Curated pairs that are perfectly separable
 * (every positive above every negative) have no finite optimum: the loss keeps falling as the
 * temperature grows. SigLIP's own trained value is near 117; the bound leaves room above it.
 */
export const MAX_SCALE = 1000;

export interface FittedScale {
  tPrime: number;
  bias: number;
  /** The mean per-pair sigmoid loss at the optimum, and at SigLIP's initial t' = log 10, b = −10. */
  loss: number;
  lossAtInit: number;
  pairs: number;
  iterations: number;
  /** The temperature stopped at MAX_SCALE (separable pairs). */
  atBound: boolean;
}

const softplus = (x: number) => (x > 30 ? x : x < -30 ? Math.exp(x) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** image, text: row-major [n, E], L2-normalised embeddings of n matching pairs. */
export function fitSigmoidScale(image: Float32Array, text: Float32Array, E: number): FittedScale {
  const n = image.length / E;
  if (!(n >= 2) || text.length !== image.length) throw new Error(`fitting the reference's temperature needs at least 2 image-text pairs; got ${n}`);
  // Cosine similarities, and which pairs are positives.
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let k = 0; k < E; k++) d += image[i * E + k] * text[j * E + k];
      c[i * n + j] = d;
    }
  }
  const loss = (s: number, b: number) => {
    let l = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) l += softplus(-(i === j ? 1 : -1) * (s * c[i * n + j] + b));
    return l / (n * n);
  };
  let s = 10;
  let b = -10;
  const lossAtInit = loss(s, b);
  let cur = lossAtInit;
  // The loss is a 1-D logistic regression on the cosine (one threshold −b/s for every pair): its
  // optimum is finite unless every positive is at least every negative (separable), where the loss
  // only approaches its infimum as s grows. Then s takes its bound, b the threshold half way.
  let minPos = Infinity, maxNeg = -Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (i === j) minPos = Math.min(minPos, c[i * n + j]);
    else maxNeg = Math.max(maxNeg, c[i * n + j]);
  }
  const separable = minPos >= maxNeg;
  if (separable) {
    // any b in the flat region is as good: take the max-margin threshold, half way between them
    const bound = MAX_SCALE;
    const bias = -bound * (minPos + maxNeg) / 2;
    return { tPrime: Math.log(bound), bias, loss: loss(bound, bias), lossAtInit, pairs: n * n, iterations: 0, atBound: true };
  }
  let it = 0;
  for (; it < 100; it++) {
    let gs = 0, gb = 0, hss = 0, hsb = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const z = i === j ? 1 : -1;
        const x = c[i * n + j];
        const u = s * x + b;
        const g = -z * sigmoid(-z * u); // d softplus(−z u) / du
        const h = sigmoid(u) * sigmoid(-u);
        gs += g * x;
        gb += g;
        hss += h * x * x;
        hsb += h * x;
        hbb += h;
      }
    }
    const det = hss * hbb - hsb * hsb;
    let ds: number, db: number;
    if (det > 1e-12 * Math.max(1, hss * hbb)) {
      ds = -(hbb * gs - hsb * gb) / det;
      db = -(hss * gb - hsb * gs) / det;
    } else {
      ds = -gs / Math.max(hss, 1e-9); // degenerate: all similarities equal; move s alone
      db = -gb / Math.max(hbb, 1e-9);
    }
    if (s >= MAX_SCALE && ds > 0) {
      // at the bound and pushing past it: the optimum over b alone
      ds = 0;
      db = -gb / Math.max(hbb, 1e-12);
    }
    let step = 1;
    let next = Infinity;
    let s2 = s;
    let b2 = b;
    while (step > 1e-6) {
      s2 = Math.min(MAX_SCALE, s + step * ds); // projected onto s <= MAX_SCALE
      b2 = b + step * db;
      if (s2 > 0) {
        next = loss(s2, b2);
        if (next <= cur) break;
      }
      step /= 2;
    }
    if (!(next <= cur)) break;
    const done = cur - next < 1e-10 * Math.max(1e-6, cur);
    s = s2;
    b = b2;
    cur = next;
    if (done) break;
  }
  return { tPrime: Math.log(s), bias: b, loss: cur, lossAtInit, pairs: n * n, iterations: Math.min(it + 1, 100), atBound: s >= MAX_SCALE };
}
