// The batch inspector's message contract (host <-> webview/inspector). The host reads the engine's
// selection snapshots (src/train/loop.ts writeSnapshot: batches/step-NNNNNN.json + .png) and hands
// the webview the rows plus a webview URI of the contact sheet; the webview never names a file.
import {
  IpcCommand,
  IpcNotification,
  IpcRequest,
  MAX_STEP,
  expectInteger,
  expectKeys,
  expectObject,
  type ErrorResponse,
  type ReadyParams,
} from './base';

export const INSPECTOR_VIEW_TYPE = 'jestStudio.batchInspector';
/** Bumped whenever a message of this contract changes shape (protocol/base.ts readyAction). */
export const PROTOCOL_VERSION = 1;
const scope = 'inspector';

/** One example of the super-batch, as the engine wrote it. */
export interface SnapshotRow {
  /** Index in the training pool. */
  row: number;
  id: string;
  caption: string;
  label: string;
  /** The data's own noise tag (e.g. 'mismatched' for a noisy pair), or null/absent when clean. */
  noise?: string | null;
  learnerLoss: number | null;
  referenceLoss: number | null;
  /** The selection score on the diagonal (learnability by default). */
  score: number;
  selected: boolean;
  /** Position in the selection order (joint selection draws chunk by chunk), or -1. */
  order: number;
}

export interface Snapshot {
  step: number;
  imageSize: number;
  /** The contact sheet: cells of `cell` px, `columns` per row, in the order of `rows`. */
  sheet: { uri: string; columns: number; cell: number };
  rows: SnapshotRow[];
  /** The selected batch's score sub-matrix, in selection order. */
  selectedScores: number[][];
}

// ------------------------------------------------------------------ webview -> host

export const ReadyCommand = new IpcCommand<ReadyParams>(scope, 'ready');

export interface SelectStepParams {
  step: number;
}
export const SelectStepRequest = new IpcRequest<SelectStepParams, { snapshot: Snapshot } | ErrorResponse>(scope, 'step/select');

// ------------------------------------------------------------------ host -> webview

export interface InspectorState {
  runDir: string;
  runName: string;
  /** Steps with a snapshot, ascending. */
  steps: number[];
  snapshot: Snapshot | null;
}
export const DidChangeStateNotification = new IpcNotification<InspectorState>(scope, 'state/didChange');
/** A new snapshot was written while the panel is open. */
export const DidChangeStepsNotification = new IpcNotification<{ steps: number[] }>(scope, 'steps/didChange');

// ------------------------------------------------------------------ validators (host side)

export { MAX_STEP };

/** A step the webview asks for must also be one the host listed (checked by the panel): this checks the shape. */
export function validateSelectStep(params: unknown): SelectStepParams {
  const o = expectObject(params, 'step/select');
  expectKeys(o, ['step'], 'step/select');
  return { step: expectInteger(o.step, 'step/select.step', 0, MAX_STEP) };
}

/** The snapshot file name for a step: built from an integer, so no path ever comes from outside. */
export function snapshotName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

export const SNAPSHOT_FILE = /^step-(\d{6,})\.json$/;
