// The live tailer sees every event a writer appends, once, including lines written in pieces.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../src/runs/events';
import { RUN_FILES, RunWriter } from '../../src/runs/folder';
import { RunTailer, readRun } from '../../src/runs/reader';
import { tempRoot } from './helpers';

test('the tailer delivers appended events once, holding a partial line until it is complete', async () => {
  const dir = path.join(await tempRoot('tail'), 'run');
  const w = RunWriter.create(dir, 'tail', { any: 'config' }, 'test');
  const seen: RunEvent[] = [];
  const t = new RunTailer(dir, (es) => seen.push(...es), 10);
  t.poll();
  w.emit({ type: 'log', level: 'info', message: 'héllo ✓' });
  w.emit({ type: 'status', status: 'running', step: 0 });
  t.poll();
  assert.deepEqual(seen.map((e) => e.type), ['log', 'status']);
  assert.equal((seen[0] as { message: string }).message, 'héllo ✓');
  // a line written in two pieces, split inside a multi-byte character
  const line = Buffer.from(JSON.stringify({ v: 1, time: 1, type: 'log', level: 'warn', message: 'naïve' }) + '\n');
  const cut = line.indexOf(Buffer.from('ï')) + 1;
  fs.appendFileSync(path.join(dir, RUN_FILES.metrics), line.subarray(0, cut));
  t.poll();
  assert.equal(seen.length, 2);
  fs.appendFileSync(path.join(dir, RUN_FILES.metrics), line.subarray(cut));
  t.poll();
  assert.equal(seen.length, 3);
  assert.equal((seen[2] as { message: string }).message, 'naïve');
  t.poll();
  assert.equal(seen.length, 3, 'nothing is delivered twice');
  w.close();
  assert.equal(readRun(dir).events.length, 3);
});
