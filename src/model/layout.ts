// The flat parameter layout: all decayed parameters (matrices) in one vector, the rest (biases,
// norms, t', b) in another. The train step then crosses the binding as six tensors (θ, m, v per
// group) instead of hundreds, and weight decay needs no per-element mask: it applies to one
// whole vector and not the other.
import { FloatType, Graph, Value, op } from '../onnx';
import { ParamSpec, Params } from '../nn/params';
import { Rng } from '../util/rng';

export type Group = 'decay' | 'plain';
export const GROUPS: readonly Group[] = ['decay', 'plain'];

export interface LayoutEntry {
  spec: ParamSpec;
  group: Group;
  offset: number;
  size: number;
}

export interface FlatLayout {
  entries: LayoutEntry[];
  size: Record<Group, number>;
}

/** One vector per group. */
export type FlatValues<T = Float32Array> = Record<Group, T>;

export function flatLayout(specs: ParamSpec[]): FlatLayout {
  const size: Record<Group, number> = { decay: 0, plain: 0 };
  const entries: LayoutEntry[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new Error(`parameter ${spec.name} declared twice`);
    seen.add(spec.name);
    const group: Group = spec.decay ? 'decay' : 'plain';
    const n = spec.shape.reduce((a, b) => a * b, 1);
    entries.push({ spec, group, offset: size[group], size: n });
    size[group] += n;
  }
  return { entries, size };
}

export function parameterCount(layout: FlatLayout): number {
  return layout.size.decay + layout.size.plain;
}

/** Fresh parameters from a seed (same seed, same model). */
export function initParams(layout: FlatLayout, seed: number): FlatValues {
  const rng = new Rng(seed);
  const out: FlatValues = { decay: new Float32Array(layout.size.decay), plain: new Float32Array(layout.size.plain) };
  for (const e of layout.entries) {
    const view = out[e.group].subarray(e.offset, e.offset + e.size);
    const init = e.spec.init;
    switch (init.kind) {
      case 'zeros':
        break;
      case 'ones':
        view.fill(1);
        break;
      case 'const':
        view.fill(init.value);
        break;
      case 'normal':
        for (let i = 0; i < view.length; i++) view[i] = rng.normal() * init.std;
        break;
      case 'xavier': {
        const a = Math.sqrt(6 / (init.fanIn + init.fanOut));
        for (let i = 0; i < view.length; i++) view[i] = (rng.uniform() * 2 - 1) * a;
        break;
      }
    }
  }
  return out;
}

/** A named parameter's slice of the flat vectors (a view, not a copy). */
export function paramView<T extends Float32Array | Float64Array>(layout: FlatLayout, values: FlatValues<T>, name: string): T {
  const e = layout.entries.find((x) => x.spec.name === name);
  if (!e) throw new Error(`no parameter named ${name}`);
  return values[e.group].subarray(e.offset, e.offset + e.size) as T;
}

/**
 * Inside a graph: split the flat group vectors into one Value per parameter.
 * `maxFanout` bounds the outputs of one Split (and so the inputs of the Concat its gradient
 * becomes): WebGPU shaders allow 16 storage buffers, so there the split is a tree of Splits.
 */
export function bindFlat(layout: FlatLayout, theta: Record<Group, Value>, maxFanout = Infinity): Params {
  const byName = new Map<string, Value>();
  for (const group of GROUPS) {
    const entries = layout.entries.filter((e) => e.group === group);
    if (entries.length === 0) continue;
    splitTree(theta[group], entries, Math.max(2, maxFanout), byName);
  }
  return lookup(byName);
}

function splitTree(vec: Value, entries: LayoutEntry[], fanout: number, out: Map<string, Value>): void {
  if (entries.length === 1) {
    out.set(entries[0].spec.name, op.reshape(vec, entries[0].spec.shape));
    return;
  }
  // Consecutive entries in at most `fanout` chunks of near-equal count.
  const chunks: LayoutEntry[][] = [];
  const per = Math.ceil(entries.length / Math.min(fanout, entries.length));
  const chunkCount = Math.ceil(entries.length / per);
  if (chunkCount > fanout) throw new Error('splitTree: fan-out arithmetic');
  for (let i = 0; i < entries.length; i += per) chunks.push(entries.slice(i, i + per));
  const sizes = chunks.map((c) => c.reduce((s, e) => s + e.size, 0));
  const parts = op.split(vec, sizes, 0);
  chunks.forEach((c, i) => splitTree(parts[i], c, fanout, out));
}

/** Inside a graph: parameters baked in as constants (standalone exported encoders). */
export function bindConstants(g: Graph, layout: FlatLayout, values: FlatValues): Params {
  const byName = new Map<string, Value>();
  for (const e of layout.entries) {
    const src = values[e.group].subarray(e.offset, e.offset + e.size);
    const data = g.float === 'float64' ? Float64Array.from(src) : Float32Array.from(src);
    byName.set(e.spec.name, g.constant(data, e.spec.shape, g.float, e.spec.name));
  }
  return lookup(byName);
}

function lookup(byName: Map<string, Value>): Params {
  return (name) => {
    const v = byName.get(name);
    if (!v) throw new Error(`model code asked for parameter '${name}', which the layout does not declare`);
    return v;
  };
}

export function flatInputs(g: Graph, layout: FlatLayout, prefix: string, float: FloatType = g.float): Record<Group, Value> {
  return {
    decay: g.input(`${prefix}.decay`, [layout.size.decay], float),
    plain: g.input(`${prefix}.plain`, [layout.size.plain], float),
  };
}
