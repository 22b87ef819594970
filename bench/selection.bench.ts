// Selection and scoring cost against the train step, measured in the same run on this machine:
// a super-batch of 5 x 256 (filter ratio 0.8), 16 chunks. Target: selection < 2% of a train step.
// Beside it, a pretrained reference in the standard layout at 224 px (the tiny CLIP fixture, or
// any CLIP / SigLIP export given with --reference DIR): what embedding a super-batch online costs
// against reading its rows from the embedding cache.
//   npm run bench:selection [-- --batch 256 --chunks 16 --repeats 20 --reference DIR]
import { DEFAULT_ADAMW } from '../src/model/adamw';
import { DEFAULT_MODEL } from '../src/model/config';
import { scoreSuperBatch } from '../src/jest/scoring';
import { independentSelect, jointSelect } from '../src/jest/selection';
import { TrainingSession } from '../src/runtime/training-session';
import { Rng } from '../src/util/rng';
import * as path from 'node:path';
import { openStandardReference } from '../src/jest/standard-reference';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const b = arg('batch', 256);
  const chunks = arg('chunks', 16);
  const repeats = arg('repeats', 20);
  const B = b * 5;
  const model = DEFAULT_MODEL;
  const rng = new Rng(1);
  const S = model.imageSize;

  // Realistic scores: the learner's pair losses of a random super-batch in the fused score graph,
  // against a reference's embeddings from a differently initialised model.
  const pixels = Uint8Array.from({ length: B * S * S * 3 }, () => rng.int(256));
  const tokens = Int32Array.from({ length: B * model.seqLen }, () => 2 + rng.int(model.vocabSize - 2));
  const learner = await TrainingSession.create({ model, optimizer: DEFAULT_ADAMW, seed: 1, runtime: { device: 'cpu', threads: 0 } });
  const refModel = await TrainingSession.create({ model, optimizer: DEFAULT_ADAMW, seed: 2, runtime: { device: 'cpu', threads: 0 } });
  const patch = model.patchSizes[0];
  const ref = {
    image: await refModel.embedImages(pixels, patch),
    text: await refModel.embedTexts(tokens),
    embedDim: model.embedDim,
    tPrime: Math.log(10),
    bias: -10,
  };
  const spec = { score: 'learnability' as const, superBatch: B, patchSize: patch, referenceEmbedDim: model.embedDim };
  const coarse = { ...spec, patchSize: Math.max(...model.patchSizes) };
  const scored = await scoreSuperBatch(learner, model, spec, { pixels, tokens }, ref);

  const trainBatch = { images: [{ patchSize: patch, pixels: pixels.subarray(0, b * S * S * 3) }], tokens: tokens.subarray(0, b * model.seqLen) };
  // What the trainer does in JavaScript per step: draw the sub-batch and its statistic.
  const joint = () => jointSelect(scored.pairs, b, { chunks, temperature: 1 }, rng);
  const independent = () => independentSelect(scored.pairs, b, { mode: 'topk', perExample: 'diagonal', temperature: 1 }, rng);
  // Interleaved rounds: each ratio compares timings taken moments apart, so a busy machine
  // slows both sides of it alike.
  const timeOnce = async (fn: () => unknown) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  await timeOnce(() => learner.runTrainStep(trainBatch, 1e-4));
  await timeOnce(() => scoreSuperBatch(learner, model, coarse, { pixels, tokens }, ref));
  for (let i = 0; i < 5; i++) joint();
  const rounds: { step: number; joint: number; indep: number; scoring: number; coarse: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    const step = await timeOnce(() => learner.runTrainStep(trainBatch, 1e-4));
    let jointMs = 0;
    for (let k = 0; k < 5; k++) jointMs += await timeOnce(joint);
    const indep = await timeOnce(independent);
    const scoring = r % 4 === 0 ? await timeOnce(() => scoreSuperBatch(learner, model, spec, { pixels, tokens }, ref)) : NaN;
    const coarseT = r % 4 === 0 ? await timeOnce(() => scoreSuperBatch(learner, model, coarse, { pixels, tokens }, ref)) : NaN;
    rounds.push({ step, joint: jointMs / 5, indep, scoring, coarse: coarseT });
  }
  const stepMs = median(rounds.map((r) => r.step));
  const jointMs = median(rounds.map((r) => r.joint));
  const indepMs = median(rounds.map((r) => r.indep));
  const scoringMs = median(rounds.map((r) => r.scoring).filter((x) => !Number.isNaN(x)));
  const coarseMs = median(rounds.map((r) => r.coarse).filter((x) => !Number.isNaN(x)));
  const jointShare = median(rounds.map((r) => r.joint / r.step));

  const pct = (x: number) => `${((100 * x) / stepMs).toFixed(2)}%`;
  console.log(`model width ${model.width}, depth ${model.depth}, image ${S}px; batch b = ${b}, super-batch B = ${B}, ${chunks} chunks; medians`);
  console.log(`train step (b = ${b})                                   ${stepMs.toFixed(1)} ms`);
  console.log(`scoring: learner forward + S = L − R, patch ${patch} (full)   ${scoringMs.toFixed(1)} ms   ${pct(scoringMs)} of a train step`);
  console.log(`scoring at patch ${coarse.patchSize} (Flexi-JEST's coarse scoring)      ${coarseMs.toFixed(1)} ms   ${pct(coarseMs)}`);
  console.log(
    `joint selection (Algorithm 1, with its batch score)       ${jointMs.toFixed(2)} ms   median share ${(100 * jointShare).toFixed(2)}%   target < 2%: ${jointShare < 0.02 ? 'met' : 'MISSED'}`,
  );
  console.log(`independent top-k                                    ${indepMs.toFixed(2)} ms   ${pct(indepMs)}`);

  // The reference's side: embed the super-batch at its own size (online scoring) vs copy its rows
  // out of the cached embeddings (what cacheEmbeddings does each step), timed in turns.
  const refDir = process.argv.includes('--reference') ? path.resolve(process.argv[process.argv.indexOf('--reference') + 1]) : path.resolve(__dirname, '../../test/fixtures/reference-models/clip-tiny');
  const std = await openStandardReference(refDir, { device: 'cpu', threads: 0, logitScale: 0, logitBias: 0 });
  const R = std.imageDecode.size;
  const refPixels = Uint8Array.from({ length: B * R * R * 3 }, () => rng.int(256));
  const captions = Array.from({ length: B }, (_, i) => `a photo of a ${['red', 'blue', 'green'][i % 3]} ${['circle', 'square'][i % 2]}`);
  const E = std.embedDim;
  const cache = { image: new Float32Array(4 * B * E), text: new Float32Array(4 * B * E) };
  const rowsOf = Array.from({ length: B }, () => rng.int(4 * B));
  const fromCache = () => {
    const img = new Float32Array(B * E);
    const txt = new Float32Array(B * E);
    rowsOf.forEach((r, k) => {
      img.set(cache.image.subarray(r * E, (r + 1) * E), k * E);
      txt.set(cache.text.subarray(r * E, (r + 1) * E), k * E);
    });
  };
  await std.embed(refPixels.subarray(0, 8 * R * R * 3), captions.slice(0, 8));
  const online: number[] = [];
  const cached: number[] = [];
  const refSteps: number[] = [];
  for (let r = 0; r < Math.max(3, Math.round(repeats / 4)); r++) {
    refSteps.push(await timeOnce(() => learner.runTrainStep(trainBatch, 1e-4)));
    online.push(await timeOnce(() => std.embed(refPixels, captions)));
    cached.push(await timeOnce(fromCache));
  }
  const onlineMs = median(online);
  const cachedMs = median(cached);
  const refStep = median(refSteps);
  console.log(`reference ${std.description}, ${(std.flopsPerExample / 1e6).toFixed(1)} MFLOPs per example:`);
  console.log(`  online: embed the super-batch (B = ${B}) at ${R} px    ${onlineMs.toFixed(1)} ms   ${(B / (onlineMs / 1000)).toFixed(0)} examples/s   ${(onlineMs / refStep).toFixed(2)}x the train step (${refStep.toFixed(1)} ms, same rounds)`);
  console.log(`  cached: read its rows from the embedding cache       ${cachedMs.toFixed(2)} ms   ${(onlineMs / cachedMs).toFixed(0)}x less than online`);
  await std.release();
  await learner.release();
  await refModel.release();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
