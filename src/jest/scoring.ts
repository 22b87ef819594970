// Scoring a super-batch for selection: one run of the score graph with the learner's current
// parameters and the reference's embeddings of the same examples.
import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../model/config';
import { serialize } from '../onnx';
import type { TrainingSession } from '../runtime/training-session';
import { buildScoreGraph, type ScoreGraphSpec } from './score-graph';
import { SCORE_NEEDS } from './scores';
import type { PairScores } from './selection';

export interface ReferenceEmbeddings {
  image: Float32Array;
  text: Float32Array;
  embedDim: number;
  tPrime: number;
  bias: number;
}

export interface SuperBatchScores {
  /** S + Sᵀ and diag(S), what selection reads (S is learnability by default). */
  pairs: PairScores;
  /** Row-major B×B S itself, only when asked for (snapshot steps). */
  matrix: Float32Array | null;
  /** Σ_ij S_ij and Σ_i S_ii: what a uniformly random sub-batch would score on average. */
  total: number;
  trace: number;
  /** Per-example learner / reference losses l_ii (null when the score does not use that model). */
  learnerDiag: Float32Array | null;
  referenceDiag: Float32Array | null;
}

export async function scoreSuperBatch(
  session: TrainingSession,
  model: ModelConfig,
  spec: ScoreGraphSpec,
  batch: { pixels: Uint8Array; tokens: Int32Array } | null,
  reference: ReferenceEmbeddings | null,
): Promise<SuperBatchScores> {
  const need = SCORE_NEEDS[spec.score];
  const B = spec.superBatch;
  const feeds: Record<string, ort.Tensor> = {};
  if (need.learner) {
    if (!batch) throw new Error(`score ${spec.score} needs the super-batch images and tokens`);
    feeds['images.0'] = new ort.Tensor('uint8', batch.pixels, [B, model.imageSize, model.imageSize, 3]);
    feeds.tokens = new ort.Tensor('int32', batch.tokens, [B, model.seqLen]);
  }
  if (need.reference) {
    if (!reference) throw new Error(`score ${spec.score} needs the reference's embeddings`);
    const E = reference.embedDim;
    feeds['reference.image_embeddings'] = new ort.Tensor('float32', reference.image, [B, E]);
    feeds['reference.text_embeddings'] = new ort.Tensor('float32', reference.text, [B, E]);
    feeds['reference.t_prime'] = new ort.Tensor('float32', Float32Array.of(reference.tPrime), [1]);
    feeds['reference.bias'] = new ort.Tensor('float32', Float32Array.of(reference.bias), [1]);
  }
  const key = `scores|${JSON.stringify(model)}|${JSON.stringify(spec)}`;
  const r = await session.runWithParameters(key, (fanout) => serialize(buildScoreGraph(model, spec, fanout).graph), feeds, need.learner);
  const f32 = (name: string) => (r[name] ? (r[name].data as Float32Array) : null);
  return {
    pairs: { n: B, sym: f32('scores_sym')!, diag: f32('scores_diag')! },
    matrix: f32('scores'),
    total: f32('scores_total')![0],
    trace: f32('scores_trace')![0],
    learnerDiag: f32('learner_diag'),
    referenceDiag: f32('reference_diag'),
  };
}
