// The experiment-editing commands' input rules (extension/authoring/rules.ts): what the input
// boxes accept and the fixes they suggest.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { filterRatioProblem, parseTrainMix, validFilterRatios } from '../../extension/authoring/rules';

test('filter ratio: accepts ratios that make the super-batch whole, and says B otherwise', () => {
  assert.equal(filterRatioProblem('0.8', 64), undefined); // B = 320
  assert.equal(filterRatioProblem('0.5', 16), undefined);
  assert.equal(filterRatioProblem('0', 16), undefined);
  const p = filterRatioProblem('0.7', 16);
  assert.match(p ?? '', /B = b \/ \(1 − f\) = 16 \/ 0\.3000 = 53\.333 is not whole/);
  assert.match(p ?? '', /try: .*0\.5/);
});

test('filter ratio: refuses what is not a ratio in [0, 1)', () => {
  assert.match(filterRatioProblem('', 16) ?? '', /Enter a number/);
  assert.match(filterRatioProblem('abc', 16) ?? '', /Enter a number/);
  assert.match(filterRatioProblem('1', 16) ?? '', /\[0, 1\)/);
  assert.match(filterRatioProblem('-0.1', 16) ?? '', /\[0, 1\)/);
});

test('suggested filter ratios are all valid for the batch size', () => {
  for (const b of [16, 32, 64, 100]) {
    const fs = validFilterRatios(b);
    assert.ok(fs.length > 0);
    for (const f of fs) assert.equal(filterRatioProblem(String(f), b), undefined, `b=${b} f=${f}`);
  }
  assert.ok(validFilterRatios(64).includes(0.8));
});

test('Flexi training mix: patch size:fraction pairs from the model, adding up to 1', () => {
  assert.deepEqual(parseTrainMix('4:0.5, 8:0.5', [4, 8]), [{ patchSize: 4, fraction: 0.5 }, { patchSize: 8, fraction: 0.5 }]);
  assert.deepEqual(parseTrainMix('8:1', [4, 8]), [{ patchSize: 8, fraction: 1 }]);
  assert.match(parseTrainMix('16:1', [4, 8]) as string, /not in model.patchSizes \(4, 8\)/);
  assert.match(parseTrainMix('4:0.5, 8:0.4', [4, 8]) as string, /add up to 0\.9; they must add up to 1/);
  assert.match(parseTrainMix('4-0.5', [4, 8]) as string, /not patchSize:fraction/);
  assert.match(parseTrainMix('', [4, 8]) as string, /e\.g\. 4:0\.5, 8:0\.5/);
});
