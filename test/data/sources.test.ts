// Every file-based source format, on real files written here, bad ones included, through
// prepare() so that skipping, counting and the report are checked end to end.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { NoUsableExamplesError, prepare } from '../../src/data/cache/prepare';
import { PreparedDataset } from '../../src/data/cache/dataset';
import { createSource, parseSourceArgument } from '../../src/data/sources/registry';
import type { Example } from '../../src/data/types';
import { makeTar, meanRgb, solidImage, svgSquare, tempDir } from './helpers';

async function collect(spec: Parameters<typeof createSource>[0]): Promise<{ examples: Example[]; problems: string[] }> {
  const examples: Example[] = [];
  const problems: string[] = [];
  for await (const e of createSource(spec).examples({ problem: (p) => problems.push(`${p.reason} ${p.where}`) })) examples.push(e);
  return { examples, problems };
}

/** A folder with one image per format plus broken ones. */
async function writeImages(dir: string): Promise<void> {
  mkdirSync(path.join(dir, 'img'), { recursive: true });
  writeFileSync(path.join(dir, 'img', 'red.png'), await solidImage('png', [220, 0, 0]));
  writeFileSync(path.join(dir, 'img', 'green.jpg'), await solidImage('jpeg', [0, 200, 0]));
  writeFileSync(path.join(dir, 'img', 'blue.webp'), await solidImage('webp', [0, 0, 220]));
  writeFileSync(path.join(dir, 'img', 'black.svg'), svgSquare('#000'));
  writeFileSync(path.join(dir, 'img', 'corrupt.png'), (await solidImage('png', [1, 1, 1])).subarray(0, 50));
  writeFileSync(path.join(dir, 'img', 'empty.jpg'), '');
}

test('JSONL manifest: paths relative to the manifest; bad lines, missing and corrupt images are skipped and reported', async (t) => {
  const dir = tempDir(t);
  await writeImages(dir);
  const lines = [
    { image: 'img/red.png', caption: 'a red square', label: 'red' },
    { image: 'img/green.jpg', caption: 'a green square' },
    'this line is not json',
    { image: 'img/blue.webp', caption: '  a blue\nsquare ' },
    { file: 'img/black.svg', text: 'a black square' },
    { image: 'img/missing.png', caption: 'gone' },
    { image: 'img/corrupt.png', caption: 'broken' },
    { image: 'img/empty.jpg', caption: 'empty' },
    { image: 'img/red.png' },
    { image: 'img/red.png', caption: ['not', 'text'] },
    { image: 'https://example.org/x.jpg', caption: 'remote' },
  ];
  const manifest = path.join(dir, 'train.jsonl');
  writeFileSync(manifest, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  const result = await prepare({ kind: 'manifest', path: manifest }, { cacheRoot: path.join(dir, 'cache'), workers: 1 });
  assert.equal(result.manifest.count, 4);
  assert.deepEqual(result.report.byReason, { 'bad-record': 2, 'corrupt-image': 1, 'empty-image': 1, 'missing-caption': 1, 'missing-image': 1, 'unreadable-caption': 1 });
  const ds = await PreparedDataset.open(result.dir);
  t.after(() => ds.close());
  assert.deepEqual(ds.examples.map((e) => e.caption), ['a red square', 'a green square', 'a blue square', 'a black square']);
  assert.equal(ds.examples[0].label, 'red');
  const b = ds.get([0, 1, 2, 3]);
  const px = (i: number) => meanRgb(b.pixels.subarray(i * 768, (i + 1) * 768), 16);
  assert.ok(px(0)[0] > 200 && px(0)[1] < 20, `red: ${px(0)}`);
  assert.ok(px(1)[1] > 180 && px(1)[0] < 30, `green: ${px(1)}`);
  assert.ok(px(2)[2] > 200 && px(2)[0] < 20, `blue: ${px(2)}`);
  assert.ok(px(3).every((v) => v < 10), `black: ${px(3)}`);
  // The report is written beside the cache and names each file.
  const report = JSON.parse(readFileSync(path.join(result.dir, 'report.json'), 'utf8'));
  assert.equal(report.skipped, 7);
  assert.ok(report.problems.some((p: { where: string; reason: string }) => p.reason === 'missing-image' && p.where === 'img/missing.png'));
  assert.ok(report.problems.some((p: { where: string }) => p.where === 'train.jsonl:3' || p.where.endsWith('train.jsonl:3')));
});

test('CSV manifest: header row, quoted commas and newlines, CRLF', async (t) => {
  const dir = tempDir(t);
  await writeImages(dir);
  const csv = 'filepath,caption\r\nimg/red.png,"a red, bright square"\r\n"img/green.jpg","a ""green""\nsquare"\r\nimg/nothing.png,\r\n';
  writeFileSync(path.join(dir, 'train.csv'), csv);
  const { examples, problems } = await collect({ kind: 'manifest', path: path.join(dir, 'train.csv') });
  assert.deepEqual(examples.map((e) => e.caption), ['a red, bright square', 'a "green" square']);
  assert.equal(examples[1].provenance.line, 3);
  assert.deepEqual(problems.map((p) => p.split(' ')[0]), ['missing-caption']);
});

test('folder with sidecar captions: missing, empty and non-UTF-8 captions are reported', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'pets');
  mkdirSync(path.join(root, 'cats'), { recursive: true });
  writeFileSync(path.join(root, 'cats', 'tom.png'), await solidImage('png', [100, 100, 100]));
  writeFileSync(path.join(root, 'cats', 'tom.txt'), 'a grey cat\n');
  writeFileSync(path.join(root, 'cats', 'felix.webp'), await solidImage('webp', [0, 0, 0]));
  writeFileSync(path.join(root, 'cats', 'felix.txt'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]));
  writeFileSync(path.join(root, 'cats', 'nocap.jpg'), await solidImage('jpeg', [0, 0, 0]));
  writeFileSync(path.join(root, 'cats', 'blank.png'), await solidImage('png', [0, 0, 0]));
  writeFileSync(path.join(root, 'cats', 'blank.txt'), '   \n');
  writeFileSync(path.join(root, 'notes.md'), 'not an image');
  const { examples, problems } = await collect({ kind: 'folder', path: root, labelFromFolder: true });
  assert.deepEqual(examples.map((e) => [e.id, e.caption, e.label]), [[path.join('cats', 'tom.png'), 'a grey cat', 'cats']]);
  assert.deepEqual(problems.sort(), [`missing-caption ${path.join('cats', 'blank.txt')}`, `missing-caption ${path.join('cats', 'nocap.jpg')}`, `unreadable-caption ${path.join('cats', 'felix.txt')}`]);
  assert.deepEqual(await parseSourceArgument(root), { kind: 'folder', path: root });
});

