// An experiment's data, prepared once (decode + tokenize, cached by fingerprint) and opened for
// training: the raw pool, and the held-out sets tokenized with the pool's tokenizer.
import { PreparedDataset, type OpenOptions } from '../data/cache/dataset';
import { defaultCacheRoot } from '../data/cache/format';
import { prepare } from '../data/cache/prepare';
import type { SourceSpec } from '../data/sources/registry';
import type { Experiment } from '../config/experiment';

export interface ExperimentData {
  pool: PreparedDataset;
  evalSets: { name: string; set: PreparedDataset; tasks: string[]; max: number | null; sample: 'random' | 'first'; templates: string[] }[];
  cacheRoot: string;
}

export interface PrepareLog {
  (message: string): void;
}

export async function prepareSource(
  spec: SourceSpec,
  e: Experiment,
  cacheRoot: string,
  log: PrepareLog,
  extra: { max?: number | null; tokenizerFrom?: string; standardTokenizer?: string; image?: { size: number; fit: 'contain' | 'cover' | 'fill' }; open?: OpenOptions } = {},
): Promise<PreparedDataset> {
  let last = 0;
  const res = await prepare(spec, {
    size: extra.image?.size ?? e.model.imageSize,
    fit: extra.image?.fit,
    vocabSize: e.model.vocabSize,
    maxLength: e.model.seqLen,
    max: extra.max ?? undefined,
    tokenizerFrom: extra.tokenizerFrom,
    standardTokenizer: extra.standardTokenizer,
    cacheRoot,
    onProgress: (p) => {
      if (Date.now() - last > 2000) {
        last = Date.now();
        log(`preparing ${spec.kind}${'name' in spec ? ` ${String(spec.name)}` : ''}${extra.image ? ` at ${extra.image.size} px` : ''}: ${p.usable}${p.total ? ` of ~${p.total}` : ''} examples`);
      }
    },
  });
  if (!res.reused) log(`prepared ${res.manifest.name}: ${res.manifest.count} examples (${res.manifest.skipped} skipped) in ${res.manifest.prepareSeconds.toFixed(1)} s`);
  return PreparedDataset.open(res.dir, extra.open);
}

export async function openExperimentData(e: Experiment, log: PrepareLog, cacheRoot = defaultCacheRoot()): Promise<ExperimentData> {
  const pool = await prepareSource(e.data.train, e, cacheRoot, log, { max: e.data.maxTrainExamples, standardTokenizer: e.data.tokenizer ?? undefined });
  if (pool.manifest.vocabSize > e.model.vocabSize) {
    throw new Error(`the pool's tokenizer has ${pool.manifest.vocabSize} ids but model.vocabSize is ${e.model.vocabSize}: set model.vocabSize to at least ${pool.manifest.vocabSize}`);
  }
  const evalSets = [];
  for (const es of e.data.eval) {
    const set = await prepareSource(es.source, e, cacheRoot, log, { tokenizerFrom: pool.dir });
    // ?? : experiments stored by runs made before sample / templates existed
    evalSets.push({ name: es.name, set, tasks: es.tasks, max: es.max, sample: es.sample ?? 'random', templates: es.templates ?? ['{}'] });
  }
  return { pool, evalSets, cacheRoot };
}
