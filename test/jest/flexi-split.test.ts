// Flexi-JEST's training split: which selected examples train at which patch size must not depend
// on the order joint selection drew them in (chunk by chunk), or the conditionally chosen later
// chunks would always train at the coarse size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flexiTrainOrder } from '../../src/jest/flexi';

const drawn = Int32Array.from({ length: 32 }, (_, i) => 100 + i); // draw order: chunk 1 first

test('the split order is a permutation of the selection, the same for a (seed, step), new each step', () => {
  const a = flexiTrainOrder(drawn, 2, 7, 3);
  assert.deepEqual([...a].sort((x, y) => x - y), [...drawn]);
  assert.deepEqual(flexiTrainOrder(drawn, 2, 7, 3), a, 'deterministic: a resumed run cuts each step the same way');
  assert.notDeepEqual(flexiTrainOrder(drawn, 2, 7, 4), a);
  assert.notDeepEqual(flexiTrainOrder(drawn, 2, 8, 3), a);
  assert.equal(flexiTrainOrder(drawn, 1, 7, 3), drawn, 'one group (no Flexi mix): draw order kept');
});

test('every draw position lands in the fine half about half the time, the first chunk included', () => {
  const steps = 400;
  const fine = new Array<number>(drawn.length).fill(0);
  for (let step = 0; step < steps; step++) {
    const order = flexiTrainOrder(drawn, 2, 1, step);
    for (const id of order.subarray(0, 16)) fine[id - 100]++; // the first group trains at the fine patch size
  }
  // binomial(400, 0.5): sd 10; 5 sd either way. Cutting in draw order would give 400 for positions 0-15 and 0 after.
  for (const [pos, n] of fine.entries()) assert.ok(n > 150 && n < 250, `draw position ${pos} trained fine ${n} of ${steps} times`);
});
