import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptTarError, readTar, TruncatedTarError, type TarEntry } from '../../src/data/tar';
import { makeTar } from './helpers';

/** Feed a buffer in awkward chunk sizes, as a file stream would. */
async function* chunks(buf: Buffer, size = 333): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function readAll(buf: Buffer): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const e of readTar(chunks(buf))) out.push(e);
  return out;
}

test('reads members with plain, ustar-prefix, GNU long and pax names', async () => {
  const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/sample.txt`;
  const tar = makeTar([
    { name: '000/001.jpg', data: Buffer.alloc(1000, 7) },
    { name: '000/001.txt', data: 'a cat' },
    { name: long, data: 'prefix' },
    { name: `${'g'.repeat(150)}.txt`, data: 'gnu', gnuLongName: true },
    { name: `${'p'.repeat(150)}.txt`, data: 'pax', paxName: true },
    { name: 'empty.txt', data: '' },
  ]);
  const entries = await readAll(tar);
  assert.deepEqual(entries.map((e) => e.name), ['000/001.jpg', '000/001.txt', long, `${'g'.repeat(150)}.txt`, `${'p'.repeat(150)}.txt`, 'empty.txt']);
  assert.equal(entries[0].data.length, 1000);
  assert.ok(entries[0].data.every((b) => b === 7));
  assert.equal(entries[1].data.toString(), 'a cat');
  assert.equal(entries[4].data.toString(), 'pax');
  assert.equal(entries[5].size, 0);
});

test('a truncated tar yields the complete members, then throws TruncatedTarError', async () => {
  const tar = makeTar([
    { name: 'a.txt', data: 'first' },
    { name: 'b.jpg', data: Buffer.alloc(3000, 1) },
  ]);
  const cut = tar.subarray(0, 512 + 512 + 512 + 1000); // inside b.jpg's data
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const e of readTar(chunks(cut))) seen.push(e.name);
  }, (e: unknown) => e instanceof TruncatedTarError && e.atMember === 'b.jpg');
  assert.deepEqual(seen, ['a.txt']);
  // Cut inside a header.
  await assert.rejects(readAll(tar.subarray(0, 1024 + 100)), TruncatedTarError);
});

test('a damaged header is reported, not misread', async () => {
  const tar = makeTar([{ name: 'a.txt', data: 'x' }]);
  tar[10] ^= 0xff;
  await assert.rejects(readAll(tar), CorruptTarError);
});
