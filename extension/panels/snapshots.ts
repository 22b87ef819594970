// Reading the engine's selection snapshots (batches/step-NNNNNN.json + .png) for the batch
// inspector. vscode-free. Paths are built here from a known run folder and an integer step; the
// JSON's own `sheet.file` must be a bare step-N.png name; both are checked to resolve inside the
// run's batches/ folder (symlinks included) before anything is read or served.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RUN_FILES } from '../../src/runs/folder';
import { SNAPSHOT_FILE, snapshotName, type Snapshot, type SnapshotRow } from '../../protocol/inspector';
import { isBareFileName, isInsideReal } from './paths';

/** Steps with a snapshot, ascending (from the folder: runs from a terminal have no live events). */
export async function listSnapshotSteps(runDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(path.join(runDir, RUN_FILES.batches));
  } catch {
    return [];
  }
  const steps: number[] = [];
  for (const n of names) {
    const m = SNAPSHOT_FILE.exec(n);
    if (m) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

/** The listed step nearest to `step` (the earlier one on a tie); undefined when none is listed. */
export function nearestStep(steps: readonly number[], step: number): number | undefined {
  let best: number | undefined;
  for (const s of steps) if (best === undefined || Math.abs(s - step) < Math.abs(best - step) || (Math.abs(s - step) === Math.abs(best - step) && s < best)) best = s;
  return best;
}

const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;
const MAX_ROWS = 65536;

function str(v: unknown, max = 2000): string {
  return typeof v === 'string' ? v.slice(0, max) : v === null || v === undefined ? '' : String(v).slice(0, max);
}
function numOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The snapshot of one step, with the contact sheet's absolute path (the panel turns it into a
 * webview URI). The JSON comes from disk, written by the engine, but is shape-checked anyway: a
 * damaged or hand-edited file should give a clear message, not a broken page.
 */
export async function readSnapshot(runDir: string, step: number): Promise<{ snapshot: Omit<Snapshot, 'sheet'> & { sheet: { file: string; columns: number; cell: number } } }> {
  const batches = path.join(runDir, RUN_FILES.batches);
  const file = path.join(batches, `${snapshotName(step)}.json`);
  if (!isInsideReal(batches, file)) throw new Error(`no snapshot for step ${step} in ${runDir}`);
  const stat = await fs.stat(file);
  if (stat.size > MAX_SNAPSHOT_BYTES) throw new Error(`${file} is larger than ${MAX_SNAPSHOT_BYTES} bytes`);
  const raw = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  const sheet = (raw.sheet ?? {}) as Record<string, unknown>;
  if (!isBareFileName(sheet.file, /^step-\d+\.png$/)) throw new Error(`${file}: sheet.file is not a contact sheet name`);
  const sheetPath = path.join(batches, sheet.file);
  if (!isInsideReal(batches, sheetPath)) throw new Error(`${file}: the contact sheet ${sheet.file} is missing`);
  if (!Array.isArray(raw.rows) || raw.rows.length > MAX_ROWS) throw new Error(`${file}: rows is not a list`);
  const rows: SnapshotRow[] = raw.rows.map((r: Record<string, unknown>) => ({
    row: Number(r.row) | 0,
    id: str(r.id, 200),
    caption: str(r.caption),
    label: str(r.label, 200),
    // the data tags every example; 'clean' is the absence of noise
    noise: r.noise === null || r.noise === undefined || r.noise === false || r.noise === 'clean' ? null : str(r.noise, 100),
    learnerLoss: numOrNull(r.learnerLoss),
    referenceLoss: numOrNull(r.referenceLoss),
    score: numOrNull(r.score) ?? NaN,
    selected: r.selected === true,
    order: typeof r.order === 'number' ? r.order : -1,
  }));
  const scores = Array.isArray(raw.selectedScores) ? raw.selectedScores : [];
  const selectedScores = scores.slice(0, MAX_ROWS).map((row) => (Array.isArray(row) ? row.slice(0, MAX_ROWS).map((v) => numOrNull(v) ?? NaN) : []));
  const cell = Number(sheet.cell);
  const columns = Number(sheet.columns);
  if (!(cell > 0 && columns > 0)) throw new Error(`${file}: sheet.cell and sheet.columns must be positive`);
  return {
    snapshot: {
      step: Number(raw.step) | 0,
      imageSize: Number(raw.imageSize) | 0,
      // the engine caps columns at the row count for small batches (data/contactSheet.ts)
      sheet: { file: sheetPath, columns: Math.min(columns, Math.max(1, rows.length)), cell },
      rows,
      selectedScores,
    },
  };
}
