import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allSyntheticClasses, synthetic, SYNTHETIC_COLOURS, VAGUE_CAPTIONS } from '../../src/data/synthetic';

function pixelsOf(e: ReturnType<typeof synthetic>[number]): Uint8Array {
  assert.equal(e.image.kind, 'pixels');
  return (e.image as { data: Uint8Array }).data;
}

test('noise controls give exact counts and each tag means what it says', () => {
  const n = 400;
  const ex = synthetic({ n, seed: 3, mismatchFraction: 0.2, vagueFraction: 0.1, duplicateFraction: 0.05 });
  const count = (tag: string) => ex.filter((e) => e.noise === tag).length;
  assert.deepEqual([count('clean'), count('mismatched'), count('vague'), count('duplicate')], [260, 80, 40, 20]);
  const classCaptions = new Set(allSyntheticClasses().map((c) => `a ${c.colour} ${c.shape}`));
  for (const e of ex) {
    if (e.noise === 'clean') assert.equal(e.caption, `a ${e.label}`);
    if (e.noise === 'mismatched') {
      assert.notEqual(e.caption, e.trueCaption);
      assert.ok(classCaptions.has(e.caption), `mismatched caption names another real class: ${e.caption}`);
    }
    if (e.noise === 'vague') assert.ok(VAGUE_CAPTIONS.includes(e.caption));
    if (e.noise === 'duplicate') {
      const src = ex.find((o) => o.id === e.duplicateOf)!;
      assert.equal(src.noise, 'clean');
      assert.deepEqual(pixelsOf(e), pixelsOf(src));
      assert.equal(e.caption, src.caption);
    }
  }
  assert.equal(new Set(ex.map((e) => e.id)).size, n, 'ids are unique');
});

test('the same seed gives identical data; another seed different data', () => {
  const a = synthetic({ n: 50, seed: 1, mismatchFraction: 0.3 });
  const b = synthetic({ n: 50, seed: 1, mismatchFraction: 0.3 });
  const c = synthetic({ n: 50, seed: 2, mismatchFraction: 0.3 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((e) => e.caption), c.map((e) => e.caption));
});

test('the caption is determined by the drawing: the named colour is the dominant ink', () => {
  const ex = synthetic({ n: 96, seed: 4, imageSize: 16 });
  for (const e of ex) {
    const px = pixelsOf(e);
    const colour = e.label.split(' ')[0];
    // The most saturated-or-dark pixel is (nearly) the class colour.
    let best = -1, bestRgb = [0, 0, 0];
    for (let i = 0; i < 256; i++) {
      const rgb = [px[3 * i], px[3 * i + 1], px[3 * i + 2]];
      const ink = 765 - rgb[0] - rgb[1] - rgb[2] + Math.max(...rgb) - Math.min(...rgb);
      if (ink > best) [best, bestRgb] = [ink, rgb];
    }
    const nearest = Object.entries(SYNTHETIC_COLOURS).sort(([, p], [, q]) => dist(p, bestRgb) - dist(q, bestRgb))[0][0];
    assert.equal(nearest, colour, `${e.id} "${e.caption}" drew ${bestRgb}`);
  }
  // Shapes differ in their pixel masks: two classes of the same colour never render the same.
  const shapes = synthetic({ n: 2, seed: 0, classes: [{ colour: 'red', shape: 'circle' }] });
  assert.ok(shapes.every((e) => e.label === 'red circle'));
});

function dist(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
}

test('size words and bad options', () => {
  const ex = synthetic({ n: 40, seed: 1, sizeWords: true });
  assert.ok(ex.every((e) => /^a (small|large) \w+ \w+$/.test(e.caption)));
  assert.throws(() => synthetic({ n: 10, mismatchFraction: 0.7, vagueFraction: 0.5 }), /more than 1/);
  assert.throws(() => synthetic({ n: 10, mismatchFraction: 1.5 }), /between 0 and 1/);
  assert.throws(() => synthetic({ n: 10, classes: [{ colour: 'mauve', shape: 'circle' }] }), /unknown synthetic colour "mauve"/);
});
