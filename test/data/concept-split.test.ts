// The held-out concept split of the emoji: a CLDR base concept (with its skin-tone variants) is
// either kept for the curated set or held out for evaluation, by a seeded hash, the same rule in
// both emoji sources, so that the evaluation shows concepts the curated set never does.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprint, type PrepareSettings } from '../../src/data/cache/format';
import { conceptHeldOut, conceptTaken, loadCldrLabels, type ConceptSplit } from '../../src/data/sources/emojiLabels';
import { createSource } from '../../src/data/sources/registry';
import type { Example } from '../../src/data/types';

const SPLIT = { heldOut: 0.2, seed: 0 };

function baseLabels(): string[] {
  return [...new Set([...loadCldrLabels().values()].map((e) => e.baseLabel))].sort();
}

async function all(spec: Parameters<typeof createSource>[0]): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of createSource(spec).examples({ problem: () => {} })) out.push(e);
  return out;
}

test('conceptHeldOut: deterministic, 0 holds out nothing, 1 everything, 0.2 about a fifth, seeded', () => {
  const bases = baseLabels();
  assert.ok(bases.length > 1000, `CLDR base concepts: ${bases.length}`);
  const held = (split: { heldOut: number; seed?: number }) => bases.filter((b) => conceptHeldOut(b, split));

  const a = held(SPLIT);
  assert.deepEqual(held(SPLIT), a, 'the same concepts every call');
  assert.deepEqual(held({ heldOut: 0.2 }), a, 'seed defaults to 0');
  assert.equal(held({ heldOut: 0, seed: 0 }).length, 0);
  assert.equal(held({ heldOut: 1, seed: 0 }).length, bases.length);
  assert.equal(held({ heldOut: 1, seed: 7 }).length, bases.length);
  const frac = a.length / bases.length;
  assert.ok(frac >= 0.15 && frac <= 0.25, `held-out fraction at 0.2: ${frac}`);
  // a larger fraction holds out a superset (the same hash, a higher threshold)
  const half = new Set(held({ heldOut: 0.5, seed: 0 }));
  assert.ok(a.every((b) => half.has(b)));
  assert.ok(half.size / bases.length > 0.4 && half.size / bases.length < 0.6, `at 0.5: ${half.size / bases.length}`);

  const other = held({ heldOut: 0.2, seed: 1 });
  assert.notDeepEqual(other, a, 'another seed holds out other concepts');
  const overlap = other.filter((b) => a.includes(b)).length;
  assert.ok(overlap < 0.5 * a.length, `seeds 0 and 1 share ${overlap} of ${a.length} held-out concepts`);
  const frac1 = other.length / bases.length;
  assert.ok(frac1 >= 0.15 && frac1 <= 0.25, `held-out fraction at seed 1: ${frac1}`);
});

test('conceptTaken: kept and held-out partition the concepts; no split takes everything', () => {
  const bases = baseLabels();
  const sample = bases.filter((_, i) => i % 7 === 0);
  const kept: ConceptSplit = { ...SPLIT, take: 'kept' };
  const heldOut: ConceptSplit = { ...SPLIT, take: 'held-out' };
  let nKept = 0;
  let nHeld = 0;
  for (const b of sample) {
    const k = conceptTaken(b, kept);
    const h = conceptTaken(b, heldOut);
    assert.notEqual(k, h, `"${b}" is in exactly one side`);
    assert.equal(h, conceptHeldOut(b, SPLIT));
    assert.equal(conceptTaken(b, undefined), true);
    if (k) nKept++;
    else nHeld++;
  }
  assert.equal(nKept + nHeld, sample.length);
  assert.ok(nKept > 0 && nHeld > 0, `both sides have concepts: ${nKept} kept, ${nHeld} held out`);
});

