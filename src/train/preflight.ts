// What must hold before a run writes anything, and what `validate` checks beyond the schema: the
// files the experiment names load as what they should be. The reference the selection needs
// (jest/reference.ts), the pretrained baselines (model folders in the standard layout), and a
// standard tokenizer for the learner (data.tokenizer) that fits model.vocabSize. Loads no
// onnxruntime session: protobuf headers and JSON only.
import type { Experiment } from '../config/experiment';
import { loadLearnerStandardTokenizer, type LearnerStandardTokenizer } from '../data/caption-tokenizer';
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
  let t: LearnerStandardTokenizer;
  try {
    t = loadLearnerStandardTokenizer(where, seqLen);
  } catch (err) {
    return (err as Error).message;
  }
  if (t.vocabSize > vocabSize) return `data.tokenizer ${t.json.source} has ${t.vocabSize - 1} ids (${t.vocabSize} with padding) but model.vocabSize is ${vocabSize}: set model.vocabSize to at least ${t.vocabSize}`;
  return undefined;
}
