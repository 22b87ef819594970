// Encoded images (JPEG, PNG, WebP, SVG, GIF, ...) to the model's square RGB with sharp (libvips;
// librsvg for SVG). Runs inside a decode child process (see pool.ts): a native abort here must
// not take the preparing process with it.

import { promises as fs } from 'fs';
import sharp from 'sharp';
import type { ImageRef, ProblemReason } from '../types';
import type { DecodeSettings } from './settings';

export class DecodeError extends Error {
  constructor(
    readonly reason: ProblemReason,
    message: string,
  ) {
    super(message);
  }
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').trimStart();
  return head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')) || head.startsWith('<!--');
}

/** Some SVGs in the wild omit the namespace; librsvg then renders nothing. */
function withSvgNamespace(text: string): string {
  return text.replace(/<svg\b(?![^>]*\bxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

async function readInput(ref: Exclude<ImageRef, { kind: 'pixels' }>): Promise<Buffer> {
  if (ref.kind === 'svg') return Buffer.from(withSvgNamespace(ref.text));
  let bytes: Buffer;
  if (ref.kind === 'file') {
    try {
      bytes = await fs.readFile(ref.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new DecodeError('missing-image', `file not found: ${ref.path}`);
      throw new DecodeError('missing-image', `cannot read ${ref.path}: ${(e as Error).message}`);
    }
  } else {
    bytes = Buffer.from(ref.data.buffer, ref.data.byteOffset, ref.data.byteLength);
  }
  if (bytes.length === 0) throw new DecodeError('empty-image', 'the image has 0 bytes');
  if (looksLikeSvg(bytes)) return Buffer.from(withSvgNamespace(bytes.toString('utf8')));
  return bytes;
}

function isSvg(input: Buffer): boolean {
  return input[0] === 0x3c /* < */ || looksLikeSvg(input);
}

/**
 * The larger of the root <svg>'s width and height when both are plain pixel numbers: read from
 * the text, which saves librsvg a second parse per icon (a third of the time at 16 px).
 */
function svgPixelSize(input: Buffer): number | undefined {
  const root = /<svg\b[^>]*>/.exec(input.subarray(0, 4096).toString('utf8'))?.[0];
  if (!root) return undefined;
  const w = /\swidth="([\d.]+)(?:px)?"/.exec(root)?.[1];
  const h = /\sheight="([\d.]+)(?:px)?"/.exec(root)?.[1];
  const size = Math.max(Number(w), Number(h));
  return w && h && size > 0 ? size : undefined;
}

async function svgMetadataSize(input: Buffer): Promise<number | undefined> {
  const meta = await sharp(input).metadata();
  return meta.format === 'svg' && meta.width && meta.height ? Math.max(meta.width, meta.height) : undefined;
}

/** Decode one image to size*size*3 bytes (row-major RGB). Throws DecodeError on bad input. */
export async function decodeWithSharp(ref: Exclude<ImageRef, { kind: 'pixels' }>, s: DecodeSettings): Promise<Uint8Array> {
  const input = await readInput(ref);
  const background = { r: s.background[0], g: s.background[1], b: s.background[2], alpha: 1 };
  try {
    let density: number | undefined;
    const nominal = isSvg(input) ? (svgPixelSize(input) ?? (await svgMetadataSize(input))) : undefined;
    if (nominal) {
      // Rasterise vectors at 2x the target rather than at their nominal size (often 24 px), so
      // the downscale anti-aliases and small targets from tiny viewBoxes stay sharp.
      density = Math.min(2400, Math.max(1, (72 * 2 * s.size) / nominal));
    }
    const { data, info } = await sharp(input, { density, failOn: 'error' })
      .rotate() // honour EXIF orientation of photos
      .flatten({ background })
      .resize(s.size, s.size, { fit: s.fit, background, kernel: 'lanczos3' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== s.size || info.height !== s.size || info.channels !== 3) {
      throw new Error(`decoder returned ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError('corrupt-image', (e as Error).message.split('\n')[0]);
  }
}
