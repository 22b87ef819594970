// Test helpers: run a built graph in a real onnxruntime CPU session.
import * as ort from 'onnxruntime-node';
import { Graph, serialize } from '../../src/onnx';
import { Rng } from '../../src/util/rng';

export type Feeds = Record<string, Float64Array | Float32Array | BigInt64Array | Uint8Array>;

export async function session(g: Graph): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(serialize(g), { intraOpNumThreads: 1, logSeverityLevel: 3 });
}

export function tensorsFor(g: Graph, feeds: Feeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const v of g.inputs) {
    const data = feeds[v.name];
    if (!data) throw new Error(`missing feed ${v.name}`);
    out[v.name] = new ort.Tensor(v.dtype === 'float64' ? 'float64' : v.dtype === 'float32' ? 'float32' : v.dtype === 'int64' ? 'int64' : 'uint8', data, [...v.shape]);
  }
  return out;
}

/** Uniform [0, 1) numbers from a seed, for test data. */
export function rand(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.uniform();
}
