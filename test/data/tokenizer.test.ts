import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAD_ID, splitWords, toInt64, Tokenizer, UNK_ID } from '../../src/data/tokenizer';

test('splitting: lower-case words, punctuation as its own token, apostrophes inside words', () => {
  assert.deepEqual(splitWords('Waving Hand: light-skin TONE!'), ['waving', 'hand', ':', 'light', '-', 'skin', 'tone', '!']);
  assert.deepEqual(splitWords("don't  stop\tnow"), ["don't", 'stop', 'now']);
  assert.deepEqual(splitWords('Ｃａｆé 42'), ['café', '42'], 'NFKC folds full-width letters');
  assert.deepEqual(splitWords('   '), []);
});

test('the vocabulary is the same whatever order the captions come in', () => {
  const captions = ['a red circle', 'a blue square', 'a red square', 'the blue circle', 'a green ring'];
  const a = Tokenizer.build(captions);
  const b = Tokenizer.build([...captions].reverse());
  assert.deepEqual(a.toJSON(), b.toJSON());
  // Most frequent first, then alphabetical among ties.
  assert.deepEqual(a.words.slice(0, 5), ['a', 'blue', 'circle', 'red', 'square']);
  assert.equal(a.idOf('a'), 2);
});

test('the vocabulary cap counts the two special ids and unknown words map to 1', () => {
  const tok = Tokenizer.build(['a a a b b c'], { vocabSize: 4 });
  assert.equal(tok.vocabSize, 4);
  assert.deepEqual(tok.words, ['a', 'b']);
  assert.equal(tok.idOf('c'), UNK_ID);
  assert.deepEqual([...tok.encode('a c zebra')].slice(0, 4), [2, UNK_ID, UNK_ID, PAD_ID]);
  assert.equal(tok.decode(tok.encode('b zebra')), 'b <unk>');
  const rare = Tokenizer.build(['x x y'], { minCount: 2 });
  assert.equal(rare.idOf('y'), UNK_ID);
});

test('encode truncates to the first L tokens and pads with 0', () => {
  const tok = Tokenizer.build(['one two three four five six'], { maxLength: 4 });
  assert.deepEqual([...tok.encode('one two three four five six')], [2, 3, 4, 5].map((_, i) => tok.idOf(['one', 'two', 'three', 'four'][i])));
  assert.deepEqual([...tok.encode('six')], [tok.idOf('six'), 0, 0, 0]);
  const block = tok.encodeBatch(['one', 'two three']);
  assert.equal(block.length, 8);
  assert.deepEqual([...block], [tok.idOf('one'), 0, 0, 0, tok.idOf('two'), tok.idOf('three'), 0, 0]);
});

test('a stored tokenizer encodes new text (class names) exactly as the original', () => {
  const tok = Tokenizer.build(['grinning face', 'cat face', 'red heart']);
  const restored = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
  for (const t of ['cat face', 'grinning cat', 'unseen words here']) assert.deepEqual(restored.encode(t), tok.encode(t));
  assert.throws(() => Tokenizer.fromJSON({ format: 'other' } as never), /not a jest-studio tokenizer/);
});

test('toInt64 matches BigInt conversion', () => {
  const ids = Int32Array.from([0, 1, 2, 70000, 2 ** 31 - 1, -5]);
  assert.deepEqual([...toInt64(ids)], [...ids].map((x) => BigInt(x)));
});
