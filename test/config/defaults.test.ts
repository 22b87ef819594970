// The experiment defaults say the same as the engine's own defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_EXPERIMENT } from '../../src/config/experiment';
import { DEFAULT_ADAMW } from '../../src/model/adamw';
import { DEFAULT_MODEL } from '../../src/model/config';

test('experiment defaults match the model and optimizer defaults', () => {
  assert.deepEqual(DEFAULT_EXPERIMENT.model, DEFAULT_MODEL);
  const { lr: _lr, warmupSteps: _w, schedule: _s, minLrRatio: _m, ...adamw } = DEFAULT_EXPERIMENT.optimizer;
  assert.deepEqual(adamw, DEFAULT_ADAMW);
});
