import assert from 'node:assert/strict';
import { existsSync } from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { dataInspect, dataPrepare, parseArgs } from '../../src/cli/data';
import { captureStream, tempDir } from './helpers';

test('data prepare then inspect: counts, caption statistics, examples and a contact sheet', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'syn');
  const log = captureStream();
  const prepared = await dataPrepare(['synthetic:150', '--size', '16', '--max', '120', '--out', out, '--seq-len', '8'], log);
  assert.equal(prepared, out);
  assert.match(log.text(), /120 pairs at 16x16, L=8/);
  const again = captureStream();
  await dataPrepare(['synthetic:150', '--size', '16', '--max', '120', '--out', out, '--seq-len', '8'], again);
  assert.match(again.text(), /already prepared/);
  const info = captureStream();
  const sheet = path.join(dir, 'sheet.png');
  await dataInspect([out, '--examples', '3', '--sheet', sheet], info);
  const text = info.text();
  assert.match(text, /120 pairs, 0 skipped, images 16x16x3/);
  assert.match(text, /tokens per caption min 3, median 3/);
  assert.match(text, /unknown-word rate 0\.00%/);
  assert.match(text, /labels: \d+ classes/);
  assert.equal(text.match(/^ {2}#\d+ synthetic:/gm)?.length, 3);
  assert.ok(existsSync(sheet));
});

test('bad arguments are errors that say what is expected', async () => {
  await assert.rejects(dataPrepare(['synthetic', '--size', 'big']), /--size must be a positive integer, got "big"/);
  await assert.rejects(dataPrepare(['synthetic', '--colour', 'red']), /unknown option --colour/);
  await assert.rejects(dataPrepare([]), /takes one source/);
  assert.deepEqual(parseArgs(['a', '--max=5', '--force']), { positional: ['a'], flags: { max: '5', force: true } });
});

test('inspect --json gives the same statistics as data', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'noisy');
  await dataPrepare(['{"kind":"synthetic","n":100,"vagueFraction":0.2,"seed":3}', '--out', out], captureStream());
  const log = captureStream();
  await dataInspect([out, '--json'], log);
  const s = JSON.parse(log.text());
  assert.equal(s.count, 100);
  assert.deepEqual(s.noise, { clean: 80, vague: 20 });
  assert.equal(s.lengthHistogram.reduce((n: number, [, c]: [number, number]) => n + c, 0), 100);
  assert.equal(s.unknownRate, 0);
});

test('on a terminal prepare draws a progress bar on one line', async (t) => {
  const dir = tempDir(t);
  const tty = captureStream();
  (tty as { isTTY: boolean }).isTTY = true;
  await dataPrepare(['synthetic:300', '--out', path.join(dir, 'p')], tty);
  const text = tty.text();
  assert.match(text, /\r\[#+\.*\] +\d+% \d+ ok, 0 skipped, \d+ img\/s/);
  assert.match(text, /\r\[#{30}\] 100% 300 ok/);
});
