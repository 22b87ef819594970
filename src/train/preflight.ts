// What must hold before a run writes anything, and what `validate` checks beyond the schema: the
// files the experiment names load as what they should be. The reference the selection needs
// (jest/reference.ts), the pretrained baselines (model folders in the standard layout), and a
// standard tokenizer for the learner (data.tokenizer) that fits model.vocabSize. Loads no
// onnxruntime session: protobuf headers and JSON only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Experiment } from '../config/experiment';
import { LearnerStandardTokenizer } from '../data/caption-tokenizer';
import { referenceLoadProblem } from '../jest/reference';
import { openStandardTokenizer, readStandardLayout } from '../jest/standard-layout';

/** The first problem, as a message naming the file and the fix; undefined when all is well. */
export function experimentFilesProblem(e: Experiment): string | undefined {
  const ref = referenceLoadProblem(e);
  if (ref) return ref;
  for (const [i, b] of (e.evaluation.baselines ?? []).entries()) { // ?? []: configs stored by runs before these fields
    try {
      openStandardTokenizer(readStandardLayout(b.folder));
    } catch (err) {
      return `evaluation.baselines[${i}] (${b.name}): ${(err as Error).message.replace(/^reference\.folder /, '')}`;
    }
  }
  if (e.data.tokenizer) return learnerTokenizerProblem(e.data.tokenizer, e.model.seqLen, e.model.vocabSize);
  return undefined;
}

function learnerTokenizerProblem(where: string, seqLen: number, vocabSize: number): string | undefined {
  let file = where;
  try {
    if (fs.statSync(where).isDirectory()) file = path.join(where, 'tokenizer.json');
  } catch {
    return `data.tokenizer ${where} does not exist: point it at a tokenizer.json, or at the model folder holding it (relative paths are from the experiment file's folder)`;
  }
  let t: LearnerStandardTokenizer;
  try {
    const tokenizer = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const cfgFile = path.join(path.dirname(file), 'tokenizer_config.json');
    const config = fs.existsSync(cfgFile) ? (JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, unknown>) : {};
    t = new LearnerStandardTokenizer({ format: 'jest-studio-standard-tokenizer', version: 1, maxLength: seqLen, source: file, tokenizer, config });
  } catch (err) {
    return `data.tokenizer: ${file}: ${(err as Error).message}`;
  }
  if (t.vocabSize > vocabSize) return `data.tokenizer ${file} has ${t.vocabSize - 1} ids (${t.vocabSize} with padding) but model.vocabSize is ${vocabSize}: set model.vocabSize to at least ${t.vocabSize}`;
  return undefined;
}
