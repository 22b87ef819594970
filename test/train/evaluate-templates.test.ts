// The evaluation sample (evalRows) and zero-shot prompt ensembling over templates, checked with a
// fake model whose embeddings are chosen by hand, so that the expected top-1 is known exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreparedDataset } from '../../src/data/cache/dataset';
import { EVALUATORS, evalRows, evaluateModel } from '../../src/train/evaluate';

test('evalRows: a seeded uniform sample, sorted and distinct; "first" is a prefix; null or a large max is every row', () => {
  const a = evalRows(1000, 100);
  const b = evalRows(1000, 100);
  assert.deepEqual(a, b, 'the same sample every call');
  assert.deepEqual(evalRows(1000, 100, 'random'), a, "'random' is the default");
  assert.equal(a.length, 100);
  assert.equal(new Set(a).size, 100, 'distinct rows');
  for (let i = 1; i < a.length; i++) assert.ok(a[i - 1] < a[i], `sorted ascending at ${i}: ${a[i - 1]}, ${a[i]}`);
  assert.ok(a.every((r) => Number.isInteger(r) && r >= 0 && r < 1000), 'within range');
  const first100 = Array.from({ length: 100 }, (_, i) => i);
  assert.notDeepEqual(a, first100, 'a random sample is not the prefix');
  assert.ok(a.filter((r) => r > 500).length >= 20, `covers the upper half: ${a.filter((r) => r > 500).length} rows above 500`);
  const mean = a.reduce((s, r) => s + r, 0) / a.length;
  assert.ok(mean > 350 && mean < 650, `a uniform sample's mean is near the middle: ${mean}`);
  // another size gives another (still valid) sample
  const c = evalRows(50, 7);
  assert.equal(c.length, 7);
  assert.equal(new Set(c).size, 7);
  assert.ok(c.every((r, i) => r >= 0 && r < 50 && (i === 0 || c[i - 1] < r)));
  assert.deepEqual(evalRows(50, 7), c);

  assert.deepEqual(evalRows(1000, 100, 'first'), first100);
  assert.deepEqual(evalRows(10, 3, 'first'), [0, 1, 2]);
  const all10 = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(evalRows(10, null), all10);
  assert.deepEqual(evalRows(10, null, 'first'), all10);
  assert.deepEqual(evalRows(10, 10), all10);
  assert.deepEqual(evalRows(10, 25), all10, 'max above the size is every row');
  assert.deepEqual(evalRows(10, 25, 'first'), all10);
});

/** A unit vector at `deg` degrees, in 2-d. */
const at = (deg: number): [number, number] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];

/**
 * The smallest PreparedDataset the evaluators and evaluateModel use: labels per row, and pixels
 * that are the row numbers themselves (one byte each), so the fake model knows which row it embeds.
 */
function fakeSet(labels: (string | undefined)[]): PreparedDataset {
  const names = [...new Set(labels.filter((l): l is string => l !== undefined))].sort();
  return {
    manifest: { name: 'fake-set' },
    size: labels.length,
    examples: labels.map((label, i) => ({ id: `r${i}`, caption: label ?? `unlabelled ${i}`, label })),
    classNames: () => names,
    labelIndices: () => Int32Array.from(labels, (l) => (l === undefined ? -1 : names.indexOf(l))),
    get: (rows: number[]) => ({ pixels: Uint8Array.from(rows) }),
  } as unknown as PreparedDataset;
}

/** A 2-d model: prompts map to fixed directions (an unknown prompt is an error), images by row. */
function fakeModel(textDirections: Record<string, number>, imageDirections: number[]) {
  const calls: string[][] = [];
  const model = {
    embedDim: 2,
    async embedTexts(captions: readonly string[]): Promise<Float32Array> {
      calls.push([...captions]);
      const out = new Float32Array(captions.length * 2);
      captions.forEach((c, i) => {
        const deg = textDirections[c];
        if (deg === undefined) throw new Error(`fake model: unexpected prompt "${c}"`);
        out.set(at(deg), i * 2);
      });
      return out;
    },
    async embedImages(pixels: Uint8Array): Promise<Float32Array> {
      const out = new Float32Array(pixels.length * 2);
      pixels.forEach((row, i) => out.set(at(imageDirections[row]), i * 2));
      return out;
    },
  };
  return { model, calls };
}

// Classes cat and dog. Template "a {}": cat at 0°, dog at 50°. Template "the {}": cat at 90°,
// dog at 50°. Row 0 is a cat image at 40°: nearer the dog under either template alone (10° vs
// 40°, 10° vs 50°), but the normalised mean of the cat's two prompts is at 45°, 5° away, nearer
// than the dog's 50° (10°). Without the normalisation the cat's mean has norm 0.71 and loses
// (0.70 < 0.98), and a plain sum (1.41 vs 1.97) loses too. Row 1 is a dog image at 60°: right in
// every case. Row 2 has no label and takes no part.
const TEXT = { 'a cat': 0, 'the cat': 90, 'a dog': 50, 'the dog': 50, cat: 0, dog: 50 };
const IMAGES = [40, 60, 200];
const LABELS = ['cat', 'dog', undefined];

