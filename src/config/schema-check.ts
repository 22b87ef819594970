// The schema pass: ajv checks a parsed value against EXPERIMENT_SCHEMA (draft-07, the same object
// VS Code reads from media/experiment.schema.json), with JSON Schema's own semantics (oneOf means
// exactly one), and its error objects become the engine's messages: the field, what was expected,
// what was written and how to fix it. Positions are not known here: validate.ts maps each
// problem's path to the text with jsonc-parser.
//
// ajv reports a failed anyOf / oneOf as every branch's errors plus the union's own; a user writing
// a "folder" source wants to hear about the folder branch only. So a failed union is re-checked
// against the one branch the value means (union.ts) and only that branch's errors are reported,
// or that its `kind` is missing or unknown.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { describeExpected, describeNumber, didYouMean, fmt, gotText, typeFix } from './describe';
import { EXPERIMENT_SCHEMA, type SchemaNode } from './schema';
import { branchFor } from './union';

export type Segment = string | number;

export interface SchemaProblem {
  /** The field the message is about. */
  path: Segment[];
  message: string;
  /**
   * What the message points at: the value at `path`, the key naming it (an unknown field), or the
   * object that should hold it (a missing field).
   */
  anchor: 'value' | 'key' | 'parent';
  /** The value at this path is unusable; validate.ts replaces it with its default. */
  invalid?: Segment[];
  /** An unknown field does not make the value bad: cross-field checks still read it. */
  badValue: boolean;
}

