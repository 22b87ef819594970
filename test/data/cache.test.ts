import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { batchTokensInt64, PreparedDataset, subBatch } from '../../src/data/cache/dataset';
import { prepare } from '../../src/data/cache/prepare';
import { resizePixels } from '../../src/data/decode/pixels';
import { synthetic } from '../../src/data/synthetic';
import { tempDir } from './helpers';
import type { Tokenizer } from '../../src/data/tokenizer';

const SPEC = { kind: 'synthetic' as const, n: 103, seed: 5, imageSize: 24, mismatchFraction: 0.1 };

test('round trip: pixels, tokens, captions and provenance come back exactly as prepared', async (t) => {
  const dir = tempDir(t);
  const { dir: out, manifest } = await prepare(SPEC, { cacheRoot: dir, size: 16, shardSize: 40, maxLength: 6 });
  assert.equal(manifest.count, 103);
  assert.deepEqual(manifest.shards.map((s) => s.count), [40, 40, 23], 'rows split across shards');
  const expected = synthetic({ ...SPEC });
  for (const inMemory of [true, false]) {
    const ds = await PreparedDataset.open(out, { inMemory });
    const rows = [0, 39, 40, 41, 102, 7];
    const b = ds.get(rows);
    rows.forEach((row, k) => {
      const ref = expected[row].image;
      assert.equal(ref.kind, 'pixels');
      if (ref.kind !== 'pixels') return;
      const want = resizePixels(ref.data, ref.width, ref.height, ref.channels, { size: 16, background: [255, 255, 255], fit: 'contain' });
      assert.deepEqual(b.pixels.subarray(k * 768, (k + 1) * 768), want, `pixels of row ${row} (inMemory ${inMemory})`);
      assert.equal(b.captions[k], expected[row].caption);
      assert.deepEqual(b.tokens.subarray(k * 6, (k + 1) * 6), ds.tokenizer.encode(expected[row].caption));
      assert.equal(b.ids[k], expected[row].id);
      assert.equal(ds.examples[row].noise, expected[row].noise);
    });
    const tokens64 = batchTokensInt64(b);
    assert.deepEqual([...tokens64], [...b.tokens].map(BigInt));
    const sub = subBatch(b, [4, 0]);
    assert.deepEqual([...sub.indices], [102, 0]);
    assert.deepEqual(sub.pixels.subarray(0, 768), b.pixels.subarray(4 * 768, 5 * 768));
    ds.close();
  }
});

test('preparing the same source with the same settings again is a no-op; other settings are a new cache', async (t) => {
  const dir = tempDir(t);
  const first = await prepare(SPEC, { cacheRoot: dir });
  const mtime = statSync(path.join(first.dir, 'manifest.json')).mtimeMs;
  const again = await prepare(SPEC, { cacheRoot: dir });
  assert.equal(again.reused, true);
  assert.equal(again.dir, first.dir);
  assert.equal(statSync(path.join(first.dir, 'manifest.json')).mtimeMs, mtime, 'nothing rewritten');
  const bigger = await prepare(SPEC, { cacheRoot: dir, size: 24 });
  assert.equal(bigger.reused, false);
  assert.notEqual(bigger.dir, first.dir);
  const otherSeed = await prepare({ ...SPEC, seed: 6 }, { cacheRoot: dir });
  assert.notEqual(otherSeed.manifest.fingerprint, first.manifest.fingerprint);
  const capped = await prepare(SPEC, { cacheRoot: dir, max: 50 });
  assert.equal(capped.manifest.count, 50);
  const forced = await prepare(SPEC, { cacheRoot: dir, force: true });
  assert.equal(forced.reused, false);
  assert.equal(forced.dir, first.dir);
});

test('shuffling is deterministic by seed, reshuffles each epoch, and covers every row once per epoch', async (t) => {
  const dir = tempDir(t);
  const ds = await PreparedDataset.open((await prepare({ ...SPEC, n: 100 }, { cacheRoot: dir })).dir);
  t.after(() => ds.close());
  const take = async (seed: number, n: number) => {
    const out: number[][] = [];
    for await (const b of ds.batches({ batchSize: 10, seed })) {
      out.push([...b.indices]);
      if (out.length === n) break;
    }
    return out;
  };
  const a = await take(1, 20);
  assert.deepEqual(a, await take(1, 20));
  assert.notDeepEqual(a, await take(2, 20));
  const epoch0 = a.slice(0, 10).flat();
  const epoch1 = a.slice(10, 20).flat();
  assert.deepEqual([...epoch0].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...epoch1].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(epoch0, epoch1);
});

test('the iterator position is JSON and resumes at exactly the next batch, across an epoch boundary', async (t) => {
  const dir = tempDir(t);
  const ds = await PreparedDataset.open((await prepare({ ...SPEC, n: 100 }, { cacheRoot: dir })).dir);
  t.after(() => ds.close());
  const straight: number[][] = [];
  for await (const b of ds.batches({ batchSize: 32, seed: 9, epochs: 3 })) straight.push([...b.indices]);
  assert.equal(straight.length, 9, '3 full batches per epoch, the last 4 rows dropped');
  const it = ds.batches({ batchSize: 32, seed: 9, epochs: 3, prefetch: 3 });
  const firstPart: number[][] = [];
  for (let i = 0; i < 4; i++) firstPart.push([...(await it.next()).value!.indices]);
  const saved = JSON.parse(JSON.stringify(it.position)); // what a checkpoint stores
  await it.return();
  assert.deepEqual(saved, { seed: 9, epoch: 1, cursor: 32, batchSize: 32 });
  const rest: number[][] = [];
  for await (const b of ds.batches({ batchSize: 32, position: saved, epochs: 3 })) rest.push([...b.indices]);
  assert.deepEqual([...firstPart, ...rest], straight);
  // Without dropping, the epoch's last batch is short.
  const sizes: number[] = [];
  for await (const b of ds.batches({ batchSize: 32, epochs: 1, dropLast: false, shuffle: false })) sizes.push(b.indices.length);
  assert.deepEqual(sizes, [32, 32, 32, 4]);
  assert.throws(() => ds.batches({ batchSize: 32, seed: 1, position: saved }), /saved with seed 9/);
  assert.throws(() => ds.batches({ batchSize: 500 }), /larger than the prepared set/);
});

