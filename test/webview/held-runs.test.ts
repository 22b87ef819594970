// A panel's hold on run histories in the lazily loading RunStore: loaded before the tables are
// built, each run released when the panel stops showing it and all on dispose, exactly once per
// load (the store counts holds), including loads still in flight and loads that fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeldRuns, type HistorySource } from '../../extension/panels/heldRuns';

/** RunStore's counting: loadEvents holds once more, release once less; history dropped at 0. */
class FakeStore implements HistorySource {
  holders = new Map<string, number>();
  loaded = new Set<string>();
  loads = 0;
  gates = new Map<string, () => void>();
  failing = new Set<string>();
  gated = false;
  async loadEvents(dir: string): Promise<unknown> {
    this.holders.set(dir, (this.holders.get(dir) ?? 0) + 1);
    this.loads++;
    if (this.gated) await new Promise<void>((r) => this.gates.set(dir, r));
    if (this.failing.has(dir)) throw new Error(`cannot read ${dir}`);
    this.loaded.add(dir);
    return [];
  }
  release(dir: string): void {
    const n = Math.max(0, (this.holders.get(dir) ?? 0) - 1);
    this.holders.set(dir, n);
    if (n === 0) this.loaded.delete(dir);
  }
  isLoaded(dir: string): boolean {
    return this.loaded.has(dir);
  }
  held(): string[] {
    return [...this.holders].filter(([, n]) => n > 0).map(([d]) => d).sort();
  }
}

test('shown runs are loaded and held once; runs no longer shown are released; all on dispose', async () => {
  const store = new FakeStore();
  const h = new HeldRuns(store);
  await h.hold(['a', 'b']);
  assert.deepEqual(store.held(), ['a', 'b']);
  assert.ok(h.isReady('a') && h.isReady('b'));
  await h.hold(['a', 'b']);
  assert.equal(store.loads, 2, 'a second full state loads nothing again');
  assert.deepEqual([...store.holders.values()], [1, 1], 'held once each');
  h.keepOnly(['b']);
  assert.deepEqual(store.held(), ['b']);
  assert.ok(!h.isReady('a') && !store.isLoaded('a'), 'a finished run no panel shows drops its history');
  await h.hold(['b', 'c']);
  assert.deepEqual(store.held(), ['b', 'c']);
  h.releaseAll();
  assert.deepEqual(store.held(), []);
});

test('a history the store dropped (a re-read folder) is loaded again, without holding twice', async () => {
  const store = new FakeStore();
  const h = new HeldRuns(store);
  await h.hold(['a']);
  store.loaded.delete('a'); // RunStore.upsert replaced the entry: history back on disk
  assert.ok(!h.isReady('a'));
  await h.hold(['a']);
  assert.ok(h.isReady('a'));
  assert.equal(store.holders.get('a'), 1);
});

test('loads in flight: shared by concurrent full states, released when the run stopped being shown or the panel closed', async () => {
  const store = new FakeStore();
  store.gated = true;
  const h = new HeldRuns(store);
  const p1 = h.hold(['a', 'b']);
  const p2 = h.hold(['a', 'b']);
  assert.equal(store.loads, 2, 'one load per run');
  h.keepOnly(['a']);
  store.gates.get('a')!();
  store.gates.get('b')!();
  await Promise.all([p1, p2]);
  assert.deepEqual(store.held(), ['a'], 'b was dropped while it loaded');
  const p3 = h.hold(['a', 'c']);
  h.releaseAll();
  store.gates.get('c')!();
  await p3;
  assert.deepEqual(store.held(), []);
});

test('a history that cannot be read is released, reported, and not retried until shown anew', async () => {
  const store = new FakeStore();
  store.failing.add('bad');
  const h = new HeldRuns(store);
  await assert.rejects(h.hold(['ok', 'bad']), /cannot read bad/);
  assert.deepEqual(store.held(), ['ok']);
  assert.ok(h.hasFailed('bad') && !h.isReady('bad'));
  await h.hold(['ok', 'bad']);
  assert.equal(store.loads, 2, 'not retried on every full state');
  h.keepOnly(['ok']);
  store.failing.delete('bad');
  await h.hold(['ok', 'bad']);
  assert.ok(h.isReady('bad'), 'shown anew: read again');
});
