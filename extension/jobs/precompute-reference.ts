// Child-process job behind "JEST: Precompute Reference Embeddings": open the experiment's data and
// reference exactly as a run does, and build the on-disk embedding cache the run will then read
// (src/jest/reference-scorer.ts). Runs in its own process: it loads onnxruntime and sharp, which
// the extension host never does.
//   node precompute-reference.js <experiment.jest.json>
import * as path from 'node:path';
import { loadExperiment } from '../../src/config/validate';
import { openEncoderReference, ENCODER_FILES } from '../../src/jest/reference';
import { ReferenceScorer } from '../../src/jest/reference-scorer';
import { RUN_FILES } from '../../src/runs/folder';
import { openExperimentData } from '../../src/train/inputs';

async function main(file: string | undefined): Promise<number> {
  if (!file) throw new Error('usage: precompute-reference <experiment.jest.json>');
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const { experiment: e } = await loadExperiment(file);
  const ref = e.reference;
  if (!ref || (!ref.run && !ref.encoders)) throw new Error('the experiment has no reference: set reference.run or reference.encoders first (JEST: Choose Reference Model)');
  if (!ref.cacheEmbeddings) log('note: reference.cacheEmbeddings is false, so runs will not read this cache until it is true');
  const image = ref.encoders ? ref.encoders.image : path.join(ref.run!, RUN_FILES.models, ENCODER_FILES.image);
  const text = ref.encoders ? ref.encoders.text : path.join(ref.run!, RUN_FILES.models, ENCODER_FILES.text);
  const data = await openExperimentData(e, log);
  const device = e.runtime.device === 'auto' ? 'cpu' : e.runtime.device;
  const model = await openEncoderReference(image, text, device, e.runtime.threads);
  log(`reference: ${model.description}`);
  const scorer = await ReferenceScorer.create(model, data.pool, {
    cache: true,
    cacheRoot: data.cacheRoot,
    onProgress: (done, total) => log(`reference embeddings: ${done}/${total}`),
  });
  process.stdout.write(`${scorer.cacheDir}\n`);
  log(`reference embeddings ${scorer.cacheFlops ? 'computed' : 'were already cached'} in ${scorer.cacheSeconds.toFixed(1)} s: ${scorer.cacheDir}`);
  return 0;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`precompute-reference: ${err.message}\n`);
    process.exit(1);
  },
);
