// Entry point of a decode child process (forked by pool.ts). It decodes batches of images sent
// over IPC and answers with pixels or a reason. Running sharp here, not in the preparing process,
// is what isolates a native abort in a decoder: only this process dies.

import sharp from 'sharp';
import type { ImageRef } from '../types';
import { decodeWithSharp, DecodeError } from './sharpDecode';
import type { DecodeSettings } from './settings';

export interface ChildRequest {
  batch: number;
  settings: DecodeSettings;
  refs: Exclude<ImageRef, { kind: 'pixels' }>[];
}

export type ChildResult = { ok: true; pixels: Uint8Array } | { ok: false; reason: DecodeError['reason']; detail: string };

export interface ChildResponse {
  batch: number;
  results: ChildResult[];
}

// One libvips thread per child: parallelism comes from running several children.
sharp.concurrency(1);
sharp.cache(false);

// Test hook: simulate a decoder that aborts the process on one particular input, so tests can
// prove the crash is isolated. Never set outside tests.
const abortOn = process.env.JEST_STUDIO_TEST_ABORT_ON;

function refMentions(ref: ChildRequest['refs'][number], needle: string): boolean {
  if (ref.kind === 'file') return ref.path.includes(needle);
  if (ref.kind === 'svg') return ref.text.includes(needle);
  return Buffer.from(ref.data.buffer, ref.data.byteOffset, ref.data.byteLength).includes(needle);
}

// Requests wait until the pool has surely received "ready" (its send callback ran): an abort on
// the very first image must not look like a failed start.
let readySent = false;
const early: ChildRequest[] = [];

process.on('message', (msg: ChildRequest) => {
  if (readySent) handle(msg);
  else early.push(msg);
});

function handle(msg: ChildRequest): void {
  void (async () => {
    const results: ChildResult[] = [];
    for (const ref of msg.refs) {
      if (abortOn && refMentions(ref, abortOn)) process.abort();
      try {
        results.push({ ok: true, pixels: await decodeWithSharp(ref, msg.settings) });
      } catch (e) {
        const reason = e instanceof DecodeError ? e.reason : 'corrupt-image';
        results.push({ ok: false, reason, detail: (e as Error).message });
      }
    }
    process.send?.({ batch: msg.batch, results } satisfies ChildResponse);
  })();
}

// Tell the pool the decoder loaded: from now on a death of this process is blamed on its batch.
process.send?.({ ready: true }, () => {
  readySent = true;
  for (const msg of early.splice(0)) handle(msg);
});

// The parent going away (a killed prepare) must not leave decoders behind.
process.on('disconnect', () => process.exit(0));
