// Fixed models evaluated beside the learner: the run's reference and any pretrained baselines
// (evaluation.reference, evaluation.baselines). Each is evaluated once per held-out set, at the
// start of a run, with its own tokenizer and its own decode of the set (a 224 px CLIP sees the set
// at 224 px), and the result is cached by model and set fingerprints: they never change, so a
// sweep of runs pays once. A table that says "JEST reaches 40%" can then also say what the
// reference itself reaches.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Experiment } from '../config/experiment';
import type { ReferenceModel } from '../jest/reference';
import { poolServesReference } from '../jest/reference-scorer';
import { openStandardReference } from '../jest/standard-reference';
import type { BaselineEvent, Payload } from '../runs/events';
import type { ResolvedDevice } from '../runtime/device';
import { evaluateModel, type EvalResult } from './evaluate';
import { prepareSource, type ExperimentData } from './inputs';

type FixedModel = Pick<ReferenceModel, 'description' | 'fingerprint' | 'imageDecode' | 'embedDim' | 'embedImages' | 'embedTexts'>;

export async function evaluateBaselines(
  e: Experiment,
  data: ExperimentData,
  reference: FixedModel | null,
  device: ResolvedDevice,
  log: (m: string) => void,
  emit: (event: Payload<BaselineEvent>) => void,
): Promise<void> {
  if (data.evalSets.length === 0) return;
  const models: { name: string; model: FixedModel; release?: () => Promise<void> }[] = [];
  // ?? : experiments stored by runs made before these fields existed take the defaults
  if ((e.evaluation.reference ?? true) && reference) models.push({ name: 'reference', model: reference });
  try {
    for (const b of e.evaluation.baselines ?? []) {
      const m = await openStandardReference(b.folder, { device, threads: e.runtime.threads, logitScale: 0, logitBias: 0 });
      models.push({ name: b.name, model: m, release: () => m.release() });
    }
    for (const { name, model } of models) {
      for (const [i, es] of data.evalSets.entries()) {
        const set = poolServesReference(model, es.set) ? es.set : await prepareSource(e.data.eval[i].source, e, data.cacheRoot, log, { tokenizerFrom: data.pool.dir, image: model.imageDecode });
        const key = `${model.fingerprint}-${set.manifest.fingerprint.slice(0, 16)}-${es.tasks.join('+')}-${es.max ?? 'all'}-${es.sample}-${createHash('sha256').update(JSON.stringify(es.templates)).digest('hex').slice(0, 8)}`;
        const file = path.join(data.cacheRoot, 'baseline-evals', `${key}.json`);
        let r: EvalResult;
        try {
          r = JSON.parse(await fs.readFile(file, 'utf8')) as EvalResult;
        } catch {
          r = await evaluateModel(model, set, es);
          await fs.mkdir(path.dirname(file), { recursive: true });
          await fs.writeFile(`${file}.tmp-${process.pid}`, JSON.stringify(r));
          await fs.rename(`${file}.tmp-${process.pid}`, file);
        }
        emit({ type: 'baseline', model: name, description: model.description, set: es.name, metrics: r.metrics, examples: r.examples });
        log(`${name} on ${es.name}: ${Object.entries(r.metrics).filter(([k]) => !k.includes('classes')).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')}`);
      }
    }
  } finally {
    for (const m of models) await m.release?.();
  }
}
