// The hyperparameter panel's message contract (host <-> webview/hyperparameters). The document is
// the truth: the host sends the values it parsed from the *.jest.json text plus the engine's
// diagnostics; the webview sends single-field edits, which the host turns into WorkspaceEdits.
import {
  IpcCommand,
  IpcNotification,
  MessageError,
  expectKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  type ReadyParams,
} from './base';

export const HYPERPARAMETERS_VIEW_TYPE = 'jestStudio.hyperparameters';
/** Bumped whenever a message of this contract changes shape (protocol/base.ts readyAction). */
export const PROTOCOL_VERSION = 1;
const scope = 'hyperparameters';

/**
 * The fields the form edits: the scalar knobs a researcher turns between runs. Sources, eval sets,
 * the reference and Flexi's train mix are structured values better edited in the file itself
 * (with the schema's IntelliSense). The host describes each from the experiment JSON Schema.
 */
export const FORM_FIELDS = [
  'name',
  'training.batchSize',
  'training.steps',
  'training.seed',
  'optimizer.lr',
  'optimizer.warmupSteps',
  'optimizer.schedule',
  'optimizer.minLrRatio',
  'optimizer.weightDecay',
  'optimizer.clipNorm',
  'selection.method',
  'selection.score',
  'selection.filterRatio',
  'selection.chunks',
  'selection.temperature',
  'selection.independentMode',
  'model.imageSize',
  'model.width',
  'model.depth',
  'model.heads',
  'model.embedDim',
  'model.vocabSize',
  'model.seqLen',
  'flexi.enabled',
  'flexi.scoringPatchSize',
  'runtime.device',
  'runtime.threads',
  'evaluation.every',
  'snapshotEvery',
  'checkpointEvery',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface FieldSpec {
  path: FormField;
  /** The form groups fields by their first path segment ('run' for the name, 'outputs' for snapshot/checkpoint intervals). */
  group: string;
  label: string;
  description: string;
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum';
  options?: string[];
  optionDescriptions?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: string | number | boolean;
}

export type FieldValue = string | number | boolean;

export interface FieldDiagnostic {
  /** The engine's path, e.g. `selection.filterRatio`; the form shows it under the field it names or above the form. */
  path: string;
  severity: 'error' | 'warning';
  message: string;
}

// ------------------------------------------------------------------ webview -> host

export const ReadyCommand = new IpcCommand<ReadyParams>(scope, 'ready');

export interface SetValueParams {
  path: FormField;
  value: FieldValue;
}
/** One field changed in the form: becomes one undoable edit of the file. */
export const SetValueCommand = new IpcCommand<SetValueParams>(scope, 'value/set');
/** Remove the field from the file so it takes its default. */
export const ResetValueCommand = new IpcCommand<{ path: FormField }>(scope, 'value/reset');
/** Run this experiment (the host saves the file, then runs jestStudio.startRun with its uri). */
export const RunCommand = new IpcCommand<Record<string, never>>(scope, 'run');

// ------------------------------------------------------------------ host -> webview

export interface HyperparametersState {
  fileName: string;
  /** The document's URI, saved by the webview (setState) so the panel can be restored after a reload. */
  uri: string;
  fields: FieldSpec[];
  /** What the file says (absent: the field takes its default); never defaults filled in. */
  values: Partial<Record<FormField, FieldValue>>;
  /** The effective value (file or default), shown as placeholder. */
  effective: Partial<Record<FormField, FieldValue>>;
  diagnostics: FieldDiagnostic[];
  /** The file has syntax errors: the form is read-only until it parses. */
  readOnly: boolean;
}
export const DidChangeStateNotification = new IpcNotification<HyperparametersState>(scope, 'state/didChange');
/** The document changed (typing in the editor, undo, the form's own edit coming back). */
export const DidChangeDocumentNotification = new IpcNotification<Omit<HyperparametersState, 'fields' | 'fileName' | 'uri'>>(scope, 'document/didChange');

// ------------------------------------------------------------------ validators (host side)

export const MAX_STRING_VALUE = 200;

export function validateSetValue(params: unknown, fields: ReadonlyMap<string, FieldSpec>): SetValueParams {
  const o = expectObject(params, 'value/set');
  expectKeys(o, ['path', 'value'], 'value/set');
  const path = expectOneOf(o.path, 'value/set.path', FORM_FIELDS);
  const spec = fields.get(path);
  if (!spec) throw new MessageError(`value/set.path: ${path} is not on the form`);
  const what = `value/set.value (${path})`;
  switch (spec.kind) {
    case 'boolean':
      if (typeof o.value !== 'boolean') throw new MessageError(`${what}: expected true or false`);
      return { path, value: o.value };
    case 'enum':
      return { path, value: expectOneOf(o.value, what, spec.options ?? []) };
    case 'integer': {
      // out-of-range integers are let through on purpose: the file then shows the engine's own
      // message for them, inline, as if typed in the editor
      const v = expectNumber(o.value, what);
      if (!Number.isSafeInteger(v)) throw new MessageError(`${what}: expected an integer`);
      return { path, value: v };
    }
    case 'number':
      return { path, value: expectNumber(o.value, what) };
    case 'string':
      return { path, value: expectString(o.value, what, MAX_STRING_VALUE) };
  }
}

export function validateResetValue(params: unknown): { path: FormField } {
  const o = expectObject(params, 'value/reset');
  expectKeys(o, ['path'], 'value/reset');
  return { path: expectOneOf(o.path, 'value/reset.path', FORM_FIELDS) };
}

export function validateRun(params: unknown): Record<string, never> {
  const o = expectObject(params, 'run');
  expectKeys(o, [], 'run');
  return {};
}

/** `optimizer.lr` -> ['optimizer', 'lr'] (jsonc-parser's JSONPath). */
export function fieldSegments(path: FormField): string[] {
  return path.split('.');
}
