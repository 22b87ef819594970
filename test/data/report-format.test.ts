// The bad-input summary names only what exists: the file holding the full list (when there is
// one), and how many problems are listed there versus only counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadInputReport, formatReport } from '../../src/data/report';

function report(skipped: number): ReturnType<BadInputReport['toJSON']> {
  const r = new BadInputReport('pool');
  for (let i = 0; i < skipped; i++) r.add({ reason: 'corrupt-image', where: `img-${i}.png`, detail: 'bad' });
  r.usable = 5;
  return r.toJSON();
}

test('more problems than shown: the rest are in the named report file', () => {
  const text = formatReport(report(13), 10, '/cache/pool-1/report.json');
  assert.match(text, /\.\.\. 3 more listed in \/cache\/pool-1\/report\.json$/);
  assert.doesNotMatch(formatReport(report(10), 10, '/x/report.json'), /more/);
});

test('no report file (nothing usable, the folder is not kept): no file is named', () => {
  const text = formatReport(report(13), 10);
  assert.match(text, /\.\.\. 3 more not shown$/);
  assert.doesNotMatch(text, /report\.json/);
});

test('beyond the list limit, problems are counted, not listed, and the summary says so', () => {
  const r = report(3);
  r.skipped = 250; // what BadInputReport records past its list limit
  r.byReason['corrupt-image'] = 250;
  assert.match(formatReport(r, 2, '/c/report.json'), /\.\.\. 1 more listed in \/c\/report\.json; 247 more counted by reason above but not listed$/);
});
