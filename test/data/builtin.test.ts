// Small-size smoke tests of the built-in sets, prepared from the npm packages in devDependencies.
// The full-size preparation (>= 3,000 emoji, >= 50,000 icons) is measured by the CLI and the
// benchmark, not here, to keep the suite fast.

import assert from 'node:assert/strict';
import * as fs from 'fs';
import { mkdirSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { prepare } from '../../src/data/cache/prepare';
import { PreparedDataset } from '../../src/data/cache/dataset';
import { EmojiSource } from '../../src/data/sources/emoji';
import { EXCLUDED_LICENCE_SETS, captionFromIconName } from '../../src/data/sources/iconify';
import { slugify } from '../../src/data/sources/emojiHeldOut';
import { BUILTIN_DATA_PACKAGES, DATASETS_ENV, MissingPackageError, packageDir, pinned, requirePackageDir } from '../../src/data/sources/packages';
import { createSource } from '../../src/data/sources/registry';
import type { Example } from '../../src/data/types';
import { meanRgb, tempDir } from './helpers';

async function first(spec: Parameters<typeof createSource>[0], n: number): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of createSource(spec).examples({ problem: () => undefined })) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

test('emoji: CLDR captions, reusable-licence vendors by default, skin tones as separate pairs', async (t) => {
  const dir = tempDir(t);
  const estimate = await new EmojiSource({ kind: 'builtin', name: 'emoji' }).estimateCount();
  assert.ok(estimate >= 3000, `at least 3,000 curated pairs available, found ${estimate}`);
  const r = await prepare({ kind: 'builtin', name: 'emoji' }, { cacheRoot: dir, max: 250 });
  const ds = await PreparedDataset.open(r.dir);
  t.after(() => ds.close());
  assert.equal(ds.size, 250);
  assert.equal(ds.examples[0].caption, 'grinning face');
  assert.ok(ds.examples.every((e) => e.provenance.licence === 'Apache-2.0' || e.provenance.licence === 'CC-BY-4.0'));
  assert.ok(ds.examples.some((e) => / skin tone$/.test(e.caption)), 'skin-tone variants are included');
  // The grinning face is mostly yellow on white.
  const [red, green, blue] = meanRgb(ds.get([0]).pixels, 16);
  assert.ok(red > 200 && green > 170 && blue < 170, `grinning face colours ${red},${green},${blue}`);
  const twitter = await first({ kind: 'builtin', name: 'emoji', vendors: ['twitter'], skinTones: false }, 3);
  assert.deepEqual(twitter.map((e) => e.provenance.vendor), ['twitter', 'twitter', 'twitter']);
});

