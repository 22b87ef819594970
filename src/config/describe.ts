// Words for schema messages: what a schema node accepts, what a value is, a likely intended name,
// a fix for a value of the wrong type. Shared by the schema check (schema-check.ts), the docs
// generator (scripts/write-schema.ts) and validate.ts, so every message speaks the same way.
import { EXPERIMENT_SCHEMA, resolveRef, type JsonType, type SchemaNode } from './schema';

export const fmt = (v: unknown) => JSON.stringify(v);

/** The JSON Schema type of a parsed JSON value ('integer' for whole numbers). */
export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

/** Whether a value has one of the allowed types (an integer is also a number). */
export function typeMatches(v: unknown, allowed: JsonType | JsonType[] | undefined): boolean {
  if (allowed === undefined) return true;
  const actual = jsonTypeOf(v);
  const list = Array.isArray(allowed) ? allowed : [allowed];
  return list.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

export function describeNumber(s: SchemaNode): string {
  const base = s.type === 'integer' ? 'a whole number' : 'a number';
  const lo = s.minimum !== undefined ? `≥ ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '';
  const hi = s.maximum !== undefined ? `≤ ${s.maximum}` : s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : '';
  return [base, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

/** In words, what a schema node accepts. */
export function describeExpected(schema: SchemaNode): string {
  const s = resolveRef(schema);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    if (s === EXPERIMENT_SCHEMA.definitions?.source) return 'a data source like { "kind": "builtin", "name": "icons" }';
    return [...new Set(branches.map(describeExpected))].join(' or ');
  }
  if (s.const !== undefined) return fmt(s.const);
  if (s.enum) return `one of ${s.enum.map(fmt).join(', ')}`;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types
    .map((t) => {
      switch (t) {
        case 'integer':
        case 'number':
          return describeNumber(s);
        case 'string':
          return s.minLength ? 'a non-empty string' : 'a string';
        case 'boolean':
          return 'true or false';
        case 'null':
          return 'null';
        case 'array':
          if (!s.items) return 'a list';
          return resolveRef(s.items).properties ? 'a list of objects' : `a list, each item ${describeExpected(s.items)}`;
        case 'object':
          if (!s.properties) return 'an object';
          const keys = Object.keys(s.properties).filter((k) => !k.startsWith('$'));
          return `an object with ${keys.slice(0, 4).map(fmt).join(', ')}${keys.length > 4 ? ', …' : ''}`;
        default:
          return 'a value';
      }
    })
    .join(' or ');
}

/** A value as the user wrote it: `the string "64"`, `a list`, `10.5`. */
export function gotText(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${fmt(v)}`;
  return fmt(v);
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate, when close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** A fix for a value of the wrong type, in the user's terms ('' when there is nothing to suggest). */
export function typeFix(v: unknown, s: SchemaNode): string {
  if (typeof v === 'string' && (s.type === 'number' || s.type === 'integer') && v.trim() !== '' && Number.isFinite(Number(v))) return `; write ${Number(v)} without quotes`;
  if (typeof v === 'string' && s.type === 'boolean' && /^(true|false)$/i.test(v)) return `; write ${v.toLowerCase()} without quotes`;
  if (typeof v === 'number' && s.type === 'integer') return `; use a whole number such as ${Math.max(Math.round(v), s.minimum ?? -Infinity)}`;
  if (!Array.isArray(v) && s.type === 'array') return `; put it in a list: [${v !== null && typeof v === 'object' ? '{ … }' : fmt(v)}]`;
  if (s.default !== undefined) return `; e.g. ${fmt(s.default)} (the default)`;
  return '';
}
