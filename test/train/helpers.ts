// Small synthetic experiments for trainer tests: real prepared data, real sessions, tiny model.
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { DEFAULT_EXPERIMENT, Experiment } from '../../src/config/experiment';

export const TINY_MODEL = { imageSize: 16, patchSizes: [4, 8], width: 64, depth: 1, heads: 4, mlpRatio: 2, embedDim: 32, vocabSize: 64, seqLen: 4 };

/** 16 classes (4 colours × 4 shapes): learnable by a tiny model within a couple of hundred steps. */
export const CLASSES = ['red', 'green', 'blue', 'yellow'].flatMap((colour) =>
  (['circle', 'square', 'triangle', 'cross'] as const).map((shape) => ({ colour, shape })),
);

export function experiment(overrides: Partial<Experiment> & { name: string }): Experiment {
  const base = structuredClone(DEFAULT_EXPERIMENT);
  return {
    ...base,
    model: TINY_MODEL,
    data: {
      train: { kind: 'synthetic', n: 3000, seed: 2, mismatchFraction: 0.5, vagueFraction: 0.1, classes: CLASSES },
      curated: { kind: 'synthetic', n: 1000, seed: 1, classes: CLASSES },
      eval: [{ name: 'held-out shapes', source: { kind: 'synthetic', n: 300, seed: 3, classes: CLASSES }, tasks: ['zero-shot', 'retrieval'], max: null }],
      maxTrainExamples: null,
    },
    optimizer: { ...base.optimizer, lr: 3e-3, warmupSteps: 10 },
    training: { batchSize: 32, steps: 400, seed: 1 },
    selection: { ...base.selection, method: 'uniform' },
    reference: null,
    runtime: { device: 'cpu', threads: 1 },
    evaluation: { every: 200 },
    snapshotEvery: 100,
    checkpointEvery: 100,
    ...overrides,
  } as Experiment;
}

export async function tempRoot(tag: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `jest-${tag}-`));
}
