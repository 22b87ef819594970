// No emoji set of any style enters the icon pool: an emoji of one vendor is a near-duplicate of the
// held-out evaluation style's, so the zero-shot test would see its training images again.

import assert from 'node:assert/strict';
import { existsSync } from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { EMOJI_SETS, discoverSets, isEmojiSet } from '../../src/data/sources/iconify';
import { IconsSource } from '../../src/data/sources/icons';
import { packageDir } from '../../src/data/sources/packages';

/** The prefix of one describe() entry: "@iconify-json/<prefix>@<version>" or "<prefix>@iconify/json@<version>". */
function prefixOf(entry: string): string {
  const single = /^@iconify-json\/([^@]+)@[^@]+$/.exec(entry);
  if (single) return single[1];
  const collection = /^([^@]+)@iconify\/json@[^@]+$/.exec(entry);
  if (collection) return collection[1];
  throw new Error(`unexpected describe() set entry "${entry}"`);
}

test('isEmojiSet: the known emoji sets, any prefix naming emoji, any set of category "Emoji"; not icon sets', () => {
  assert.ok(EMOJI_SETS.length >= 5);
  for (const p of EMOJI_SETS) assert.equal(isEmojiSet(p), true, p);
  for (const p of ['fluent-emoji-flat', 'noto', 'twemoji', 'openmoji', 'my-emoji-pack', 'Some-EMOJI']) assert.equal(isEmojiSet(p), true, p);
  assert.equal(isEmojiSet('whatever', 'Emoji'), true, 'the category alone makes it an emoji set');
  for (const p of ['mdi', 'tabler', 'fluent', 'material-symbols', 'ph', 'ri', 'mingcute']) assert.equal(isEmojiSet(p), false, p);
  assert.equal(isEmojiSet('mdi', 'Material'), false);
  assert.equal(isEmojiSet('whatever', undefined), false);
});

test('icons: describe() lists the pool sets, none of them emoji, and not the installed held-out style', async () => {
  // the held-out style really is installed, so leaving it out is the filter's doing
  const heldOutDir = packageDir('@iconify-json/fluent-emoji-flat');
  assert.ok(heldOutDir && existsSync(path.join(heldOutDir, 'icons.json')), '@iconify-json/fluent-emoji-flat is installed');
  const installed = (await discoverSets()).map((s) => s.prefix);
  assert.ok(installed.includes('fluent-emoji-flat'), `discoverSets finds it: ${installed}`);

  const d = await new IconsSource({ kind: 'builtin', name: 'icons' }).describe();
  const entries = d.sets as string[];
  assert.ok(Array.isArray(entries) && entries.length >= 5, `sets listed: ${JSON.stringify(d.sets)}`);
  const prefixes = entries.map(prefixOf);
  for (const p of prefixes) assert.equal(isEmojiSet(p), false, `emoji set ${p} in the icon pool`);
  assert.ok(!prefixes.includes('fluent-emoji-flat'), `the held-out style is not in the pool: ${prefixes}`);
  assert.ok(!entries.some((e) => /emoji/i.test(e)), `no entry names emoji: ${entries}`);
  // and every installed set that is not emoji (nor licence-excluded) is still there
  for (const p of ['mdi', 'tabler', 'fluent']) if (installed.includes(p)) assert.ok(prefixes.includes(p), `${p} kept`);

  // a different held-out style does not let the default one back in: every emoji set is excluded
  const other = await new IconsSource({ kind: 'builtin', name: 'icons', heldOutStyle: 'noto' }).describe();
  assert.ok(!(other.sets as string[]).map(prefixOf).includes('fluent-emoji-flat'), 'fluent-emoji-flat stays out when another style is held out');
});

test('icons: naming an emoji set in "sets" is an error', async () => {
  await assert.rejects(new IconsSource({ kind: 'builtin', name: 'icons', sets: ['fluent-emoji-flat'] }).describe(), /fluent-emoji-flat are excluded/);
  await assert.rejects(new IconsSource({ kind: 'builtin', name: 'icons', sets: ['noto'] }).describe(), /noto are excluded/, 'an emoji set that is not even installed');
  await assert.rejects(new IconsSource({ kind: 'builtin', name: 'icons', sets: ['mdi', 'my-emoji-pack'] }).describe(), /my-emoji-pack are excluded/);
  // with another held-out style, the default one is still refused
  await assert.rejects(new IconsSource({ kind: 'builtin', name: 'icons', heldOutStyle: 'noto', sets: ['fluent-emoji-flat'] }).describe(), /are excluded/);
  // a plain icon set is accepted
  const d = await new IconsSource({ kind: 'builtin', name: 'icons', sets: ['mdi'] }).describe();
  assert.deepEqual((d.sets as string[]).map(prefixOf), ['mdi']);
});