async function zeroShot(templates: string[]) {
  const set = fakeSet(LABELS);
  const { model, calls } = fakeModel(TEXT, IMAGES);
  const rows = [0, 1, 2];
  const imageEmbeddings = await model.embedImages(Uint8Array.from(rows));
  const metrics = await EVALUATORS['zero-shot']({ model, set, rows, imageEmbeddings, templates });
  return { metrics, calls };
}

test('zero-shot: one template alone misclassifies the cat, the normalised mean over two templates gets it right', async () => {
  const single = await zeroShot(['a {}']);
  assert.equal(single.metrics['zero-shot/top1'], 0.5, 'with "a {}" alone the cat image is nearer the dog');
  assert.equal(single.metrics['zero-shot/top5'], 1);
  assert.equal(single.metrics['zero-shot/classes'], 2);
  assert.deepEqual(single.calls, [['a cat', 'a dog']]);

  const other = await zeroShot(['the {}']);
  assert.equal(other.metrics['zero-shot/top1'], 0.5, 'with "the {}" alone the cat image is nearer the dog');

  const both = await zeroShot(['a {}', 'the {}']);
  assert.equal(both.metrics['zero-shot/top1'], 1, 'the ensemble of the two templates classifies both images right');
  assert.equal(both.metrics['zero-shot/classes'], 2);
  assert.deepEqual(both.calls, [['a cat', 'the cat', 'a dog', 'the dog']], 'prompts are class names x templates, class-major, in template order');
});

test('zero-shot prompts: every "{}" in a template is the class name; the default template is the bare name', async () => {
  const set = fakeSet(['zebra', 'apple', 'mango', 'apple']);
  const seen: string[][] = [];
  const model = {
    embedDim: 2,
    async embedTexts(captions: readonly string[]) {
      seen.push([...captions]);
      return new Float32Array(captions.length * 2).fill(Math.SQRT1_2);
    },
    async embedImages(pixels: Uint8Array) {
      return new Float32Array(pixels.length * 2).fill(Math.SQRT1_2);
    },
  };
  await assert.rejects(evaluateModel(model, set, { tasks: ['zero-shot'], max: null, templates: ['a photo of {}.', 'an emoji'] }), /templates must each contain "\{\}"/, 'a template without the class name is refused');
  await assert.rejects(evaluateModel(model, set, { tasks: ['zero-shot'], max: null, templates: [] }), /templates must each contain/, 'no templates is refused (it would divide by zero)');
  seen.length = 0;
  const templates = ['a photo of {}.', '{} or {}'];
  const r = await evaluateModel(model, set, { tasks: ['zero-shot'], max: null, templates });
  assert.deepEqual(seen, [['a photo of apple.', 'apple or apple', 'a photo of mango.', 'mango or mango', 'a photo of zebra.', 'zebra or zebra']]);
  assert.equal(r.examples, 4);
  assert.equal(r.metrics['zero-shot/classes'], 3);

  seen.length = 0;
  await evaluateModel(model, set, { tasks: ['zero-shot'], max: null });
  assert.deepEqual(seen, [['apple', 'mango', 'zebra']], 'no templates: each class name is its own prompt');
});

test('evaluateModel: embeds the evalRows sample of the set and passes the templates to zero-shot', async () => {
  // 30 rows alternating cat (40°) and dog (60°) images, evaluated on a sample of 8
  const labels = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'dog' : 'cat'));
  const set = fakeSet(labels);
  const { model, calls } = fakeModel(TEXT, labels.map((l) => (l === 'cat' ? 40 : 60)));
  const asked: number[][] = [];
  const embedImages = model.embedImages.bind(model);
  const spy = { ...model, embedImages: (p: Uint8Array) => (asked.push([...p]), embedImages(p)) };

  const random = await evaluateModel(spy, set, { tasks: ['zero-shot'], max: 8, templates: ['a {}', 'the {}'] });
  assert.deepEqual(asked, [evalRows(30, 8)], 'the images of the seeded sample');
  assert.equal(random.examples, 8);
  assert.equal(random.metrics['zero-shot/top1'], 1, 'the ensemble gets every image right');
  assert.deepEqual(calls.at(-1), ['a cat', 'the cat', 'a dog', 'the dog']);

  asked.length = 0;
  const single = await evaluateModel(spy, set, { tasks: ['zero-shot'], max: 8, sample: 'first', templates: ['a {}'] });
  assert.deepEqual(asked, [[0, 1, 2, 3, 4, 5, 6, 7]], "sample 'first' embeds the first 8 rows");
  assert.equal(single.metrics['zero-shot/top1'], 0.5, 'one template: the 4 cats among the first 8 rows are misclassified');
});
