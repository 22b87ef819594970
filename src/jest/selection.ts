// Choosing the training sub-batch from a super-batch: uniform, independent (per-example, RHO-LOSS
// style) and joint (the paper's Algorithm 1, blocked sampling over the pairwise score matrix).
import { Rng } from '../util/rng';

export type SelectionMethod = 'uniform' | 'independent' | 'jest';

export interface JointOptions {
  /** Number of chunks n (paper default 16); b must be divisible by it. */
  chunks: number;
  /** Softmax temperature on the conditional scores (1 = the paper's exp(c_k)). */
  temperature: number;
}

export interface IndependentOptions {
  /** 'topk': keep the b best; 'sample': draw b without replacement with p ∝ exp(score / T). */
  mode: 'topk' | 'sample';
  /** Each example's own pair S_ii ('diagonal'), or its pairs with the whole super-batch, both directions ('batch'). */
  perExample: 'diagonal' | 'batch';
  temperature: number;
}

function checkSizes(n: number, b: number, scores?: Float32Array): void {
  if (!Number.isInteger(b) || b <= 0 || b > n) throw new Error(`cannot select ${b} of ${n} examples`);
  if (scores && scores.length !== n * n) throw new Error(`score matrix has ${scores.length} entries, expected ${n}x${n}`);
}

/**
 * Draw k indices without replacement with p ∝ exp(logits / T) among those not masked:
 * Gumbel-top-k, exact for sampling without replacement, and stable (no exponentials at all).
 */
export function gumbelTopK(logits: Float64Array, masked: Uint8Array, k: number, temperature: number, rng: Rng): number[] {
  const n = logits.length;
  // A min-heap of the k largest keys so far: O(n log k), no allocation per candidate.
  const heapKey = new Float64Array(k);
  const heapIdx = new Int32Array(k);
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (masked[i]) continue;
    const key = logits[i] / temperature + rng.gumbel();
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (heapKey[p] <= key) break;
        heapKey[c] = heapKey[p];
        heapIdx[c] = heapIdx[p];
        c = p;
      }
      heapKey[c] = key;
      heapIdx[c] = i;
    } else if (key > heapKey[0]) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        const m = l + 1 < k && heapKey[l + 1] < heapKey[l] ? l + 1 : l;
        if (heapKey[m] >= key) break;
        heapKey[c] = heapKey[m];
        heapIdx[c] = heapIdx[m];
        c = m;
      }
      heapKey[c] = key;
      heapIdx[c] = i;
    }
  }
  if (size < k) throw new Error(`cannot draw ${k} of ${size} unmasked candidates`);
  // Highest key first: the order in which a sequential sampler would have drawn them.
  return Array.from(heapIdx)
    .map((idx, j) => ({ idx, key: heapKey[j] }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.idx);
}

export function uniformSelect(n: number, b: number, rng: Rng): Int32Array {
  checkSizes(n, b);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(idx);
  return idx.slice(0, b);
}

export function independentSelect(scores: Float32Array, n: number, b: number, opts: IndependentOptions, rng: Rng): Int32Array {
  checkSizes(n, b, scores);
  const per = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (opts.perExample === 'diagonal') {
      per[i] = scores[i * n + i];
    } else {
      let s = -scores[i * n + i]; // the own pair is in both the row and the column
      for (let j = 0; j < n; j++) s += scores[i * n + j] + scores[j * n + i];
      per[i] = s;
    }
  }
  if (opts.mode === 'sample') return Int32Array.from(gumbelTopK(per, new Uint8Array(n), b, opts.temperature, rng));
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => per[y] - per[x] || x - y);
  return Int32Array.from(order.slice(0, b));
}

/**
 * Joint example selection (Algorithm 1). The first chunk is drawn from softmax over the diagonal
 * S_ii (the paper's pseudo-code leaves it unconditioned; this is the consistent reading). Each
 * further chunk is drawn, without replacement, from softmax over the conditional scores
 *   c_k = S_kk + Σ_{i∈A} S_ik + Σ_{j∈A} S_kj
 * of every unselected k given the selected set A. The sums are kept incrementally, so the whole
 * selection costs O(n·b). c_k sums 2|A|+1 terms, so later chunks are drawn more greedily.
 */
export function jointSelect(scores: Float32Array, n: number, b: number, opts: JointOptions, rng: Rng): Int32Array {
  checkSizes(n, b, scores);
  if (!Number.isInteger(opts.chunks) || opts.chunks <= 0 || b % opts.chunks !== 0) {
    throw new Error(`the batch size ${b} must be divisible by the number of chunks ${opts.chunks}`);
  }
  if (!(opts.temperature > 0)) throw new Error(`selection temperature must be positive, got ${opts.temperature}`);
  const chunk = b / opts.chunks;
  const cond = new Float64Array(n);
  for (let k = 0; k < n; k++) cond[k] = scores[k * n + k];
  const masked = new Uint8Array(n);
  const selected: number[] = [];
  for (let c = 0; c < opts.chunks; c++) {
    const drawn = gumbelTopK(cond, masked, chunk, opts.temperature, rng);
    for (const i of drawn) {
      masked[i] = 1;
      selected.push(i);
      // every candidate's conditional score gains its pairs with i, in both directions
      const row = i * n;
      for (let k = 0; k < n; k++) cond[k] += scores[row + k] + scores[k * n + i];
    }
  }
  return Int32Array.from(selected);
}

/** Σ of the score sub-matrix over the chosen indices: the batch-level score the paper maximises. */
export function subBatchScore(scores: Float32Array, n: number, idx: ArrayLike<number>): number {
  let s = 0;
  for (let a = 0; a < idx.length; a++) {
    const row = idx[a] * n;
    for (let c = 0; c < idx.length; c++) s += scores[row + idx[c]];
  }
  return s;
}

/**
 * The expected sub-batch score of a uniformly random b-subset: b·mean(diagonal) +
 * b(b−1)·mean(off-diagonal). Comparing the selected batch with it shows what selection bought.
 */
export function randomSubBatchScore(scores: Float32Array, n: number, b: number): number {
  let diag = 0;
  let all = 0;
  for (let i = 0; i < n; i++) {
    diag += scores[i * n + i];
    for (let j = 0; j < n; j++) all += scores[i * n + j];
  }
  const off = n > 1 ? (all - diag) / (n * (n - 1)) : 0;
  return b * (diag / n) + b * (b - 1) * off;
}