test('the emoji sources split by base concept: held-out evaluation concepts never appear in the curated emoji', async () => {
  const labels = loadCldrLabels();
  const baseOf = (code: string): string => {
    const e = labels.get(code);
    assert.ok(e, `codepoints ${code} have a CLDR label`);
    return e.baseLabel;
  };

  // the curated emoji (google and twitter), kept concepts only
  const kept = await all({ kind: 'builtin', name: 'emoji', concepts: { ...SPLIT, take: 'kept' } });
  const keptCodes = kept.map((e) => String(e.provenance.where).split(' ')[1]);
  const keptBases = new Set(keptCodes.map(baseOf));
  assert.ok(kept.length > 1000, `kept emoji: ${kept.length}`);
  for (const b of keptBases) assert.equal(conceptHeldOut(b, SPLIT), false, `kept emoji of held-out concept "${b}"`);
  assert.ok(kept.some((e) => / skin tone/.test(e.caption)), 'skin-tone variants of kept concepts are kept');

  // the evaluation style, held-out concepts only
  const held = await all({ kind: 'builtin', name: 'emoji-heldout', concepts: { ...SPLIT, take: 'held-out' } });
  const heldBases = held.map((e) => baseOf(String(e.provenance.codepoints)));
  assert.ok(held.length > 0, 'the held-out source yields examples');
  for (const b of heldBases) assert.equal(conceptHeldOut(b, SPLIT), true, `held-out example of kept concept "${b}"`);
  const leaked = heldBases.filter((b) => keptBases.has(b));
  assert.deepEqual([...new Set(leaked)], [], 'no held-out concept is among the curated emoji');
  // labels agree with the codepoints: each held-out label's base concept (by label) is held out too
  const baseByLabel = new Map([...labels.values()].map((e) => [e.label, e.baseLabel]));
  for (const e of held) assert.ok(!keptBases.has(baseByLabel.get(e.label!)!), `"${e.label}" is a curated concept`);
  assert.ok(held.some((e) => / skin tone/.test(e.caption)), 'skin-tone variants of held-out concepts are held out with them');

  // the split is a subset of the unsplit evaluation set, and kept + held-out of one source is the whole
  const whole = await all({ kind: 'builtin', name: 'emoji-heldout' });
  assert.ok(held.length < whole.length, `held out ${held.length} of ${whole.length}`);
  assert.ok(held.length > 0.1 * whole.length && held.length < 0.35 * whole.length, `about a fifth held out: ${held.length} of ${whole.length}`);
  const heldKept = await all({ kind: 'builtin', name: 'emoji-heldout', concepts: { ...SPLIT, take: 'kept' } });
  const ids = (xs: Example[]) => xs.map((e) => e.id);
  assert.equal(heldKept.length + held.length, whole.length);
  assert.deepEqual([...ids(heldKept), ...ids(held)].sort(), ids(whole).sort(), 'kept and held-out are disjoint and cover the set');
});

test('the curated emoji: kept and held-out are disjoint and together the unsplit source', async () => {
  const ids = (xs: Example[]) => xs.map((e) => e.id);
  const spec = { kind: 'builtin', name: 'emoji', vendors: ['twitter'] } as const;
  const whole = await all(spec);
  const kept = await all({ ...spec, concepts: { ...SPLIT, take: 'kept' } });
  const held = await all({ ...spec, concepts: { ...SPLIT, take: 'held-out' } });
  assert.ok(held.length > 0 && kept.length > 0);
  assert.ok(held.length < whole.length && kept.length < whole.length);
  assert.equal(kept.length + held.length, whole.length);
  const keptIds = new Set(ids(kept));
  assert.ok(ids(held).every((i) => !keptIds.has(i)), 'disjoint');
  assert.deepEqual([...ids(kept), ...ids(held)].sort(), ids(whole).sort());
});

test('describe(): a concept split changes the description, and so the cache fingerprint', async () => {
  const settings = { image: {}, tokenizer: {}, maxExamples: null, sharedTokenizer: null } as unknown as PrepareSettings;
  for (const name of ['emoji', 'emoji-heldout'] as const) {
    const fp = async (concepts?: ConceptSplit) => fingerprint(await createSource({ kind: 'builtin', name, ...(concepts ? { concepts } : {}) }).describe(), settings);
    const none = await fp();
    assert.equal(await fp(), none, `${name}: the same description twice`);
    const kept = await fp({ ...SPLIT, take: 'kept' });
    const held = await fp({ ...SPLIT, take: 'held-out' });
    const otherSeed = await fp({ heldOut: 0.2, seed: 1, take: 'held-out' });
    const otherFrac = await fp({ heldOut: 0.3, seed: 0, take: 'held-out' });
    assert.equal(new Set([none, kept, held, otherSeed, otherFrac]).size, 5, `${name}: every split has its own fingerprint`);
  }
});
