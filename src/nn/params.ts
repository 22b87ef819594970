// Parameter declarations. Layers declare their parameters as plain data (name, shape, init,
// whether weight decay applies); model/layout.ts packs them into the flat vectors the train step
// takes, and hands each layer a Value per name at graph-build time.
import { Value } from '../onnx';

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'const'; value: number }
  | { kind: 'normal'; std: number }
  /** Glorot/Xavier uniform over (fanIn, fanOut). */
  | { kind: 'xavier'; fanIn: number; fanOut: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** AdamW weight decay applies (matrices only; never biases, norms, temperature). */
  decay: boolean;
}

/** Looks up a parameter's Value by name while a graph is built. */
export type Params = (name: string) => Value;

export function matrix(name: string, shape: number[], init: Init): ParamSpec {
  return { name, shape, init, decay: true };
}

export function vector(name: string, shape: number[], init: Init): ParamSpec {
  return { name, shape, init, decay: false };
}
