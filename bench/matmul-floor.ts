// The matrix-multiply floor of a train step: its Gemm and MatMul nodes alone, same shapes and
// transpose flags, in one graph with nothing else. No arrangement of the rest of the step
// (elementwise work, reductions, AdamW, copies) can make the step faster than this, so
// `torch step / ORT floor` is the best ratio onnxruntime can reach against torch at that size on
// this machine. The peer times the same list with torch.mm / torch.matmul (its BLAS floor).
//
// Each product's output is cut to one element by a Slice (µs) so that no output crosses the binding
// and no product can be dropped. Every operand is its own random tensor, where the real step reuses
// some (an activation in the forward product and its weight gradient), so the floor can read a few
// percent high; the profile's Gemm + MatMul kernel time inside the step is the cross-check
// (docs/benchmarks.md). Torch's list runs from Python, one call per product: at small sizes its
// per-call overhead dominates, so its column is an upper bound, not torch's floor.
import * as ort from 'onnxruntime-node';
import { Graph, Value, op, serialize } from '../src/onnx';
import { sessionOptions } from '../src/runtime/device';
import { Rng } from '../src/util/rng';

/** One matrix product of the step, as the peer reads it from matmuls.json. */
export interface MatmulSpec {
  op: 'Gemm' | 'MatMul';
  a: number[];
  b: number[];
  transA: boolean;
  transB: boolean;
}

/** The Gemm and MatMul nodes the graph runs (bias inputs dropped: they are elementwise work). */
export function matmulsOf(graph: Graph): MatmulSpec[] {
  return graph
    .liveNodes()
    .filter((n) => n.op === 'Gemm' || n.op === 'MatMul')
    .map((n) => ({
      op: n.op as 'Gemm' | 'MatMul',
      a: [...n.inputs[0].shape],
      b: [...n.inputs[1].shape],
      transA: n.attrs.transA === 1,
      transB: n.attrs.transB === 1,
    }));
}

/** FLOPs of the list (2 per multiply-add, as onnx/flops.ts counts). */
export function matmulFlops(specs: MatmulSpec[]): number {
  let f = 0;
  for (const s of specs) {
    const [m, k] = s.op === 'Gemm' && s.transA ? [s.a[1], s.a[0]] : s.a.slice(-2);
    const n = s.op === 'Gemm' && s.transB ? s.b[0] : s.b[s.b.length - 1];
    // batch dims broadcast (a Flexi kernel resize multiplies a 2-D matrix into a batch of them)
    const rank = Math.max(s.a.length, s.b.length) - 2;
    const dim = (x: number[], i: number) => x[x.length - 2 - rank + i] ?? 1;
    let batch = 1;
    for (let i = 0; i < rank; i++) batch *= Math.max(dim(s.a, i), dim(s.b, i));
    f += 2 * batch * m * k * n;
  }
  return f;
}

export interface FloorTiming {
  minMs: number;
  medianMs: number;
  products: number;
  flops: number;
}

/** A session holding the products alone, configured as TrainingSession's CPU session. */
interface MatmulFloor {
  products: number;
  flops: number;
  run(): Promise<void>;
  release(): Promise<void>;
}

async function createMatmulFloor(specs: MatmulSpec[], threads: number, seed = 7): Promise<MatmulFloor> {
  const g = new Graph('float32', 'matmul_floor');
  const rng = new Rng(seed);
  const feeds: Record<string, ort.Tensor> = {};
  const operand = (shape: number[]): Value => {
    const name = `x${Object.keys(feeds).length}`;
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform() - 0.5;
    feeds[name] = new ort.Tensor('float32', data, shape);
    return g.input(name, shape);
  };
  const picks = specs.map((s) => {
    const a = operand(s.a);
    const b = operand(s.b);
    const y = s.op === 'Gemm' ? op.gemm(a, b, undefined, { transA: s.transA, transB: s.transB }) : op.matmul(a, b);
    return op.slice(op.reshape(y, [-1]), [0], [1], [0]);
  });
  g.output(op.concat(picks, 0), 'picked');
  const session = await ort.InferenceSession.create(serialize(g), sessionOptions('cpu', threads, true));
  return {
    products: specs.length,
    flops: matmulFlops(specs),
    run: async () => {
      await session.run(feeds);
    },
    release: () => session.release(),
  };
}

/** Times the products alone (the session is released after: see bench/step.bench.ts on overlap). */
export async function timeMatmulFloor(specs: MatmulSpec[], threads: number, warmup: number, steps: number): Promise<FloorTiming> {
  const floor = await createMatmulFloor(specs, threads);
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    await floor.run();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  await floor.release();
  times.sort((a, b) => a - b);
  return { minMs: times[0], medianMs: times[times.length >> 1], products: floor.products, flops: floor.flops };
}
