import assert from 'node:assert/strict';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { DecodePool } from '../../src/data/decode/pool';
import { resizePixels } from '../../src/data/decode/pixels';
import type { DecodeSettings } from '../../src/data/decode/settings';
import { meanRgb, solidImage, svgSquare, tempDir } from './helpers';

const S16: DecodeSettings = { size: 16, background: [255, 255, 255], fit: 'contain' };

function near(actual: number[], expected: number[], tol: number, what: string): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tol, `${what}: got ${actual}, expected ~${expected}`));
}

test('PNG, JPEG, WebP and SVG decode to size x size RGB with the right colour', async (t) => {
  const dir = tempDir(t);
  const pool = new DecodePool({ workers: 2 });
  t.after(() => pool.close());
  for (const format of ['png', 'jpeg', 'webp'] as const) {
    const file = path.join(dir, `red.${format}`);
    writeFileSync(file, await solidImage(format, [200, 30, 40], 40));
    const r = await pool.decode({ kind: 'file', path: file }, S16);
    assert.ok(r.ok, `${format}: ${!r.ok && r.detail}`);
    assert.equal(r.pixels.length, 16 * 16 * 3);
    near(meanRgb(r.pixels, 16), [200, 30, 40], 4, format);
  }
  const svg = await pool.decode({ kind: 'svg', text: svgSquare('#0000ff') }, { ...S16, size: 24 });
  assert.ok(svg.ok);
  assert.equal(svg.pixels.length, 24 * 24 * 3);
  near(meanRgb(svg.pixels, 24), [0, 0, 255], 2, 'svg');
  // An SVG without its namespace still renders (openclipart has 1,614 of these).
  const bare = await pool.decode({ kind: 'buffer', data: Buffer.from(svgSquare('#00ff00').replace(' xmlns="http://www.w3.org/2000/svg"', '')) }, S16);
  assert.ok(bare.ok);
  near(meanRgb(bare.pixels, 16), [0, 255, 0], 2, 'svg without xmlns');
});

test('transparent pixels are composited on the background colour', async (t) => {
  const pool = new DecodePool({ workers: 1 });
  t.after(() => pool.close());
  const png = await solidImage('png', [0, 0, 200], 32, true);
  const white = await pool.decode({ kind: 'buffer', data: png }, S16);
  const black = await pool.decode({ kind: 'buffer', data: png }, { ...S16, background: [0, 0, 0] });
  assert.ok(white.ok && black.ok);
  near(meanRgb(white.pixels, 16, 0, 7), [255, 255, 255], 2, 'left half on white');
  near(meanRgb(black.pixels, 16, 0, 7), [0, 0, 0], 2, 'left half on black');
  near(meanRgb(white.pixels, 16, 9, 16), [0, 0, 200], 2, 'right half');
});

test('contain letterboxes a wide image; cover crops its centre', async (t) => {
  const pool = new DecodePool({ workers: 1 });
  t.after(() => pool.close());
  const wide = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#f00"/></svg>`;
  const contain = await pool.decode({ kind: 'svg', text: wide }, S16);
  const cover = await pool.decode({ kind: 'svg', text: wide }, { ...S16, fit: 'cover' });
  assert.ok(contain.ok && cover.ok);
  near([...contain.pixels.subarray(0, 3)], [255, 255, 255], 1, 'contain: top row is background');
  near([...cover.pixels.subarray(0, 3)], [255, 0, 0], 1, 'cover: top row is image');
  // The pure-JS path for in-memory pixels follows the same rules.
  const rgba = new Uint8Array(64 * 32 * 4).fill(255);
  for (let i = 0; i < 64 * 32; i++) rgba.set([255, 0, 0, 255], i * 4);
  near([...resizePixels(rgba, 64, 32, 4, S16).subarray(0, 3)], [255, 255, 255], 0, 'js contain');
  near([...resizePixels(rgba, 64, 32, 4, { ...S16, fit: 'cover' }).subarray(0, 3)], [255, 0, 0], 0, 'js cover');
});

test('corrupt, missing and empty images are failures with a reason, not exceptions', async (t) => {
  const dir = tempDir(t);
  const pool = new DecodePool({ workers: 1 });
  t.after(() => pool.close());
  const corrupt = path.join(dir, 'corrupt.png');
  const png = await solidImage('png', [1, 2, 3], 32);
  writeFileSync(corrupt, png.subarray(0, 60)); // header kept, data cut
  const empty = path.join(dir, 'empty.jpg');
  writeFileSync(empty, '');
  const garbage = path.join(dir, 'garbage.webp');
  writeFileSync(garbage, 'this is not an image at all');
  const results = await Promise.all([corrupt, empty, garbage, path.join(dir, 'nope.png')].map((p) => pool.decode({ kind: 'file', path: p }, S16)));
  assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.reason)), ['corrupt-image', 'empty-image', 'corrupt-image', 'missing-image']);
});

test('a decoder that aborts its process is isolated: that image is skipped, the rest decode', async (t) => {
  const pool = new DecodePool({ workers: 2, batchSize: 8, testAbortOn: 'KILLME' });
  t.after(() => pool.close());
  const refs = Array.from({ length: 12 }, (_, i) => ({ kind: 'svg' as const, text: svgSquare(i === 5 ? '#000000' : '#ff0000').replace('<rect', i === 5 ? '<!-- KILLME --><rect' : '<rect') }));
  const results = await Promise.all(refs.map((r) => pool.decode(r, S16)));
  assert.deepEqual(
    results.map((r) => (r.ok ? 'ok' : r.reason)),
    refs.map((_, i) => (i === 5 ? 'decoder-crash' : 'ok')),
  );
  assert.ok(pool.crashes >= 2, `the batch crash and the isolated retry crash are both counted (got ${pool.crashes})`);
  // The pool keeps working after the crash.
  const after = await pool.decode({ kind: 'svg', text: svgSquare('#00ff00') }, S16);
  assert.ok(after.ok);
});

test('a decoder that cannot start at all is one clear error, not a crash per image', async (t) => {
  const dir = tempDir(t);
  const script = path.join(dir, 'broken-child.js');
  writeFileSync(script, "process.stderr.write('cannot load sharp\\n'); process.exit(3);");
  const pool = new DecodePool({ workers: 1, childScript: script });
  t.after(() => pool.close());
  await assert.rejects(pool.decode({ kind: 'svg', text: svgSquare('#fff') }, S16), /decoder process cannot start \(exit code 3\)[\s\S]*cannot load sharp/);
  await assert.rejects(pool.decode({ kind: 'svg', text: svgSquare('#fff') }, S16), /cannot start/);
});
