// Where a resume cuts metrics.jsonl (eventsBeforeResume): after the checkpoint's event; when the
// trainer died before logging it, after the step, and after that step's evaluations when the
// checkpoint says they were done (a final or a stop checkpoint is taken after them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventsBeforeResume, type RunEvent } from '../../src/runs/events';

const ev = (type: string, step: number, extra: object = {}) => ({ v: 1, time: 0, type, step, ...extra }) as unknown as RunEvent;

test('the cut follows the checkpoint event of that step, dropping the stretch after it', () => {
  const events = [ev('step', 9), ev('step', 10), ev('checkpoint', 10), ev('eval', 10), ev('step', 11), ev('step', 12)];
  assert.equal(eventsBeforeResume(events, 10), 3);
  assert.equal(eventsBeforeResume(events, null), 0, 'a restart keeps nothing');
});

test('no checkpoint event: after the step, and after its evaluations only when the checkpoint holds them as done', () => {
  const events = [ev('step', 10), ev('eval', 10, { set: 'a' }), ev('eval', 10, { set: 'b' }), ev('status', 10)];
  assert.equal(eventsBeforeResume(events, 10, 10), 3, 'a final/stop checkpoint: its evaluations stay (the resume does not redo them)');
  assert.equal(eventsBeforeResume(events, 10, 0), 1, 'a periodic checkpoint: the resume evaluates step 10 again');
  assert.equal(eventsBeforeResume(events, 10), 1);
});
