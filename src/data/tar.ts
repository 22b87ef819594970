// A streaming reader for POSIX tar (ustar, GNU long names, pax path records): enough for
// WebDataset shards as img2dataset and `tar` write them. Members are yielded one at a time with
// their bytes; the shard itself is never held in memory.
//
// Layout: each member is a 512-byte header (name at 0..100, size as octal at 124..136, checksum at
// 148..156, type flag at 156, ustar prefix at 345..500) followed by its data padded to 512 bytes.
// Two zero blocks end the archive.

export interface TarEntry {
  name: string;
  size: number;
  /** '0' regular file, '5' directory, ... (NUL is a regular file in old tars). */
  type: string;
  data: Buffer;
}

/** The stream ended inside a header or a member's data. */
export class TruncatedTarError extends Error {
  constructor(
    readonly atMember: string | undefined,
    readonly offset: number,
  ) {
    super(`tar ends early at byte ${offset}${atMember ? ` inside member "${atMember}"` : ''}`);
  }
}

export class CorruptTarError extends Error {}

const BLOCK = 512;

/** Pulls exact byte counts out of a chunked stream. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  offset = 0; // bytes consumed so far

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Exactly n bytes, or fewer only when the stream has ended. */
  async take(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else {
        const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        this.chunks.push(b);
        this.buffered += b.length;
      }
    }
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.offset += out.length;
    return out;
  }
}

function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** Sizes are octal ASCII, or base-256 (top bit of the first byte set) for members >= 8 GiB. */
function readSize(block: Buffer): number {
  if (block[124] & 0x80) {
    let v = 0;
    for (let i = 125; i < 136; i++) v = v * 256 + block[i];
    return v;
  }
  const text = readString(block, 124, 12).trim();
  const v = text === '' ? 0 : parseInt(text, 8);
  if (!Number.isFinite(v)) throw new CorruptTarError(`bad size field "${text}"`);
  return v;
}

function checksumOk(block: Buffer): boolean {
  const stored = parseInt(readString(block, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return stored === sum;
}

/** pax extended header records: "<len> key=value\n". Only `path` matters here. */
function paxPath(data: Buffer): string | undefined {
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!(len > 0)) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') return record.slice(eq + 1);
    pos += len;
  }
  return undefined;
}

/**
 * Yields the regular-file members of a tar stream in order. Throws TruncatedTarError when the
 * stream stops inside a member (everything before it has already been yielded) and
 * CorruptTarError on a header whose checksum does not match.
 */
export async function* readTar(stream: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(stream[Symbol.asyncIterator]());
  let longName: string | undefined; // from a GNU 'L' or pax 'x' record, applies to the next member
  for (;;) {
    const header = await reader.take(BLOCK);
    if (header.length === 0) return; // ended on a block boundary without end blocks: accepted
    if (header.length < BLOCK) throw new TruncatedTarError(undefined, reader.offset);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    if (!checksumOk(header)) throw new CorruptTarError(`bad header checksum at byte ${reader.offset - BLOCK}`);

    const type = String.fromCharCode(header[156] || 0x30);
    const size = readSize(header);
    const prefix = readString(header, 257, 6).startsWith('ustar') ? readString(header, 345, 155) : '';
    const baseName = readString(header, 0, 100);
    const name = longName ?? (prefix ? `${prefix}/${baseName}` : baseName);

    const padded = Math.ceil(size / BLOCK) * BLOCK;
    const body = await reader.take(padded);
    if (body.length < padded) throw new TruncatedTarError(name, reader.offset);
    const data = body.subarray(0, size);

    if (type === 'L') {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'g') continue; // global pax header: nothing we use
    longName = undefined;
    if (type === '0' || type === '\0' || type === '7') yield { name, size, type: '0', data };
  }
}