export function formatPath(segments: readonly Segment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** One ajv instance per root schema, with a validator for the root and, on demand, for any node in it. */
class Checker {
  private readonly ajv: Ajv;
  private readonly pointers = new Map<SchemaNode, string>();
  private static readonly KEY = 'root';
  readonly validate: ValidateFunction;

  constructor(readonly root: SchemaNode) {
    // allErrors: every mistake in the file at once; verbose: each error carries the schema node it
    // failed (its bounds and default go into the message); strict: a schema mistake fails to compile
    // (the tests compile it) instead of being silently ignored. The vocabulary is VS Code's
    // annotations, which validation ignores.
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    this.ajv.addVocabulary(['markdownDescription', 'enumDescriptions', 'patternErrorMessage', 'defaultSnippets']);
    this.ajv.addSchema(root as object, Checker.KEY);
    this.validate = this.ajv.getSchema(Checker.KEY)!;
    this.index(root, '');
  }

  /** JSON pointers of the nodes in the schema, so a union's branch can be compiled in place (its refs resolve against the root). */
  private index(node: SchemaNode | undefined, pointer: string): void {
    if (!node || typeof node !== 'object' || this.pointers.has(node)) return;
    this.pointers.set(node, pointer);
    const escape = (k: string) => encodeURIComponent(k.replace(/~/g, '~0').replace(/\//g, '~1'));
    for (const [k, child] of Object.entries(node.properties ?? {})) this.index(child, `${pointer}/properties/${escape(k)}`);
    for (const [k, child] of Object.entries(node.definitions ?? {})) this.index(child, `${pointer}/definitions/${escape(k)}`);
    if (node.items) this.index(node.items, `${pointer}/items`);
    node.anyOf?.forEach((b, i) => this.index(b, `${pointer}/anyOf/${i}`));
    node.oneOf?.forEach((b, i) => this.index(b, `${pointer}/oneOf/${i}`));
  }

  validatorFor(node: SchemaNode): ValidateFunction {
    if (node === this.root) return this.validate;
    const pointer = this.pointers.get(node);
    const v = pointer === undefined ? undefined : this.ajv.getSchema(`${Checker.KEY}#${pointer}`);
    if (!v) throw new Error(`schema check: a union branch outside the schema (${describeExpected(node)})`);
    return v;
  }
}

// Compiled once per schema, on first use (the editor validates on every edit; compiling is the slow part).
const checkers = new WeakMap<SchemaNode, Checker>();
function checkerFor(schema: SchemaNode): Checker {
  let c = checkers.get(schema);
  if (!c) checkers.set(schema, (c = new Checker(schema)));
  return c;
}

/** Everything wrong with `value` as an instance of `schema`, in the engine's words. */
export function checkSchema(value: unknown, schema: SchemaNode = EXPERIMENT_SCHEMA): SchemaProblem[] {
  const checker = checkerFor(schema);
  return problemsOf(checker, checker.root, value, []);
}

function problemsOf(checker: Checker, node: SchemaNode, value: unknown, at: Segment[]): SchemaProblem[] {
  const validate = checker.validatorFor(node);
  if (validate(value)) return [];
  // copied: the next call to the same validator (a nested union's branch) overwrites .errors
  const errors = [...(validate.errors ?? [])].map((e) => ({ e, path: [...at, ...segmentsOf(value, e.instancePath)] }));
  return translate(checker, errors, value, at);
}

/** An ajv instancePath as field names and list indices (a number where the data has a list). */
function segmentsOf(value: unknown, instancePath: string): Segment[] {
  if (!instancePath) return [];
  const out: Segment[] = [];
  let v = value;
  for (const raw of instancePath.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: Segment = Array.isArray(v) ? Number(key) : key;
    out.push(seg);
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

type Located = { e: ErrorObject; path: Segment[] };

const keyOf = (path: readonly Segment[]) => JSON.stringify(path);
const isUnder = (path: readonly Segment[], outer: readonly Segment[], orSame: boolean) => (orSame ? path.length >= outer.length : path.length > outer.length) && outer.every((s, i) => path[i] === s);

/** The value at `path`, where `base` is the value at `at`. */
function valueAt(base: unknown, at: readonly Segment[], path: readonly Segment[]): unknown {
  let v = base;
  for (const s of path.slice(at.length)) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[s] : undefined;
  return v;
}

// At one value, the first failed keyword in this order is the one reported (a string that is both
// empty and off-pattern needs one message, not two); required and unknown fields are all reported.
const VALUE_KEYWORDS = ['type', 'const', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'pattern', 'minItems', 'uniqueItems'];

function translate(checker: Checker, errors: Located[], base: unknown, at: Segment[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  // Unions first: the outermost failed union at a path speaks for everything at and under it.
  // ajv reports a union after its branches' errors, so the last at a path is the outermost there.
  const unions = new Map<string, Located>();
  for (const x of errors) if (x.e.keyword === 'anyOf' || x.e.keyword === 'oneOf') unions.set(keyOf(x.path), x);
  const outer = [...unions.values()].filter((u) => ![...unions.values()].some((o) => o !== u && isUnder(u.path, o.path, false)));
  for (const u of outer) out.push(...unionProblems(checker, u, valueAt(base, at, u.path)));
  const rest = errors.filter((x) => !outer.some((u) => isUnder(x.path, u.path, true)));

  const byPath = new Map<string, Located[]>();
  for (const x of rest) byPath.set(keyOf(x.path), [...(byPath.get(keyOf(x.path)) ?? []), x]);
  for (const group of byPath.values()) {
    const path = group[0].path;
    const value = valueAt(base, at, path);
    const first = VALUE_KEYWORDS.map((k) => group.find((x) => x.e.keyword === k)).find((x) => x !== undefined);
    // duplicates are only worth a message when the items themselves are fine (as before: one fix at a time)
    const itemErrors = first?.e.keyword === 'uniqueItems' && errors.some((x) => isUnder(x.path, path, false));
    if (first && !itemErrors) out.push(...valueProblems(first.e, path, value));
    if (first?.e.keyword === 'type') continue;
    for (const x of group) {
      const s = x.e.parentSchema as SchemaNode;
      const where = formatPath(path);
      if (x.e.keyword === 'required') {
        const key = (x.e.params as { missingProperty: string }).missingProperty;
        out.push({ path: [...path, key], anchor: 'parent', badValue: true, message: `missing required field ${fmt(key)}${where ? ` in ${where}` : ''}: expected ${describeExpected(s.properties?.[key] ?? {})}` });
      } else if (x.e.keyword === 'additionalProperties') {
        const key = (x.e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys(s.properties ?? {});
        const near = didYouMean(key, known);
        out.push({ path: [...path, key], anchor: 'key', badValue: false, message: `unknown field ${fmt(key)}${where ? ` in ${where}` : ''}: ${near ? `did you mean ${fmt(near)}? ` : ''}expected one of ${known.map(fmt).join(', ')}` });
      }
    }
  }
  return out;
}

/** The message for a value that fails one of VALUE_KEYWORDS. */
function valueProblems(e: ErrorObject, path: Segment[], v: unknown): SchemaProblem[] {
  const s = e.parentSchema as SchemaNode;
  const bad = (message: string): SchemaProblem[] => [{ path, message, anchor: 'value', invalid: path, badValue: true }];
  const def = s.default !== undefined ? `; e.g. ${fmt(s.default)} (the default)` : '';
  switch (e.keyword) {
    case 'type':
      return bad(`expected ${describeExpected(s)}, got ${gotText(v)}${typeFix(v, s)}`);
    case 'const':
      return bad(`expected ${fmt(s.const)}, got ${gotText(v)}`);
    case 'enum': {
      const near = typeof v === 'string' ? didYouMean(v, (s.enum ?? []).map(String)) : undefined;
      return bad(`expected one of ${(s.enum ?? []).map(fmt).join(', ')}, got ${gotText(v)}${near ? `; did you mean ${fmt(near)}?` : ''}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return bad(`expected ${describeNumber(s)}, got ${fmt(v)}${def}`);
    case 'minLength':
      return bad('expected a non-empty string');
    case 'pattern':
      return bad(`${fmt(v)} is not allowed here: ${s.patternErrorMessage ?? `it must match ${s.pattern}`}`);
    case 'minItems': {
      const n = s.minItems ?? 0;
      return bad(`expected at least ${n} item${n === 1 ? '' : 's'}, got ${Array.isArray(v) ? v.length : 0}${def}`);
    }
    case 'uniqueItems': {
      // ajv names one pair; the user gets every repeat, each pointing at the first occurrence
      const seen = new Map<string, number>();
      const out: SchemaProblem[] = [];
      (Array.isArray(v) ? v : []).forEach((item, i) => {
        const k = fmt(item);
        if (seen.has(k)) out.push({ path: [...path, i], anchor: 'value', badValue: true, message: `${k} is already in the list (item ${seen.get(k)! + 1}); list each value once` });
        else seen.set(k, i);
      });
      return out;
    }
    default:
      return bad(e.message ?? `is not allowed (${e.keyword})`);
  }
}

/** A failed anyOf / oneOf: which alternatives matched, or the one the value means and what is wrong with it. */
function unionProblems(checker: Checker, u: Located, v: unknown): SchemaProblem[] {
  const union = u.e.parentSchema as SchemaNode;
  const path = u.path;
  const branches = union.anyOf ?? union.oneOf ?? [];
  const passing = (u.e.params as { passingSchemas?: number[] | null }).passingSchemas;
  if (u.e.keyword === 'oneOf' && passing && passing.length > 1) {
    const names = passing.map((i) => describeExpected(branches[i]));
    return [{ path, anchor: 'value', invalid: path, badValue: true, message: `${gotText(v)} matches ${passing.length} of the alternatives (${names.join('; ')}) but must match exactly one; change it so that only one of them fits` }];
  }
  const pick = branchFor(v, union);
  switch (pick.kind) {
    case 'none':
      return [{ path, anchor: 'value', invalid: path, badValue: true, message: `expected ${describeExpected(union)}, got ${gotText(v)}` }];
    case 'missing':
      return [{ path, anchor: 'value', invalid: path, badValue: true, message: `missing ${fmt(pick.key)}: one of ${pick.allowed.map(fmt).join(', ')}` }];
    case 'unknown': {
      const near = typeof pick.value === 'string' ? didYouMean(pick.value, pick.allowed.map(String)) : undefined;
      const written = gotText(pick.value).replace(/^the string /, '');
      return [{ path: [...path, pick.key], anchor: 'value', invalid: path, badValue: true, message: `unknown ${pick.key} ${written}: expected one of ${pick.allowed.map(fmt).join(', ')}${near ? `; did you mean ${fmt(near)}?` : ''}` }];
    }
    case 'branch': {
      const problems = problemsOf(checker, pick.branch, v, path);
      // cannot happen for a failed union (the branch would have passed), but never report nothing
      return problems.length ? problems : [{ path, anchor: 'value', invalid: path, badValue: true, message: `expected ${describeExpected(union)}, got ${gotText(v)}` }];
    }
  }
}
