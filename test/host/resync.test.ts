// A resume started in the editor: the store's history follows the file the engine cut back to its
// checkpoint, and the events in flight over IPC are neither lost nor doubled, whether the file
// read lands behind the IPC stream or ahead of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../src/runs/events';
import { ResumeResync } from '../../extension/runs/resync';

const ev = (type: string, step: number) => ({ v: 1, time: step, type, step }) as unknown as RunEvent;
const steps = (xs: RunEvent[]) => xs.map((e) => `${e.type}:${(e as { step: number }).step}`);

// before the resume the store held steps 1-14 (logged past the checkpoint at 10); the engine cut
// the file back to 10 and then logged a status, run-start, then steps 11, 12, ...
const kept = [ev('step', 9), ev('step', 10), ev('checkpoint', 10)];
const fresh = [ev('status', 10), ev('run-start', 10), ev('step', 11), ev('step', 12), ev('step', 13)];

test('the file read is behind the IPC stream: the later IPC events are appended once', () => {
  const r = new ResumeResync();
  const first = r.onEvent(fresh[0]);
  assert.equal(first.reread, true, 'the first event says the file has been cut: read it');
  assert.deepEqual(r.onEvent(fresh[1]), { append: [], reread: false });
  assert.deepEqual(r.onEvent(fresh[2]), { append: [], reread: false });
  // the file, read now, has the kept part and the first two new events
  const { history, append } = r.settle([...kept, fresh[0], fresh[1]]);
  assert.deepEqual(steps(history), ['step:9', 'step:10', 'checkpoint:10', 'status:10', 'run-start:10']);
  assert.deepEqual(steps(append), ['step:11'], 'the IPC event past the file');
  assert.deepEqual(steps(r.onEvent(fresh[3]).append), ['step:12']);
});

test('the file read is ahead of the IPC stream: IPC events already in it are skipped', () => {
  const r = new ResumeResync();
  r.onEvent(fresh[0]);
  const { history, append } = r.settle([...kept, ...fresh.slice(0, 4)]); // the engine wrote up to step 12
  assert.deepEqual(append, []);
  assert.equal(history.length, 7);
  for (const e of fresh.slice(1, 4)) assert.deepEqual(r.onEvent(e).append, [], `${e.type} is in the history already`);
  assert.deepEqual(steps(r.onEvent(fresh[4]).append), ['step:13'], 'the first event past the file is appended');
});
