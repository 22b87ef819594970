// Central finite differences on float64 graphs run in onnxruntime, against the gradient nodes
// that autodiff emits into the same graph.
import * as ort from 'onnxruntime-node';
import { Graph, Value, gradients, op, serialize } from '../../src/onnx';
import { rand } from './ort';

export interface InputSpec {
  shape: number[];
  /** Values to use (default: uniform in [lo, hi)). */
  data?: number[];
  lo?: number;
  hi?: number;
  /** int64 inputs (indices) are fed but not differentiated. */
  dtype?: 'float64' | 'int64';
}

export interface GradcheckResult {
  /** ‖analytic − numeric‖ / max(‖numeric‖, 1e-12), per differentiable input. */
  relErrors: number[];
  /** ‖numeric‖ per differentiable input: a zero here would make the comparison vacuous. */
  numericNorms: number[];
  /** Number of scalar partial derivatives compared. */
  checked: number;
}

/**
 * Checks d(Σ w ⊙ f(inputs))/d(inputs) for a fixed random w, so every output element and its
 * gradient path matter (a plain sum would hide errors that cancel).
 */
export async function gradcheck(
  build: (...inputs: Value[]) => Value | Value[],
  specs: InputSpec[],
  opts: { h?: number; seed?: number } = {},
): Promise<GradcheckResult> {
  const h = opts.h ?? 1e-5;
  const r = rand(opts.seed ?? 1);
  const g = new Graph('float64');
  const inputs = specs.map((s, i) => g.input(`x${i}`, s.shape, s.dtype ?? 'float64'));
  const outs = [build(...inputs)].flat();
  let loss: Value | null = null;
  for (const y of outs) {
    const w = g.floats(Array.from({ length: y.shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), y.shape);
    const term = op.sumAll(op.mul(y, w));
    loss = loss ? op.add(loss, term) : term;
  }
  const diff = inputs.filter((v) => v.dtype === 'float64');
  const grads = gradients(loss!, diff);
  g.output(op.identity(loss!), 'loss');
  grads.forEach((d, i) => g.output(op.identity(d), `grad_${i}`));
  const sess = await ort.InferenceSession.create(serialize(g), { intraOpNumThreads: 1, logSeverityLevel: 3 });

  const values = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'int64') return BigInt64Array.from((s.data ?? []).map(BigInt));
    const lo = s.lo ?? -1;
    const hi = s.hi ?? 1;
    return Float64Array.from(s.data ?? Array.from({ length: n }, () => lo + (hi - lo) * r()));
  });
  const feeds = () => {
    const f: Record<string, ort.Tensor> = {};
    inputs.forEach((v, i) => (f[v.name] = new ort.Tensor(v.dtype as 'float64' | 'int64', values[i], [...v.shape])));
    return f;
  };
  const analytic = await sess.run(feeds());
  const lossAt = async () => ((await sess.run(feeds(), ['loss'])).loss.data as Float64Array)[0];

  const relErrors: number[] = [];
  const numericNorms: number[] = [];
  let checked = 0;
  let k = 0;
  for (let i = 0; i < specs.length; i++) {
    if (specs[i].dtype === 'int64') continue;
    const x = values[i] as Float64Array;
    const r = await compareWithCentralDifferences(x, analytic[`grad_${k++}`].data as Float64Array, lossAt, h);
    relErrors.push(r.relError);
    numericNorms.push(r.numericNorm);
    checked += x.length;
  }
  await sess.release();
  return { relErrors, numericNorms, checked };
}

/**
 * Perturb every element of `x` in place by ±h, take (L(x+h) − L(x−h)) / 2h, and compare with the
 * analytic gradient: ‖analytic − numeric‖ / ‖numeric‖, and ‖numeric‖ (zero would make it vacuous).
 */
export async function compareWithCentralDifferences(
  x: Float64Array,
  analytic: Float64Array,
  lossAt: () => Promise<number>,
  h: number,
): Promise<{ relError: number; numericNorm: number }> {
  let num2 = 0;
  let err2 = 0;
  for (let j = 0; j < x.length; j++) {
    const x0 = x[j];
    x[j] = x0 + h;
    const up = await lossAt();
    x[j] = x0 - h;
    const down = await lossAt();
    x[j] = x0;
    const numeric = (up - down) / (2 * h);
    num2 += numeric * numeric;
    err2 += (numeric - analytic[j]) ** 2;
  }
  return { relError: Math.sqrt(err2) / Math.max(Math.sqrt(num2), 1e-12), numericNorm: Math.sqrt(num2) };
}