test('labels give the class list of a zero-shot evaluation', async (t) => {
  const dir = tempDir(t);
  const ds = await PreparedDataset.open((await prepare({ kind: 'synthetic', n: 60, classes: [{ colour: 'red', shape: 'circle' }, { colour: 'blue', shape: 'ring' }] }, { cacheRoot: dir })).dir);
  t.after(() => ds.close());
  assert.deepEqual(ds.classNames(), ['blue ring', 'red circle']);
  const idx = ds.labelIndices();
  ds.examples.forEach((e, i) => assert.equal(ds.classNames()[idx[i]], e.label));
  const classTokens = ds.tokenizer.encodeBatch(ds.classNames());
  assert.equal(classTokens.length, 2 * ds.seqLen);
  assert.ok(classTokens[0] > 1 && classTokens[ds.seqLen] > 1, 'class names tokenize to known words');
});

test('opening something that is not a prepared folder says what to run', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(PreparedDataset.open(dir), /not a prepared data set .* data prepare/);
});

test('a concat source reads its parts in order as one prepared set', async (t) => {
  const dir = tempDir(t);
  const r = await prepare({ kind: 'concat', sources: [{ kind: 'synthetic', n: 5, seed: 1 }, { kind: 'synthetic', n: 7, seed: 2 }] }, { cacheRoot: dir });
  const ds = await PreparedDataset.open(r.dir);
  t.after(() => ds.close());
  assert.equal(ds.size, 12);
  assert.deepEqual([ds.examples[0].id, ds.examples[5].id], ['0/synthetic:1:0', '1/synthetic:2:0']);
});

test('prefetch: the next batches are assembled while the consumer is busy elsewhere', async (t) => {
  const dir = tempDir(t);
  const ds = await PreparedDataset.open((await prepare({ ...SPEC, n: 100 }, { cacheRoot: dir })).dir);
  t.after(() => ds.close());
  let assembled = 0;
  const realGet = ds.get.bind(ds);
  ds.get = ((indices: ArrayLike<number>) => {
    assembled++;
    return realGet(indices);
  }) as typeof ds.get;
  const it = ds.batches({ batchSize: 10, seed: 1, prefetch: 3 });
  await it.next();
  // The trainer awaits its own work (here: a turn of the event loop), and the iterator fills up.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(assembled, 1 + 3, 'one delivered, three waiting');
  assert.deepEqual(it.position, { seed: 1, epoch: 0, cursor: 10, batchSize: 10 }, 'prefetched batches do not move the saved position');
  await it.return();
});

test('prepare never replaces a folder that is not a prepared set', async (t) => {
  const dir = tempDir(t);
  const precious = path.join(dir, 'precious');
  mkdirSync(precious);
  writeFileSync(path.join(precious, 'thesis.tex'), 'do not delete');
  await assert.rejects(prepare(SPEC, { out: precious }), /exists and is not a prepared data set .* choose a new or empty folder/);
  assert.equal(readFileSync(path.join(precious, 'thesis.tex'), 'utf8'), 'do not delete');
  const first = await prepare(SPEC, { out: path.join(dir, 'prepared') });
  const other = await prepare({ ...SPEC, seed: 99 }, { out: first.dir });
  assert.equal(other.reused, false, 'an earlier prepared set in --out is replaced');
});

test('an evaluation set prepared with the training tokenizer encodes unseen words as unknown', async (t) => {
  const dir = tempDir(t);
  const train = await prepare({ kind: 'synthetic', n: 50, classes: [{ colour: 'red', shape: 'circle' }, { colour: 'blue', shape: 'square' }] }, { cacheRoot: dir });
  const evalSet = await prepare({ kind: 'synthetic', n: 20, seed: 1, classes: [{ colour: 'red', shape: 'ring' }] }, { cacheRoot: dir, tokenizerFrom: train.dir });
  const a = await PreparedDataset.open(train.dir);
  const b = await PreparedDataset.open(evalSet.dir);
  t.after(() => (a.close(), b.close()));
  assert.deepEqual(b.tokenizer.toJSON(), a.tokenizer.toJSON());
  const row = [...b.tokens.subarray(0, 4)];
  const words = a.tokenizer as Tokenizer;
  assert.deepEqual(row, [words.idOf('a'), words.idOf('red'), 1, 0], '"ring" was never seen in training');
});

test('a concat entry with "max" contributes at most that many examples, and max is in the fingerprint', async (t) => {
  const dir = tempDir(t);
  const spec = (m: number) => ({ kind: 'concat' as const, sources: [{ kind: 'synthetic', n: 30, seed: 1, max: m }, { kind: 'synthetic', n: 4, seed: 2 }] });
  const r = await prepare(spec(10), { cacheRoot: dir });
  assert.equal(r.manifest.count, 14);
  const other = await prepare(spec(11), { cacheRoot: dir });
  assert.equal(other.manifest.count, 15);
  assert.notEqual(other.manifest.fingerprint, r.manifest.fingerprint);
});
