// From a checked value to a usable one: unusable values removed, missing fields from the schema's
// `default`s (which are DEFAULT_EXPERIMENT's: objects merge key by key, arrays and sources replace).
//
// Not ajv's useDefaults: it skips defaults inside anyOf / oneOf (the nullable `reference` and its
// fields are one), and it cannot replace a bad value, which the editor needs: a file with one
// mistake still yields an experiment whose other fields the hyperparameter form can show.
import { resolveRef, type SchemaNode } from './schema';
import type { Segment } from './schema-check';
import { branchFor } from './union';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function at(value: unknown, path: readonly Segment[]): unknown {
  let v = value;
  for (const s of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[s] : undefined;
  return v;
}

/** Marks a field whose value is unusable: withDefaults puts the field's default in its place. */
const UNUSABLE = Symbol('unusable');

/**
 * Marks each unusable value, in place. A bad list item spoils its list (a list is one setting), so
 * the field holding the list takes its default. Returns false when the whole value is unusable.
 */
export function dropInvalid(value: unknown, paths: readonly Segment[][]): boolean {
  for (let path of paths) {
    while (path.length > 0 && Array.isArray(at(value, path.slice(0, -1)))) path = path.slice(0, -1);
    if (path.length === 0) return false;
    const holder = at(value, path.slice(0, -1));
    if (isObject(holder)) holder[path[path.length - 1] as string] = UNUSABLE;
  }
  return true;
}

/** A copy of `value` holding only the schema's fields, missing ones from their defaults. */
export function withDefaults(value: unknown, schema: SchemaNode): unknown {
  const s = resolveRef(schema);
  if (s.anyOf || s.oneOf) {
    const pick = branchFor(value, s);
    return pick.kind === 'branch' ? withDefaults(value, pick.branch) : value;
  }
  if (Array.isArray(value)) return s.items ? value.map((item) => withDefaults(item, s.items!)) : value;
  if (!isObject(value) || !s.properties) return value;
  // the file's fields in the file's order, then the defaults (config.json and source specs read as written)
  const props = s.properties;
  const out: Obj = {};
  const defaultOf = (p: SchemaNode) => (p.default !== undefined ? p.default : resolveRef(p).default);
  for (const key of Object.keys(value)) {
    if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
    if (value[key] !== UNUSABLE) out[key] = withDefaults(value[key], props[key]);
    else if (defaultOf(props[key]) !== undefined) out[key] = structuredClone(defaultOf(props[key]));
  }
  for (const [key, p] of Object.entries(props)) {
    if (Object.prototype.hasOwnProperty.call(value, key) || defaultOf(p) === undefined) continue;
    out[key] = structuredClone(defaultOf(p));
  }
  return out;
}
