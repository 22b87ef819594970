// The tiny CLIP and SigLIP folders scripts/fixtures/make-reference-models.py builds with torch
// (committed under test/fixtures/reference-models/), and the images their expected.json was made from.
import * as path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/reference-models');

/** The fixture's images: uint8 HWC by the formula in expected.json, which the script used too. */
export function fixtureImages(count: number, S: number): Uint8Array {
  const px = new Uint8Array(count * S * S * 3);
  for (let i = 0; i < count; i++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) px[((i * S + y) * S + x) * 3 + c] = (7 * x + 13 * y + 50 * c + 31 * i) % 256;
  return px;
}
