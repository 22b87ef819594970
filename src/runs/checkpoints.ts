// A run folder's checkpoints: checkpoints/latest.ckpt and the K - 1 before it (step-NNNNNN.ckpt),
// so that a latest checkpoint that reads back corrupt (a bad sector, a copy cut short, a file
// system that lost the last write) falls back to the one before it instead of losing the run.
//
// Saving: the old latest is hard-linked to its step name first (no copy, no space), then the new
// one is written aside and renamed over latest (runtime/checkpoint.ts), then the oldest beyond K
// are removed. A crash at any point leaves latest whole: the old one or the new one. Before
// writing, the free space is checked against the checkpoint's size, so a full disk is a clear
// error naming both numbers rather than a failed write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptCheckpointError, loadCheckpoint, readCheckpointHeader, saveCheckpoint, type Checkpoint } from '../runtime/checkpoint';
import type { ModelConfig } from '../model/config';
import { RUN_FILES } from './folder';

export const LATEST_CHECKPOINT = 'latest.ckpt';
const STEP_FILE = /^step-(\d+)\.ckpt$/;

/** The file a checkpoint of `step` is kept under once a newer one is latest. */
export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}.ckpt`;
}

function checkpointsDir(runDir: string): string {
  return path.join(runDir, RUN_FILES.checkpoints);
}

/** The older checkpoints, newest first. */
function olderCheckpoints(dir: string): { file: string; step: number }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ m: STEP_FILE.exec(n), n }))
    .filter((x): x is { m: RegExpExecArray; n: string } => x.m !== null)
    .map(({ m, n }) => ({ file: path.join(dir, n), step: Number(m[1]) }))
    .sort((a, b) => b.step - a.step);
}

/** The step recorded in a checkpoint's header, without reading its payload (undefined: unreadable). */
export function checkpointStep(file: string): number | undefined {
  return readCheckpointHeader(file)?.step;
}

/** Bytes a checkpoint of this state takes on disk (payload + a generous bound on its header). */
export function checkpointBytes(ckpt: Checkpoint): number {
  const s = ckpt.state;
  const floats = s.params.decay.length + s.params.plain.length + s.m.decay.length + s.m.plain.length + s.v.decay.length + s.v.plain.length;
  return floats * 4 + 16 + Buffer.byteLength(JSON.stringify({ model: ckpt.model, optimizer: ckpt.optimizer, extra: ckpt.extra })) + 4096;
}

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Free bytes for an unprivileged writer on the file system holding `dir` (undefined: unknown). */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Write `ckpt` as the run's latest checkpoint, keeping the `keep` newest in all (latest included).
 * Returns the file written, relative to the run folder.
 */
export async function saveRunCheckpoint(runDir: string, ckpt: Checkpoint, keep: number): Promise<string> {
  const dir = checkpointsDir(runDir);
  fs.mkdirSync(dir, { recursive: true });
  const latest = path.join(dir, LATEST_CHECKPOINT);
  const need = checkpointBytes(ckpt);
  const free = freeBytes(dir);
  if (free !== undefined && free < need) {
    const kept = checkpointStep(latest);
    throw new Error(
      `not enough free space for checkpoint ${path.join(RUN_FILES.checkpoints, LATEST_CHECKPOINT)}: it needs ${MB(need)}, ${MB(free)} is free on the drive holding ${runDir}. ` +
        `Free at least ${MB(need - free)}, then resume the run${kept !== undefined ? ` (the previous checkpoint, step ${kept}, is intact)` : ''}.`,
    );
  }
  // keep the current latest under its step name: a hard link, so no bytes are copied
  const prevStep = keep > 1 ? checkpointStep(latest) : undefined;
  if (prevStep !== undefined && prevStep !== ckpt.state.step) {
    const older = path.join(dir, stepCheckpointName(prevStep));
    fs.rmSync(older, { force: true });
    try {
      fs.linkSync(latest, older);
    } catch {
      fs.copyFileSync(latest, older); // a file system without hard links
    }
  }
  await saveCheckpoint(latest, ckpt);
  for (const old of olderCheckpoints(dir).slice(Math.max(0, keep - 1))) {
    try {
      fs.rmSync(old.file, { force: true });
    } catch {
      // housekeeping: the new checkpoint is written, an old one left over (held open elsewhere) is no failure
    }
  }
  return path.join(RUN_FILES.checkpoints, LATEST_CHECKPOINT);
}

export interface LoadedRunCheckpoint {
  checkpoint: Checkpoint;
  /** Relative to the run folder. */
  file: string;
  /** Newer checkpoints that could not be read, and why (the run continues from an older one). */
  skipped: { file: string; reason: string }[];
}

/** Does the run have any checkpoint file at all (readable or not)? */
export function hasAnyCheckpoint(runDir: string): boolean {
  const dir = checkpointsDir(runDir);
  return fs.existsSync(path.join(dir, LATEST_CHECKPOINT)) || olderCheckpoints(dir).length > 0;
}

/**
 * The newest readable checkpoint: latest.ckpt, else the newest older one that reads back whole.
 * Null when the run has no checkpoint file. Throws, listing each file and its fault, when it has
 * some and none is readable.
 */
export async function loadRunCheckpoint(runDir: string, expect?: { model?: ModelConfig }): Promise<LoadedRunCheckpoint | null> {
  const dir = checkpointsDir(runDir);
  const candidates = [path.join(dir, LATEST_CHECKPOINT), ...olderCheckpoints(dir).map((c) => c.file)].filter((f) => fs.existsSync(f));
  if (candidates.length === 0) return null;
  const skipped: LoadedRunCheckpoint['skipped'] = [];
  for (const file of candidates) {
    const rel = path.relative(runDir, file);
    try {
      return { checkpoint: await loadCheckpoint(file, expect), file: rel, skipped };
    } catch (e) {
      // only a damaged file falls back; an I/O error or a model of another shape is the run's problem, said as it is
      if (!(e instanceof CorruptCheckpointError)) throw e;
      skipped.push({ file: rel, reason: (e as Error).message });
    }
  }
  throw new Error(
    `no checkpoint of ${runDir} can be read: ${skipped.map((s) => s.reason).join('; ')}. ` +
      `Move the ${RUN_FILES.checkpoints} folder aside to start this run again from step 0 with its stored config (\`jest-studio resume\`).`,
  );
}
