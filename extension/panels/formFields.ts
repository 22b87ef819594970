// The hyperparameter form's model, vscode-free: field descriptions from the experiment JSON
// Schema (one source for the editor's hover docs and the form's labels), values read from the
// document's JSONC text, and the engine's diagnostics. Edits go through extension/authoring/edits.ts.
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { EXPERIMENT_SCHEMA, resolveRef, type SchemaNode } from '../../src/config/schema';
import { parseExperiment } from '../../src/config/validate';
import { FORM_FIELDS, fieldSegments, type FieldDiagnostic, type FieldSpec, type FieldValue, type FormField, type HyperparametersState } from '../../protocol/hyperparameters';

function schemaAt(path: FormField): SchemaNode {
  let node = EXPERIMENT_SCHEMA;
  for (const seg of fieldSegments(path)) {
    node = resolveRef(node);
    // a nullable object (anyOf [object, null]) is walked through its object branch
    const obj = node.properties ? node : node.anyOf?.map((n) => resolveRef(n)).find((n) => n.properties);
    const next = obj?.properties?.[seg];
    if (!next) throw new Error(`schema has no ${path}`);
    node = next;
  }
  return resolveRef(node);
}

function label(path: string): string {
  const last = path.split('.').pop()!;
  return last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/** One FieldSpec per FORM_FIELDS entry, described by the schema. */
export function fieldSpecs(): FieldSpec[] {
  return FORM_FIELDS.map((path) => {
    const s = schemaAt(path);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    const kind: FieldSpec['kind'] = s.enum ? 'enum' : type === 'integer' ? 'integer' : type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : 'string';
    const spec: FieldSpec = { path, group: path.includes('.') ? path.split('.')[0] : path === 'name' ? 'run' : 'outputs', label: label(path), description: s.description ?? '', kind };
    if (s.enum) spec.options = s.enum.map(String);
    if (s.enumDescriptions) spec.optionDescriptions = s.enumDescriptions;
    for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) if (typeof s[k] === 'number') spec[k] = s[k];
    if (typeof s.default === 'string' || typeof s.default === 'number' || typeof s.default === 'boolean') spec.default = s.default;
    return spec;
  });
}

function scalar(v: unknown): FieldValue | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function get(obj: unknown, segments: string[]): unknown {
  let o = obj;
  for (const s of segments) o = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[s] : undefined;
  return o;
}

/** What the form shows for a document text. */
export function formState(text: string): Omit<HyperparametersState, 'fields' | 'fileName' | 'uri'> {
  const parsed = parseExperiment(text);
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const values: HyperparametersState['values'] = {};
  const effective: HyperparametersState['effective'] = {};
  for (const f of FORM_FIELDS) {
    const node = root && findNodeAtLocation(root, fieldSegments(f));
    const v = node ? scalar(node.value) : undefined;
    if (v !== undefined) values[f] = v;
    const e = scalar(get(parsed.experiment, fieldSegments(f)));
    if (e !== undefined) effective[f] = e;
  }
  const diagnostics: FieldDiagnostic[] = parsed.diagnostics.map((d) => ({ path: d.path, severity: d.severity, message: d.message }));
  return { values, effective, diagnostics, readOnly: parsed.diagnostics.some((d) => d.kind === 'syntax') };
}
