// The selection scores of a super-batch in ONE onnxruntime run: the learner's per-pair losses L
// (forward pass at the scoring patch size), the reference's R from its embeddings, S = L − R (or
// L, or −R), the diagonals for the batch inspector, and the sums the selection statistics need.
// Doing the B×B arithmetic in the graph keeps JavaScript's share of a JEST step to the selection
// itself (a 1280² matrix is 1.6M elements: cheap for ORT, not for a JS loop on the hot path).
import { Graph, Value, graphFlops, op } from '../onnx';
import type { ModelConfig } from '../model/config';
import { bindFlat, flatInputs, flatLayout } from '../model/layout';
import { pairLosses } from '../model/loss';
import { encodeImages, encodeTexts, modelParams } from '../model/siglip';
import { SCORE_NEEDS, type ScoreName } from './scores';

export interface ScoreGraphSpec {
  score: ScoreName;
  superBatch: number;
  /** Patch size the learner scores at (Flexi-JEST: the coarse one). */
  patchSize: number;
  /** The reference's embedding size (when the score needs the reference). */
  referenceEmbedDim: number | null;
  /** Also output S itself (snapshot steps: the batch inspector's heat map shows S, not S + Sᵀ). */
  withMatrix?: boolean;
}

/**
 * Outputs: scores_sym = S + Sᵀ [B,B] and scores_diag [B] (what selection reads), scores_total [],
 * scores_trace [], learner_diag [B]?, reference_diag [B]?, and scores [B,B] when withMatrix.
 */
export function buildScoreGraph(model: ModelConfig, spec: ScoreGraphSpec, maxFanout = Infinity): { graph: Graph; flops: number } {
  const need = SCORE_NEEDS[spec.score];
  const B = spec.superBatch;
  const g = new Graph('float32', 'selection_scores');
  const diag = (m: Value) => op.reduceSum(op.mul(m, op.eyeLike(m)), [1]); // [B]
  let learner: Value | null = null;
  let reference: Value | null = null;
  if (need.learner) {
    const layout = flatLayout(modelParams(model));
    const P = bindFlat(layout, flatInputs(g, layout, 'theta'), maxFanout);
    const images = g.input('images.0', [B, model.imageSize, model.imageSize, 3], 'uint8');
    const tokens = g.input('tokens', [B, model.seqLen], 'int32');
    learner = pairLosses(encodeImages(P, model, images, spec.patchSize), encodeTexts(P, model, tokens), P('t_prime'), P('bias'));
    g.output(diag(learner), 'learner_diag');
  }
  if (need.reference) {
    const E = spec.referenceEmbedDim;
    if (!E) throw new Error(`score ${spec.score} needs the reference's embedding size`);
    const zImg = g.input('reference.image_embeddings', [B, E]);
    const zTxt = g.input('reference.text_embeddings', [B, E]);
    reference = pairLosses(zImg, zTxt, g.input('reference.t_prime', [1]), g.input('reference.bias', [1]));
    g.output(diag(reference), 'reference_diag');
  }
  const scores = learner && reference ? op.sub(learner, reference) : learner ? op.identity(learner) : op.neg(reference!);
  if (spec.withMatrix) g.output(op.identity(scores), 'scores');
  g.output(op.add(scores, op.transpose(scores, [1, 0])), 'scores_sym');
  const sDiag = diag(scores);
  g.output(sDiag, 'scores_diag');
  g.output(op.sumAll(scores), 'scores_total');
  g.output(op.sumAll(sDiag), 'scores_trace');
  return { graph: g, flops: graphFlops(g) };
}
