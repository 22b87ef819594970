// A static-shape ONNX graph under construction.
//
// The intermediate form is deliberately smaller than ONNX: every "static" integer argument
// (axes, shapes, split sizes, pads, slice bounds) is an ATTRIBUTE here, so gradient rules only
// ever see tensor inputs. serialize.ts turns those attributes into the int64 inputs that opset 17
// wants. Shapes are concrete numbers; every op checks them as the graph is built (ops.ts).
import { DType, FloatType, Shape, shapeStr } from './dtype';

export type AttrValue = number | number[] | string;
export type Attrs = Record<string, AttrValue>;

export class Value {
  /** Set by Graph.output() to give a graph output its public name. */
  name: string;
  constructor(
    readonly graph: Graph,
    name: string,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly producer: Node | null,
  ) {
    this.name = name;
  }
  get rank(): number {
    return this.shape.length;
  }
  toString(): string {
    return `${this.name}${shapeStr(this.shape)}:${this.dtype}`;
  }
}

export interface Node {
  /** Where in the model it was built ('image/block0', 'backward', 'adamw'): names profiles. */
  readonly scope: string;
  readonly op: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
}

export type ConstData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Shape (and dtype) inference for one op: throws naming the op and the shapes on a mismatch. */
export type InferRule = (inputs: readonly Value[], attrs: Attrs) => { shape: Shape; dtype: DType }[];

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly constants = new Map<Value, ConstData>();
  private counter = 0;
  private scopes: string[] = [];
  private readonly scalarCache = new Map<string, Value>();

  /** `float` is the dtype of every floating tensor the model code creates (float64 for gradient checks). */
  constructor(
    readonly float: FloatType = 'float32',
    readonly name = 'jest_studio',
  ) {}

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, shape: Shape, dtype: DType = this.float): Value {
    if (this.inputs.some((v) => v.name === name)) throw new Error(`graph input '${name}' declared twice`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d <= 0) throw new Error(`graph input '${name}': bad shape ${shapeStr(shape)}`);
    }
    const v = new Value(this, name, [...shape], dtype, null);
    this.inputs.push(v);
    return v;
  }

  constant(data: ConstData, shape: Shape, dtype: DType, name = this.fresh('const')): Value {
    const v = new Value(this, name, [...shape], dtype, null);
    this.constants.set(v, data);
    return v;
  }

  /** A float scalar of the graph's dtype; identical scalars share one initializer. */
  scalar(x: number, dtype: DType = this.float): Value {
    const key = `${dtype}:${Object.is(x, -0) ? '-0' : x}`;
    let v = this.scalarCache.get(key);
    if (!v) {
      const data =
        dtype === 'float64'
          ? new Float64Array([x])
          : dtype === 'float32'
            ? new Float32Array([x])
            : dtype === 'int64'
              ? new BigInt64Array([BigInt(x)])
              : dtype === 'int32'
                ? new Int32Array([x])
                : new Uint8Array([x]);
      v = this.constant(data, [], dtype);
      this.scalarCache.set(key, v);
    }
    return v;
  }

  /** A float constant of the graph's dtype from plain numbers. */
  floats(values: ArrayLike<number>, shape: Shape): Value {
    const data = this.float === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    return this.constant(data, shape, this.float);
  }

  /** Append a node; its outputs' shapes come from the op's inference rule. */
  apply(op: string, infer: InferRule, inputs: readonly Value[], attrs: Attrs = {}): Value[] {
    for (const v of inputs) {
      if (v.graph !== this) throw new Error(`${op}: input ${v} belongs to another graph`);
    }
    const types = infer(inputs, attrs);
    const outputs: Value[] = [];
    const node: Node = { scope: this.scopes.join('/'), op, inputs: [...inputs], outputs, attrs };
    for (const t of types) outputs.push(new Value(this, this.fresh(op.toLowerCase()), t.shape, t.dtype, node));
    this.nodes.push(node);
    return outputs;
  }

  /** Build `fn`'s nodes under a scope name (nested scopes join with '/'). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Mark `v` as a graph output called `name`. */
  output(v: Value, name: string): Value {
    if (v.graph !== this) throw new Error(`output '${name}' belongs to another graph`);
    if (this.outputs.includes(v)) throw new Error(`value ${v} is already output '${v.name}'`);
    if (this.outputs.some((o) => o.name === name) || this.inputs.some((i) => i.name === name)) {
      throw new Error(`graph output name '${name}' is already taken`);
    }
    if (!v.producer) {
      throw new Error(`output '${name}': ${v} is an input or constant; pass it through an op first`);
    }
    v.name = name;
    this.outputs.push(v);
    return v;
  }

  /** Nodes that contribute to the outputs, in topological (creation) order. */
  liveNodes(): Node[] {
    const live = new Set<Node>();
    const stack = this.outputs.map((o) => o.producer).filter((n): n is Node => n !== null);
    while (stack.length) {
      const n = stack.pop()!;
      if (live.has(n)) continue;
      live.add(n);
      for (const i of n.inputs) if (i.producer && !live.has(i.producer)) stack.push(i.producer);
    }
    return this.nodes.filter((n) => live.has(n));
  }
}
