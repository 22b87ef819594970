// Test fixtures written by the tests themselves: real image files, tar shards, manifests.

import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'jest-data-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A solid-colour image of the given format, optionally with a transparent left half. */
export async function solidImage(format: 'png' | 'jpeg' | 'webp', rgb: [number, number, number], size = 20, transparentLeft = false): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 4;
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
      data[o + 3] = transparentLeft && x < size / 2 ? 0 : 255;
    }
  }
  const img = sharp(data, { raw: { width: size, height: size, channels: 4 } });
  if (format === 'png') return img.png().toBuffer();
  if (format === 'webp') return img.webp({ lossless: true }).toBuffer();
  return img.flatten({ background: '#fff' }).jpeg({ quality: 95 }).toBuffer();
}

export function svgSquare(fill: string, size = 24): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><rect width="${size}" height="${size}" fill="${fill}"/></svg>`;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type = '0', prefix = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148); // checksum placeholder: spaces
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  if (prefix) h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

export interface TarMember {
  name: string;
  data: Buffer | string;
  /** Write the name as a GNU long-name record ('L'), as GNU tar does past 100 bytes. */
  gnuLongName?: boolean;
  /** Write the name as a pax 'x' path record. */
  paxName?: boolean;
}

/** A POSIX tar archive, written the way GNU tar and img2dataset's tarfile write them. */
export function makeTar(members: TarMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    if (m.gnuLongName) {
      const nameBytes = Buffer.from(m.name + '\0');
      parts.push(header('././@LongLink', nameBytes.length, 'L'), padded(nameBytes));
      parts.push(header(m.name.slice(0, 99), data.length));
    } else if (m.paxName) {
      const record = (len: number) => `${len} path=${m.name}\n`;
      let len = record(0).length;
      while (record(len).length !== len) len = record(len).length;
      const pax = Buffer.from(record(len));
      parts.push(header('PaxHeader', pax.length, 'x'), padded(pax));
      parts.push(header(m.name.slice(0, 99), data.length));
    } else if (m.name.length > 100) {
      const cut = m.name.lastIndexOf('/', 154);
      parts.push(header(m.name.slice(cut + 1), data.length, '0', m.name.slice(0, cut)));
    } else parts.push(header(m.name, data.length));
    parts.push(padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A fake stdout that records what is written. */
export function captureStream(): NodeJS.WriteStream & { text(): string } {
  let text = '';
  return {
    isTTY: false,
    write(s: string) {
      text += s;
      return true;
    },
    text: () => text,
  } as unknown as NodeJS.WriteStream & { text(): string };
}

/** Mean RGB of a decoded size*size*3 image, optionally over a column range. */
export function meanRgb(pixels: Uint8Array, size: number, x0 = 0, x1 = size): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < size; y++) {
    for (let x = x0; x < x1; x++) {
      for (let c = 0; c < 3; c++) sum[c] += pixels[(y * size + x) * 3 + c];
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n)) as [number, number, number];
}
