// Fixed models evaluated beside the learner: the run's reference and any pretrained baselines
// (evaluation.reference, evaluation.baselines). Each is evaluated once per held-out set, at the
// start of a run, with its own tokenizer and its own decode of the set (a 224 px CLIP sees the set
// at 224 px), and the result is cached by model and set fingerprints: they never change, so a
// sweep of runs pays once. A table that says "JEST reaches 40%" can then also say what the
// reference itself reaches.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Experiment } from '../config/experiment';
import type { ReferenceModel } from '../jest/reference';
import { poolServesReference } from '../jest/reference-scorer';
import { openStandardReference, standardDescription, standardFingerprint, type UnscaledReference } from '../jest/standard-reference';
import { openStandardTokenizer, readStandardLayout } from '../jest/standard-layout';
import type { BaselineEvent, Payload } from '../runs/events';
import type { ResolvedDevice } from '../runtime/device';
import { cachedJson } from '../util/json-cache';
import { evaluateModel, type EvalResult } from './evaluate';
import { prepareSource, type ExperimentData } from './inputs';

type FixedModel = Pick<ReferenceModel, 'description' | 'fingerprint' | 'imageDecode' | 'embedDim' | 'embedImages' | 'embedTexts'>;

/** A fixed model as far as the cache key needs it; its sessions are opened only on a cache miss. */
interface Evaluator {
  name: string;
  description: string;
  fingerprint: string;
  imageDecode: FixedModel['imageDecode'];
  model(): Promise<FixedModel>;
  release(): Promise<void>;
}

/** A pretrained folder, opened (sessions, a probe run) the first time an evaluation is not cached. */
async function lazyBaseline(b: { name: string; folder: string }, device: ResolvedDevice, threads: number): Promise<Evaluator> {
  const layout = readStandardLayout(b.folder);
  let opened: Promise<UnscaledReference> | undefined;
  return {
    name: b.name,
    description: standardDescription(layout, openStandardTokenizer(layout).kind),
    fingerprint: await standardFingerprint(layout),
    imageDecode: layout.preprocess.decode,
    model: () => (opened ??= openStandardReference(b.folder, { device, threads, logitScale: 0, logitBias: 0 })),
    release: async () => {
      if (opened) await (await opened).release();
    },
  };
}

export async function evaluateBaselines(
  e: Experiment,
  data: ExperimentData,
  reference: FixedModel | null,
  device: ResolvedDevice,
  log: (m: string) => void,
  emit: (event: Payload<BaselineEvent>) => void,
): Promise<void> {
  if (data.evalSets.length === 0) return;
  const evaluators: Evaluator[] = [];
  // ?? : experiments stored by runs made before these fields existed take the defaults
  if ((e.evaluation.reference ?? true) && reference) evaluators.push({ ...reference, name: 'reference', model: async () => reference, release: async () => undefined });
  try {
    for (const b of e.evaluation.baselines ?? []) evaluators.push(await lazyBaseline(b, device, e.runtime.threads));
    for (const ev of evaluators) {
      for (const [i, es] of data.evalSets.entries()) {
        const set = poolServesReference(ev, es.set) ? es.set : await prepareSource(e.data.eval[i].source, e, data.cacheRoot, log, { tokenizerFrom: data.pool.dir, image: ev.imageDecode, open: { inMemory: false } });
        const key = `${ev.fingerprint}-${set.manifest.fingerprint.slice(0, 16)}-${es.tasks.join('+')}-${es.max ?? 'all'}-${es.sample}-${createHash('sha256').update(JSON.stringify(es.templates)).digest('hex').slice(0, 8)}`;
        const file = path.join(data.cacheRoot, 'baseline-evals', `${key}.json`);
        const r = await cachedJson<EvalResult>(file, async () => evaluateModel(await ev.model(), set, es));
        if (set !== es.set) set.close();
        emit({ type: 'baseline', model: ev.name, description: ev.description, set: es.name, metrics: r.metrics, examples: r.examples });
        log(`${ev.name} on ${es.name}: ${Object.entries(r.metrics).filter(([k]) => !k.includes('classes')).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')}`);
      }
    }
  } finally {
    for (const ev of evaluators) await ev.release();
  }
}
