// Which alternative of an anyOf / oneOf a value MEANS, as the user would read it: null for a
// nullable field, then by JSON type, then (the data sources) by the `const` properties, `kind`
// then `name`. JSON Schema itself only says that a union failed and lists every branch's errors;
// the schema check uses this to report the one branch the user was writing (or that the `kind` is
// unknown), and defaults.ts to fill in that branch's defaults.
import { typeMatches } from './describe';
import { resolveRef, type SchemaNode } from './schema';

export type BranchPick =
  | { kind: 'branch'; branch: SchemaNode }
  /** No alternative takes a value of this type. */
  | { kind: 'none' }
  /** An object without the property that tells the alternatives apart. */
  | { kind: 'missing'; key: string; allowed: (string | number)[] }
  /** That property has a value no alternative has. */
  | { kind: 'unknown'; key: string; allowed: (string | number)[]; value: unknown };

const own = (o: unknown, k: string): boolean => typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, k);

export function branchFor(value: unknown, union: SchemaNode): BranchPick {
  const branches = (union.anyOf ?? union.oneOf ?? []).map((b) => resolveRef(b));
  if (value === null) {
    const nullBranch = branches.find((b) => b.type === 'null');
    if (nullBranch) return { kind: 'branch', branch: nullBranch };
  }
  const candidates = branches.filter((b) => b.type !== 'null' && typeMatches(value, b.type));
  if (candidates.length === 0) return { kind: 'none' };
  let left = candidates;
  const keys = [...new Set(candidates.flatMap((b) => Object.entries(b.properties ?? {}).filter(([, p]) => p.const !== undefined).map(([k]) => k)))];
  for (const key of keys) {
    if (left.length === 1) break;
    const withKey = left.filter((b) => b.properties?.[key]?.const !== undefined);
    if (withKey.length === 0) continue;
    const allowed = [...new Set(withKey.map((b) => b.properties![key].const!))];
    if (!own(value, key)) return { kind: 'missing', key, allowed };
    const v = (value as Record<string, unknown>)[key];
    const matching = withKey.filter((b) => b.properties![key].const === v);
    if (matching.length === 0) return { kind: 'unknown', key, allowed, value: v };
    left = matching;
  }
  return { kind: 'branch', branch: left[0] };
}
