// The ONNX layer: build static-shape graphs, differentiate them, count their FLOPs, write them.
export * from './dtype';
export { Graph, Value } from './graph';
export type { Node, Attrs, ConstData } from './graph';
export * as op from './ops';
export { gradients } from './autodiff';
export { nodeFlops, graphFlops, flopsByOp } from './flops';
export { serialize } from './serialize';
export type { SerializeOptions } from './serialize';
