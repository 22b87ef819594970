// Reading run folders without reading whole histories (extension/runs/scan.ts): the summary from a
// folder's end must be the one folding every event gives, whatever the chunk boundaries cut.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEvent } from '../../src/runs/events';
import { readRun } from '../../src/runs/reader';
import { listRunDirs, readEvents, readRunHead, readRunSummary, readTailEvents } from '../../extension/runs/scan';
import { applyEvent, type RunSummary } from '../../extension/runs/summary';
import { writeRunFolder } from './run-folder';

function folded(dir: string, events: RunEvent[], status: RunSummary['status'], name: string): RunSummary {
  const s: RunSummary = { dir, name, status: 'unknown', step: 0, totalSteps: 0, lastMetrics: {}, live: false };
  for (const e of events) applyEvent(s, e);
  return { ...s, status, name };
}

test('the summary read from a folder\'s tail equals the one folded from its whole history', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-scan-'));
  try {
    // two held-out sets evaluated at different intervals, so the older set's latest eval lies far back
    const dir = writeRunFolder(root, 'tail', { steps: 3000, evalEvery: { heldout: 100, rare: 1000 }, captionBytes: 300 });
    const size = fs.statSync(path.join(dir, 'metrics.jsonl')).size;
    assert.ok(size > 4 * 64 * 1024, `the history spans many chunks (${size} bytes)`);
    const head = await readRunHead(dir);
    assert.ok(head);
    assert.deepEqual(head.evalSets, ['heldout', 'rare']);
    const whole = readRun(dir);
    const tail = await readTailEvents(dir, head.evalSets);
    assert.ok(tail.length < whole.events.length / 2, `read ${tail.length} of ${whole.events.length} events`);
    assert.deepEqual(tail, whole.events.slice(whole.events.length - tail.length), 'the tail is the end of the history, in order');
    const s = await readRunSummary(dir, head);
    assert.deepEqual(s, { ...folded(dir, whole.events, 'finished', 'tail'), totalSteps: 3000 });
    assert.ok(s.lastMetrics['rare/zero-shot/top5'] !== undefined && s.lastMetrics['heldout/zero-shot/top5'] !== undefined);
    assert.deepEqual(await readEvents(dir), whole.events);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('tail reading: a line longer than a chunk, a half-written last line, multi-byte text, an empty file', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-scan-'));
  try {
    const dir = writeRunFolder(root, 'long', { steps: 200, evalEvery: { heldout: 200 }, captionBytes: 200 * 1024, unicode: true });
    const file = path.join(dir, 'metrics.jsonl');
    fs.appendFileSync(file, '{"v":1,"time":1,"type":"step","st'); // the engine is mid-write
    const whole = (await readEvents(dir));
    const tail = await readTailEvents(dir, ['heldout']);
    assert.deepEqual(tail, whole.slice(whole.length - tail.length));
    assert.ok(tail.some((e) => e.type === 'log' && e.message.length > 64 * 1024), 'the long line came back whole');
    fs.writeFileSync(file, '');
    assert.deepEqual(await readTailEvents(dir, ['heldout']), []);
    fs.rmSync(file);
    assert.deepEqual(await readTailEvents(dir, ['heldout']), [], 'no metrics.jsonl yet');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('listRunDirs finds runs directly and one group folder down, and skips half-created ones', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-scan-'));
  try {
    const a = writeRunFolder(root, 'a', { steps: 2, evalEvery: {} });
    const b = writeRunFolder(path.join(root, 'demo'), 'b', { steps: 2, evalEvery: {} });
    fs.mkdirSync(path.join(root, 'half'));
    assert.deepEqual((await listRunDirs(root)).sort(), [a, b].sort());
    assert.deepEqual(await listRunDirs(path.join(root, 'missing')), []);
    assert.equal(await readRunHead(path.join(root, 'half')), null);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
