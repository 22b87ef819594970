// Compare Runs: the baseline is the first run ticked, whatever the list order (extension/commands/pickOrder.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { pickOrder } from '../../extension/commands/pickOrder';

test('ticks keep their order; an unticked run leaves; list order does not matter', () => {
  let order: string[] = [];
  // VS Code reports the selection in list order: [a, c] after ticking c then a
  order = pickOrder(order, ['c']);
  order = pickOrder(order, ['a', 'c']);
  assert.deepEqual(order, ['c', 'a']);
  order = pickOrder(order, ['a', 'b', 'c']);
  assert.deepEqual(order, ['c', 'a', 'b']);
  order = pickOrder(order, ['a', 'b']);
  assert.deepEqual(order, ['a', 'b'], 'the baseline unticked: the next one picked leads');
  assert.deepEqual(pickOrder(order, []), []);
});
