// Element types the engine uses, with their ONNX TensorProto enum and JS storage.
export type FloatType = 'float32' | 'float64';
export type DType = FloatType | 'int64' | 'int32' | 'uint8' | 'bool';

/** onnx.TensorProto.DataType values. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

export function isFloat(d: DType): d is FloatType {
  return d === 'float32' || d === 'float64';
}

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
