// Is the reference there, before any work starts? A run scoring with a reference used to prepare
// its data first and fail 14 s later on a missing folder, leaving a failed run folder behind. This
// checks the files only: the run folder and its exported encoders, or the encoder pair. It loads
// nothing (no onnxruntime, no protobuf), so the experiment validator, which the editor's host also
// bundles, can afford it; whether the files are references is checked by jest/reference.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Experiment } from '../config/experiment';
import { RUN_FILES } from '../runs/folder';
import { readStatus } from '../runs/reader';
import { usesReference } from './scores';

/** A reference run's exported encoders, in its models/ folder. */
export const ENCODER_FILES = { image: 'image_encoder.onnx', text: 'text_encoder.onnx' } as const;
/** The same model in the ecosystem's standard layout (model/export-standard.ts), beside them. */
export const STANDARD_EXPORT_DIR = 'standard';

export interface ReferenceProblem {
  /** The field to point at: reference.run, reference.encoders.image or reference.encoders.text. */
  field: string;
  message: string;
}

/** Run folders beside `dir` whose name is `dir`'s plus a timestamp: what `train` without --run-dir makes. */
function stampedSiblings(dir: string): string[] {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(`${base}-`) && /-\d{8}-\d{6}(-\d+)?$/.test(n) && fs.existsSync(path.join(parent, n, RUN_FILES.run))).sort().reverse();
}

/** The encoder pair the experiment's reference is read from (paths resolved), or null without one. */
export function referenceEncoderFiles(e: Experiment): { image: string; text: string } | null {
  if (e.reference?.encoders) return e.reference.encoders;
  if (e.reference?.run) return { image: path.join(e.reference.run, RUN_FILES.models, ENCODER_FILES.image), text: path.join(e.reference.run, RUN_FILES.models, ENCODER_FILES.text) };
  return null;
}

/**
 * What is wrong with the experiment's reference files, if its selection uses a reference. Paths
 * must be resolved already (loadExperiment does it, against the experiment file's folder).
 */
export function referenceFileProblems(e: Experiment): ReferenceProblem[] {
  const ref = e.reference;
  if (!usesReference(e) || !ref) return [];
  const problems: ReferenceProblem[] = [];
  if (ref.folder) {
    if (!fs.existsSync(ref.folder)) problems.push({ field: 'reference.folder', message: `reference.folder ${ref.folder} does not exist: point it at a model folder with config.json, tokenizer.json, preprocessor_config.json and onnx/ (relative paths are from the experiment file's folder)` });
    else if (!fs.existsSync(path.join(ref.folder, 'config.json'))) problems.push({ field: 'reference.folder', message: `reference.folder ${ref.folder} has no config.json: it is not a model folder in the standard layout (see docs/reference-models.md)` });
    return problems;
  }
  const checkPair = (image: string, text: string, fields: { image: string; text: string }, where: string) => {
    for (const [side, file] of [['image', image], ['text', text]] as const) {
      if (!fs.existsSync(file)) problems.push({ field: fields[side], message: `the reference's ${side} encoder ${file} does not exist${where}` });
    }
  };
  if (ref.encoders) {
    checkPair(ref.encoders.image, ref.encoders.text, { image: 'reference.encoders.image', text: 'reference.encoders.text' }, ': point reference.encoders at existing .onnx files (relative paths are from the experiment file\'s folder)');
    return problems;
  }
  if (!ref.run) return problems;
  const run = ref.run;
  if (!fs.existsSync(path.join(run, RUN_FILES.run))) {
    const near = stampedSiblings(run);
    const exists = fs.existsSync(run);
    const hint = near.length
      ? ` ${path.dirname(run)} has ${near.slice(0, 3).join(', ')}: point reference.run at one of them`
      : ` Train the reference first (jest-studio train <its experiment> --run-dir ${run}), or point reference.run at a finished run folder`;
    problems.push({ field: 'reference.run', message: `reference.run ${run} ${exists ? 'is not a run folder (no run.json)' : 'does not exist'} (relative paths are from the experiment file's folder).${hint}` });
    return problems;
  }
  const models = path.join(run, RUN_FILES.models);
  const image = path.join(models, ENCODER_FILES.image);
  const text = path.join(models, ENCODER_FILES.text);
  if (!fs.existsSync(image) || !fs.existsSync(text)) {
    const st = readStatus(run);
    const state = st ? `its status is ${st.status} at step ${st.step} of ${st.totalSteps}` : 'it has no status.json';
    const fix = st?.status === 'finished' ? `export them: jest-studio export ${run}` : `let it finish (jest-studio resume ${run}), or export its latest checkpoint now: jest-studio export ${run}`;
    problems.push({ field: 'reference.run', message: `reference.run ${run} has no exported encoders (${RUN_FILES.models}/${ENCODER_FILES.image}, ${ENCODER_FILES.text}); ${state}: ${fix}` });
    return problems;
  }
  return problems;
}