test('icons: licence-filtered sets, captions from names with style words removed, sets interleaved', async () => {
  assert.deepEqual(captionFromIconName('brain-circuit-24-regular'), { caption: 'brain circuit', style: '24 regular' });
  assert.deepEqual(captionFromIconName('account-circle-outline-rounded'), { caption: 'account circle', style: 'outline rounded' });
  assert.deepEqual(captionFromIconName('numeric-1-box'), { caption: 'numeric 1 box', style: '' });
  assert.deepEqual(captionFromIconName('fill'), { caption: 'fill', style: '' }, 'a name that is only a style word keeps it');
  const icons = await first({ kind: 'builtin', name: 'icons' }, 200);
  const sets = new Set(icons.map((e) => e.id.split(':')[0]));
  assert.ok(sets.size >= 5, `a prefix mixes sets: ${[...sets]}`);
  for (const s of sets) assert.ok(!EXCLUDED_LICENCE_SETS.includes(s) && s !== 'fluent-emoji-flat', `excluded set ${s} read`);
  assert.ok(icons.every((e) => e.image.kind === 'svg' && !/currentColor/.test(e.image.text) && e.provenance.licence));
  await assert.rejects(first({ kind: 'builtin', name: 'icons', sets: ['gridicons'] }, 1), /excluded \(licence/);
});

test('emoji-heldout: a style never seen in training, labelled for zero-shot retrieval', async (t) => {
  assert.equal(slugify('piñata'), 'pinata');
  assert.equal(slugify("man’s shoe"), 'mans-shoe');
  assert.equal(slugify('Japanese “free of charge” button'), 'japanese-free-of-charge-button');
  const dir = tempDir(t);
  const r = await prepare({ kind: 'builtin', name: 'emoji-heldout' }, { cacheRoot: dir, max: 40 });
  const ds = await PreparedDataset.open(r.dir);
  t.after(() => ds.close());
  assert.equal(ds.size, 40);
  assert.ok(ds.examples.every((e) => e.label === e.caption && e.id.startsWith('fluent-emoji-flat:')));
  assert.equal(ds.classNames().length, 40);
});

test('missing packages and data name the command that installs them', async () => {
  assert.throws(() => requirePackageDir('jest-studio-no-such-package', 'the test set', ['jest-studio-no-such-package@1.0.0']), (e: unknown) => {
    assert.ok(e instanceof MissingPackageError);
    assert.match(e.message, /not installed\. To install them, npm install --save-dev jest-studio-no-such-package@1\.0\.0/);
    return true;
  });
  await assert.rejects(first({ kind: 'builtin', name: 'openclipart', path: '/nonexistent/openclipart' }, 1), /apt-get install openclipart-svg/);
  await assert.rejects(first({ kind: 'builtin', name: 'emoji-heldout', style: 'no-such-style' }, 1), /To install it, npm install --save-dev @iconify-json\/no-such-style/);
  assert.throws(() => createSource({ kind: 'builtin', name: 'cifar' }), /unknown built-in data set "cifar": use one of emoji, icons/);
});

test('noisy wrapper spoils a seeded fraction of emoji captions and keeps the true label', async () => {
  const spec = { kind: 'noisy' as const, source: { kind: 'builtin', name: 'emoji', vendors: ['google'] }, mismatchFraction: 0.3, vagueFraction: 0.2, seed: 4 };
  const a = await first(spec, 300);
  const b = await first(spec, 300);
  assert.deepEqual(a.map((e) => e.caption), b.map((e) => e.caption));
  const tags = a.map((e) => e.noise);
  const frac = (t: string) => tags.filter((x) => x === t).length / a.length;
  assert.ok(Math.abs(frac('mismatched') - 0.3) < 0.08 && Math.abs(frac('vague') - 0.2) < 0.08, `fractions ${frac('mismatched')} ${frac('vague')}`);
  for (const e of a) {
    if (e.noise === 'clean') assert.equal(e.caption, e.label);
    else assert.notEqual(e.caption, e.label);
  }
});

test('openclipart: titles become captions, SVGs without a namespace still render', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'svg');
  mkdirSync(path.join(root, 'food'), { recursive: true });
  writeFileSync(path.join(root, 'food', 'pear.svg'), '<svg xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" width="40" height="40"><title>Orange &amp; pear</title><metadata><rdf:li>fruit</rdf:li></metadata><circle cx="20" cy="20" r="18" fill="#f80"/></svg>');
  writeFileSync(path.join(root, 'food', 'untitled.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  const r = await prepare({ kind: 'builtin', name: 'openclipart', path: root, keywords: true }, { cacheRoot: path.join(dir, 'c'), workers: 1 });
  const ds = await PreparedDataset.open(r.dir);
  t.after(() => ds.close());
  assert.deepEqual(ds.examples.map((e) => e.caption), ['Orange & pear, fruit']);
  assert.deepEqual(r.report.byReason, { 'missing-caption': 1 });
  const [red, green, blue] = meanRgb(ds.get([0]).pixels, 16, 6, 10);
  assert.ok(red > 240 && green > 100 && green < 160 && blue < 30, `orange centre ${red},${green},${blue}`);
});

test('JEST_STUDIO_DATASETS: the engine finds data packages there, and the advice names the extension command', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-datasets-'));
  const saved = process.env[DATASETS_ENV];
  t.after(() => {
    if (saved === undefined) delete process.env[DATASETS_ENV];
    else process.env[DATASETS_ENV] = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  fs.mkdirSync(path.join(dir, 'node_modules', 'jest-studio-fake-set'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'jest-studio-fake-set', 'package.json'), '{"name":"jest-studio-fake-set","version":"1.2.3"}');
  delete process.env[DATASETS_ENV];
  assert.equal(packageDir('jest-studio-fake-set'), undefined);
  process.env[DATASETS_ENV] = dir;
  assert.equal(packageDir('jest-studio-fake-set'), fs.realpathSync(path.join(dir, 'node_modules', 'jest-studio-fake-set')));
  assert.throws(() => requirePackageDir('jest-studio-no-such-package', 'the test set', [pinned('emoji-datasource')]), (e: unknown) => {
    assert.match((e as Error).message, /JEST: Install Built-in Datasets/);
    assert.ok((e as Error).message.includes(`npm install --prefix "${dir}" --no-save emoji-datasource@16.0.0`));
    return true;
  });
});

test('the pinned built-in data packages are exactly the devDependencies that hold data', () => {
  const dev = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;
  const data = Object.entries(dev)
    .filter(([n]) => n.startsWith('@iconify-json/') || n.startsWith('emoji'))
    .map(([n, v]) => `${n}@${v}`)
    .sort();
  assert.deepEqual([...BUILTIN_DATA_PACKAGES].sort(), data);
});
