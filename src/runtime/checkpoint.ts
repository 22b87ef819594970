// Checkpoint files: parameters, AdamW moments, step, and whatever else a run needs to resume
// exactly (random-generator states, data position) in one self-describing file.
//
// Layout: "JESTCKPT" | u32 format version | u32 header bytes | header JSON | float32 payload.
// The header records the model and optimizer configs, the step, each array's length and a SHA-256
// of the payload. Writes go to a temporary file that is fsynced and then renamed over the target,
// so a crash or a full disk mid-write leaves the previous checkpoint intact.
import { createHash } from 'node:crypto';
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AdamWConfig } from '../model/adamw';
import { ModelConfig } from '../model/config';
import { FlatValues } from '../model/layout';
import { TrainingState } from './training-session';

export const CHECKPOINT_FORMAT_VERSION = 1;
/**
 * Fault injection only (npm run test:faults): hold every checkpoint write open half-way, header
 * written and payload not, for this long, so that the suite can kill the process inside a write.
 */
const PAUSE_MS = Number(process.env.JEST_STUDIO_TEST_CHECKPOINT_PAUSE_MS ?? 0) || 0;
const MAGIC = Buffer.from('JESTCKPT');
const ARRAYS = ['params.decay', 'params.plain', 'm.decay', 'm.plain', 'v.decay', 'v.plain'] as const;

export interface Checkpoint {
  model: ModelConfig;
  optimizer: AdamWConfig;
  state: TrainingState;
  /** JSON-serialisable extras: generator states, data iterator position, run id... */
  extra: Record<string, unknown>;
}

interface Header {
  formatVersion: number;
  model: ModelConfig;
  optimizer: AdamWConfig;
  step: number;
  lengths: Record<(typeof ARRAYS)[number], number>;
  sha256: string;
  extra: Record<string, unknown>;
}

function arrays(state: TrainingState): Float32Array[] {
  return [state.params.decay, state.params.plain, state.m.decay, state.m.plain, state.v.decay, state.v.plain];
}

export async function saveCheckpoint(file: string, ckpt: Checkpoint): Promise<void> {
  const parts = arrays(ckpt.state);
  const hash = createHash('sha256');
  for (const a of parts) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const header: Header = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    model: ckpt.model,
    optimizer: ckpt.optimizer,
    step: ckpt.state.step,
    lengths: Object.fromEntries(ARRAYS.map((k, i) => [k, parts[i].length])) as Header['lengths'],
    sha256: hash.digest('hex'),
    extra: ckpt.extra,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(MAGIC.length + 8);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, MAGIC.length);
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length + 4);

  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  let handle: fs.FileHandle | null = null;
  try {
    handle = await fs.open(tmp, 'w');
    await handle.write(prefix);
    await handle.write(headerBytes);
    if (PAUSE_MS > 0) await new Promise((r) => setTimeout(r, PAUSE_MS));
    for (const a of parts) await handle.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(tmp, file);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'ENOSPC' ? ' (the disk is full: free some space, then resume the run)' : '';
    throw new Error(`could not write checkpoint ${file}: ${err.message}${hint}; the previous checkpoint, if any, is intact.`);
  }
}

/** The file is not a whole checkpoint (bad magic, cut short, overwritten): another copy may be. */
export class CorruptCheckpointError extends Error {
  override name = 'CorruptCheckpointError';
}

/** The step and header of a checkpoint file, read without its payload; undefined when it has no readable header. */
export function readCheckpointHeader(file: string): { step: number; sha256: string } | undefined {
  let fd: number;
  try {
    fd = fsSync.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const prefix = Buffer.alloc(MAGIC.length + 8);
    if (fsSync.readSync(fd, prefix, 0, prefix.length, 0) < prefix.length || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    if (prefix.readUInt32LE(MAGIC.length) !== CHECKPOINT_FORMAT_VERSION) return undefined;
    const len = prefix.readUInt32LE(MAGIC.length + 4);
    if (len > 64 << 20) return undefined;
    const header = Buffer.alloc(len);
    if (fsSync.readSync(fd, header, 0, len, prefix.length) < len) return undefined;
    const h = JSON.parse(header.toString('utf8')) as Partial<Header>;
    return typeof h.step === 'number' && typeof h.sha256 === 'string' ? { step: h.step, sha256: h.sha256 } : undefined;
  } catch {
    return undefined;
  } finally {
    fsSync.closeSync(fd);
  }
}

export async function loadCheckpoint(file: string, expect?: { model?: ModelConfig }): Promise<Checkpoint> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    throw new Error(`cannot read checkpoint ${file}: ${(e as Error).message}`);
  }
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new CorruptCheckpointError(`${file} is not a JEST Studio checkpoint (bad magic bytes)`);
  }
  const version = buf.readUInt32LE(MAGIC.length);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new Error(`${file} has checkpoint format ${version}; this version of JEST Studio reads format ${CHECKPOINT_FORMAT_VERSION}`);
  }
  const headerLen = buf.readUInt32LE(MAGIC.length + 4);
  const start = MAGIC.length + 8;
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(start, start + headerLen).toString('utf8')) as Header;
  } catch {
    throw new CorruptCheckpointError(`${file}: the checkpoint header is corrupt (truncated or overwritten file)`);
  }
  if (expect?.model) {
    const diffs = Object.keys({ ...expect.model, ...header.model }).filter(
      (k) => JSON.stringify((expect.model as unknown as Record<string, unknown>)[k]) !== JSON.stringify((header.model as unknown as Record<string, unknown>)[k]),
    );
    if (diffs.length) {
      const detail = diffs
        .map((k) => `model.${k}: checkpoint ${JSON.stringify((header.model as unknown as Record<string, unknown>)[k])}, requested ${JSON.stringify((expect.model as unknown as Record<string, unknown>)[k])}`)
        .join('; ');
      throw new Error(`checkpoint ${file} was saved from a model of another shape (${detail}). Load it with its own model settings, or start a new run.`);
    }
  }
  const total = ARRAYS.reduce((s, k) => s + header.lengths[k], 0);
  const payload = buf.subarray(start + headerLen);
  if (payload.length !== total * 4) {
    throw new CorruptCheckpointError(`${file}: the checkpoint is truncated (${payload.length} payload bytes, expected ${total * 4})`);
  }
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    throw new CorruptCheckpointError(`${file}: the checkpoint payload does not match its checksum (corrupt file)`);
  }
  // Copy into aligned arrays (a Buffer slice may not be 4-byte aligned).
  const aligned = new Float32Array(total);
  new Uint8Array(aligned.buffer).set(payload);
  let off = 0;
  const take = (k: (typeof ARRAYS)[number]) => {
    const a = aligned.subarray(off, off + header.lengths[k]);
    off += header.lengths[k];
    return a;
  };
  const group = (a: string): FlatValues => ({ decay: take(`${a}.decay` as never), plain: take(`${a}.plain` as never) });
  const params = group('params');
  const m = group('m');
  const v = group('v');
  return { model: header.model, optimizer: header.optimizer, state: { params, m, v, step: header.step }, extra: header.extra };
}