test('WebDataset shards: jpg/png/webp with txt or json captions; a truncated shard is counted and the rest kept', async (t) => {
  const dir = tempDir(t);
  const shards = path.join(dir, 'shards');
  mkdirSync(shards);
  const good = makeTar([
    { name: '00000/000000000.jpg', data: await solidImage('jpeg', [250, 0, 0]) },
    { name: '00000/000000000.txt', data: 'a red photo' },
    { name: '00000/000000000.json', data: JSON.stringify({ url: 'http://x/0.jpg', caption: 'ignored: txt wins' }) },
    { name: '00000/000000001.png', data: await solidImage('png', [0, 250, 0]) },
    { name: '00000/000000001.json', data: JSON.stringify({ url: 'http://x/1.png', caption: 'a green drawing' }) },
    { name: '00000/000000002.webp', data: await solidImage('webp', [0, 0, 250]) },
    { name: '00000/000000002.txt', data: 'a blue picture' },
    { name: '00000/000000003.txt', data: 'caption without image' },
    { name: '00000/000000004.jpg', data: Buffer.from('garbage') },
    { name: '00000/000000004.txt', data: 'a corrupt jpeg' },
  ]);
  writeFileSync(path.join(shards, '00000.tar'), good);
  const second = makeTar([
    { name: '00001/000000010.png', data: await solidImage('png', [9, 9, 9]) },
    { name: '00001/000000010.txt', data: 'a dark square' },
    { name: '00001/000000011.png', data: await solidImage('png', [200, 200, 0], 64) },
    { name: '00001/000000011.txt', data: 'never complete' },
  ]);
  writeFileSync(path.join(shards, '00001.tar'), second.subarray(0, second.length - 1024 - 700)); // cut inside the last png
  const result = await prepare({ kind: 'webdataset', path: shards }, { cacheRoot: path.join(dir, 'cache'), workers: 1 });
  const ds = await PreparedDataset.open(result.dir);
  t.after(() => ds.close());
  assert.deepEqual(ds.examples.map((e) => e.caption), ['a red photo', 'a green drawing', 'a blue picture', 'a dark square']);
  assert.equal(ds.examples[1].provenance.url, 'http://x/1.png');
  assert.deepEqual(result.report.byReason, { 'corrupt-image': 1, 'missing-image': 1, 'truncated-tar': 1 });
  assert.ok(result.report.problems.some((p) => p.reason === 'truncated-tar' && p.where.startsWith('00001.tar')));
  assert.deepEqual(await parseSourceArgument(shards), { kind: 'webdataset', path: shards });
});

test('a source with no usable example is a clear error naming the source and the fix', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'bad.jsonl'), JSON.stringify({ image: 'nothing.png', caption: 'x' }) + '\n');
  await assert.rejects(prepare({ kind: 'manifest', path: path.join(dir, 'bad.jsonl') }, { cacheRoot: path.join(dir, 'c'), workers: 1 }), (e: unknown) => {
    assert.ok(e instanceof NoUsableExamplesError);
    assert.match(e.message, /manifest .*bad\.jsonl.* has no usable example/);
    assert.match(e.message, /missing-image: 1/);
    assert.match(e.message, /Fix:/);
    return true;
  });
  await assert.rejects(prepare({ kind: 'manifest', path: path.join(dir, 'absent.jsonl') }), /manifest not found: .*absent\.jsonl/);
  await assert.rejects(parseSourceArgument(path.join(dir, 'nowhere')), /neither a built-in set/);
  assert.throws(() => createSource({ kind: 'mystery' }), /unknown data source kind "mystery": use one of manifest, folder/);
});

test('a decoder crash on one file during prepare is counted and listed; the job goes on', async (t) => {
  const dir = tempDir(t);
  const lines = ['a', 'b', 'KILLME', 'c', 'd'].map((name) => {
    writeFileSync(path.join(dir, `${name}.svg`), svgSquare('#808080'));
    return JSON.stringify({ image: `${name}.svg`, caption: `square ${name}` });
  });
  writeFileSync(path.join(dir, 'm.jsonl'), lines.join('\n'));
  const r = await prepare({ kind: 'manifest', path: path.join(dir, 'm.jsonl') }, { cacheRoot: path.join(dir, 'c'), workers: 2, testAbortOn: 'KILLME' });
  assert.equal(r.manifest.count, 4);
  assert.deepEqual(r.report.byReason, { 'decoder-crash': 1 });
  assert.equal(r.report.problems[0].where, 'KILLME.svg');
  assert.match(r.report.problems[0].detail, /decoder process died/);
});
