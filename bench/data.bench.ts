// Data-layer throughput: images/s decoded from sources (PNG files, SVG icons, sprite cells) and
// batches/s read from a prepared cache, compared with what the train step consumes.
//   node out/bench/data.bench.js [--steps-per-second 30] [--size 16] [--dataset <prepared dir>]
// The train-step rate is MEASURED in the same run (the default model, batch 64, CPU); pass
// --steps-per-second (or JEST_TRAIN_STEPS_PER_S) to compare against another rate instead.

import { DEFAULT_ADAMW } from '../src/model/adamw';
import { DEFAULT_MODEL } from '../src/model/config';
import { TrainingSession } from '../src/runtime/training-session';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { parseArgs } from '../src/cli/data';
import { PreparedDataset } from '../src/data/cache/dataset';
import { prepare } from '../src/data/cache/prepare';
import { DecodePool } from '../src/data/decode/pool';
import type { DecodeSettings } from '../src/data/decode/settings';
import { createSource } from '../src/data/sources/registry';
import { synthetic } from '../src/data/synthetic';
import type { Example, ImageRef } from '../src/data/types';

async function decodeRate(label: string, refs: ImageRef[], settings: DecodeSettings): Promise<number> {
  const pool = new DecodePool();
  // Warm-up: start the children and load libvips before timing.
  await Promise.all(refs.slice(0, 8).map((r) => pool.decode(r, settings)));
  const t0 = performance.now();
  const results = await Promise.all(refs.map((r) => pool.decode(r, settings)));
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  const failed = results.filter((r) => !r.ok).length;
  const rate = refs.length / secs;
  console.log(`decode ${label.padEnd(34)} ${refs.length} images in ${secs.toFixed(2)} s = ${rate.toFixed(0)} images/s${failed ? ` (${failed} failed)` : ''}`);
  return rate;
}

async function firstExamples(spec: Parameters<typeof createSource>[0], n: number): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of createSource(spec).examples({ problem: () => undefined })) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

async function batchRate(ds: PreparedDataset, batchSize: number, seconds = 2): Promise<number> {
  const it = ds.batches({ batchSize, seed: 1, prefetch: 2 });
  let n = 0;
  const t0 = performance.now();
  for await (const b of it) {
    n++;
    if (b.pixels.length === 0) throw new Error('empty batch');
    if (performance.now() - t0 > seconds * 1000) break;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Train steps per second of the default model at batch 64 on the CPU, measured now. */
async function measuredStepRate(): Promise<number> {
  const model = DEFAULT_MODEL;
  const session = await TrainingSession.create({ model, optimizer: DEFAULT_ADAMW, seed: 0, runtime: { device: 'cpu', threads: 0 } });
  const px = model.imageSize * model.imageSize * 3;
  const batch = { images: [{ patchSize: model.patchSizes[0], pixels: new Uint8Array(64 * px).fill(128) }], tokens: new Int32Array(64 * model.seqLen).fill(2) };
  for (let i = 0; i < 3; i++) await session.runTrainStep(batch, 1e-4);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 2000) {
    await session.runTrainStep(batch, 1e-4);
    n++;
  }
  await session.release();
  return n / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2));
  const stepsArg = flags['steps-per-second'] ?? process.env.JEST_TRAIN_STEPS_PER_S;
  const stepsPerSecond = stepsArg === undefined ? await measuredStepRate() : Number(stepsArg);
  const size = Number(flags.size ?? 16);
  const settings: DecodeSettings = { size, background: [255, 255, 255], fit: 'contain' };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jest-data-bench-'));
  console.log(`data bench: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, sharp ${sharp.versions.sharp}, target ${size}x${size}`);
  try {
    // PNG files from disk: 600 photos-like 128x128 images.
    const pngs: ImageRef[] = [];
    for (let i = 0; i < 600; i++) {
      const ex = synthetic({ n: 1, seed: i, imageSize: 128 })[0].image as { data: Uint8Array };
      const file = path.join(tmp, `${i}.png`);
      writeFileSync(file, await sharp(ex.data, { raw: { width: 128, height: 128, channels: 3 } }).png().toBuffer());
      pngs.push({ kind: 'file', path: file });
    }
    await decodeRate('PNG files 128 px', pngs, settings);
    // JPEG bytes in memory, as they come out of a WebDataset shard.
    const jpegs: ImageRef[] = [];
    for (let i = 0; i < 600; i++) {
      const ex = synthetic({ n: 1, seed: i, imageSize: 256 })[0].image as { data: Uint8Array };
      jpegs.push({ kind: 'buffer', data: await sharp(ex.data, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 90 }).toBuffer() });
    }
    await decodeRate('JPEG buffers 256 px (tar members)', jpegs, { ...settings, fit: 'cover' });
    const icons = await firstExamples({ kind: 'builtin', name: 'icons' }, 2000).catch(() => [] as Example[]);
    if (icons.length) await decodeRate('SVG iconify icons (librsvg)', icons.map((e) => e.image), settings);
    else console.log('decode SVG iconify icons: skipped (icon packages not installed)');
    const emoji = await firstExamples({ kind: 'builtin', name: 'emoji' }, 3000).catch(() => [] as Example[]);
    if (emoji.length) await decodeRate('emoji sprite cells 32 px (JS resize)', emoji.map((e) => e.image), settings);

    // Prepared cache: the icons pool if given, else 20k synthetic pairs.
    let dir = flags.dataset as string | undefined;
    if (!dir) dir = (await prepare({ kind: 'synthetic', n: 20000, seed: 1 }, { size, cacheRoot: tmp })).dir;
    const ds = await PreparedDataset.open(dir);
    console.log(`cache ${ds.manifest.name}: ${ds.size} pairs at ${ds.imageSize} px, pixels in memory`);
    const b64 = await batchRate(ds, 64);
    const b320 = await batchRate(ds, 320);
    const t0 = performance.now();
    let gets = 0;
    const rows = Array.from({ length: 320 }, (_, i) => (i * 7919) % ds.size);
    while (performance.now() - t0 < 1000) {
      ds.get(rows);
      gets++;
    }
    ds.close();
    const fileDs = await PreparedDataset.open(dir, { inMemory: false });
    const f320 = await batchRate(fileDs, 320);
    fileDs.close();
    console.log(`cache batches of 64:                 ${b64.toFixed(0)} batches/s (${(b64 * 64).toFixed(0)} examples/s)`);
    console.log(`cache super-batches of 320:          ${b320.toFixed(0)} batches/s (${(b320 * 320).toFixed(0)} examples/s)`);
    console.log(`cache get(320 random rows):          ${gets} calls/s`);
    console.log(`cache super-batches of 320, from file: ${f320.toFixed(0)} batches/s (positional reads, no in-memory copy)`);
    console.log(
      `train step rate ${stepsPerSecond.toFixed(1)} steps/s (${stepsArg === undefined ? 'measured: default model, batch 64, CPU' : 'given'}); ` +
        `each JEST step consumes one super-batch of 320`,
    );
    console.log(`ratio cache supply / train demand: ${(b320 / stepsPerSecond).toFixed(1)}x (super-batch 320), ${(b64 / stepsPerSecond).toFixed(1)}x (plain batch 64)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
