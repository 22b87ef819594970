// The SigLIP sigmoid loss (big_vision's siglip trainer, as a graph).
import { Value, op } from '../onnx';

/**
 * Per-pair losses l_ij = −log σ(z_ij · (t·⟨x_i, y_j⟩ + b)), z_ij = +1 on the diagonal, −1 off it.
 * zImg, zTxt: [N, E], L2-normalised; tPrime, bias: [1]. Returns [N, N].
 * Every (i, j) pair is its own binary problem, so a sub-batch's loss is the sum over its
 * sub-matrix: this is what makes JEST's joint selection tractable.
 */
export function pairLosses(zImg: Value, zTxt: Value, tPrime: Value, bias: Value): Value {
  const logits = op.add(op.mul(op.gemm(zImg, zTxt, undefined, { transB: true }), op.exp(tPrime)), bias);
  const labels = op.sub(op.mul(op.eyeLike(logits), 2), 1); // a constant, folded at load (op.eyeLike)
  return op.softplus(op.neg(op.mul(labels, logits))); // −log σ(x) = softplus(−x)
}

/** The training loss: the sum over the N×N matrix, divided by N (as big_vision does). */
export function sigmoidLoss(pairs: Value): Value {
  return op.div(op.sumAll(pairs), pairs.shape[0]);
}
