// Reading an experiment file: JSONC in, an Experiment and diagnostics out.
//
// Two passes. The first walks the file against EXPERIMENT_SCHEMA (the same object VS Code reads),
// so an unknown key, a wrong type or an out-of-range value is an ERROR pointing at the offending
// text, never a silent default; missing fields take the schema's defaults (which are
// DEFAULT_EXPERIMENT's: objects merge key by key, arrays replace). The second pass checks what a
// schema cannot express: the super-batch arithmetic, patch sizes the model must have, a reference
// the score needs. It also warns about legal settings known to go badly.
//
// Diagnostics carry the field path, 1-based line/column and the 0-based offset/length, so the CLI
// can print `file:line:col: path: message` and the extension can draw squiggles.
import { promises as fs } from 'fs';
import * as nodePath from 'path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { SCORE_NEEDS } from '../jest/scores';
import { checkModelConfig } from '../model/config';
import { DEFAULT_EXPERIMENT, type Experiment } from './experiment';
import { EXPERIMENT_SCHEMA, SCHEMA_ONLY_KEYS, resolveRef, type JsonType, type SchemaNode } from './schema';

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** The field, e.g. `selection.filterRatio` or `data.eval[0].source.kind`; '' for the whole file. */
  path: string;
  /** What is wrong, what was expected, and how to fix it. */
  message: string;
  /**
   * syntax: not JSONC; schema: what media/experiment.schema.json also says (VS Code's JSON service
   * reports these already, so the extension can skip them); rule: the cross-field rules and
   * warnings only this module knows.
   */
  kind: 'syntax' | 'schema' | 'rule';
  /** 1-based line and column (UTF-16 code units, as VS Code counts) of the start. */
  line: number;
  column: number;
  /** 1-based line and column just past the end. */
  endLine: number;
  endColumn: number;
  /** 0-based offset and length in the text (what vscode.Range / document.positionAt want). */
  offset: number;
  length: number;
}

export interface ParsedExperiment {
  /** The experiment with defaults applied. Only meaningful when `diagnostics` has no errors. */
  experiment: Experiment;
  diagnostics: Diagnostic[];
}

/** Thrown by loadExperiment when the file has errors; the message lists every one. */
export class ExperimentError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(`${errors.length} error${errors.length === 1 ? '' : 's'} in experiment file ${file}:\n${errors.map((d) => formatDiagnostic(d, file)).join('\n')}`);
    this.name = 'ExperimentError';
  }
}

/** `file:line:col: path: message` (the form terminals and editors turn into links). */
export function formatDiagnostic(d: Diagnostic, file = '<experiment>'): string {
  const where = `${file}:${d.line}:${d.column}`;
  const tag = d.severity === 'warning' ? 'warning: ' : '';
  return d.path ? `${where}: ${tag}${d.path}: ${d.message}` : `${where}: ${tag}${d.message}`;
}

type Segment = string | number;

export function formatPath(segments: readonly Segment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

const INVALID = Symbol('invalid');
type Walked = unknown | typeof INVALID;

class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  private position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** Paths whose VALUE is bad (a type or range error): cross-field checks leave them alone. */
  private readonly badValues: string[] = [];

  /** Which pass is reporting: parseExperiment moves it from syntax to schema to rule. */
  kind: Diagnostic['kind'] = 'syntax';

  add(severity: Diagnostic['severity'], path: string, message: string, offset: number, length: number, badValue = severity === 'error'): void {
    if (badValue) this.badValues.push(path);
    const start = this.position(offset);
    const end = this.position(offset + length);
    this.diagnostics.push({ severity, path, message, kind: this.kind, line: start.line, column: start.column, endLine: end.line, endColumn: end.column, offset, length });
  }

  /** At a node: a scalar's own text; an object or array by the key that holds it (no page-long squiggles). */
  at(severity: Diagnostic['severity'], path: string, node: Node | undefined, message: string): void {
    if (!node) return this.add(severity, path, message, 0, Math.min(1, this.text.length));
    if ((node.type === 'object' || node.type === 'array') && node.parent?.type === 'property' && node.parent.children?.[0]) {
      const key = node.parent.children[0];
      return this.add(severity, path, message, key.offset, key.length);
    }
    if (node.type === 'object' || node.type === 'array') return this.add(severity, path, message, node.offset, 1);
    this.add(severity, path, message, node.offset, node.length);
  }

  /** Whether `path`, something inside it or something holding it has a bad value. */
  hasErrorAt(path: string): boolean {
    return this.badValues.some((p) => p === '' || p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`) || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  }
}

// ---------------------------------------------------------------- pass 1: the schema

function jsonTypeOf(node: Node): JsonType {
  if (node.type === 'number') return Number.isInteger(node.value) ? 'integer' : 'number';
  return node.type as JsonType;
}

function typeMatches(node: Node, allowed: JsonType | JsonType[] | undefined): boolean {
  if (allowed === undefined) return true;
  const actual = jsonTypeOf(node);
  const list = Array.isArray(allowed) ? allowed : [allowed];
  return list.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

const fmt = (v: unknown) => JSON.stringify(v);

function describeNumber(s: SchemaNode): string {
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

function gotText(node: Node): string {
  const t = node.type;
  if (t === 'object') return 'an object';
  if (t === 'array') return 'a list';
  if (t === 'null') return 'null';
  if (t === 'string') return `the string ${fmt(node.value)}`;
  return fmt(node.value);
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

/** A fix for a value of the wrong type, in the user's terms. */
function typeFix(node: Node, s: SchemaNode): string {
  if (node.type === 'string' && (s.type === 'number' || s.type === 'integer') && node.value.trim() !== '' && Number.isFinite(Number(node.value))) return `; write ${Number(node.value)} without quotes`;
  if (node.type === 'string' && s.type === 'boolean' && /^(true|false)$/i.test(node.value)) return `; write ${node.value.toLowerCase()} without quotes`;
  if (node.type === 'number' && s.type === 'integer') return `; use a whole number such as ${Math.max(Math.round(node.value), s.minimum ?? -Infinity)}`;
  if (node.type !== 'array' && s.type === 'array') return `; put it in a list: [${node.type === 'object' ? '{ … }' : fmt(node.value)}]`;
  if (s.default !== undefined) return `; e.g. ${fmt(s.default)} (the default)`;
  return '';
}

function walk(node: Node, schema: SchemaNode, path: Segment[], r: Reporter): Walked {
  const s = resolveRef(schema);
  const where = formatPath(path);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return walkUnion(node, schema, branches.map((b) => resolveRef(b)), path, r);

  if (!typeMatches(node, s.type)) {
    r.at('error', where, node, `expected ${describeExpected(s)}, got ${gotText(node)}${typeFix(node, s)}`);
    return INVALID;
  }
  if (s.const !== undefined && node.value !== s.const) {
    r.at('error', where, node, `expected ${fmt(s.const)}, got ${gotText(node)}`);
    return INVALID;
  }
  if (s.enum && !s.enum.includes(node.value)) {
    const near = typeof node.value === 'string' ? didYouMean(node.value, s.enum.map(String)) : undefined;
    r.at('error', where, node, `expected one of ${s.enum.map(fmt).join(', ')}, got ${gotText(node)}${near ? `; did you mean ${fmt(near)}?` : ''}`);
    return INVALID;
  }
  switch (node.type) {
    case 'number':
      return walkNumber(node, s, where, r);
    case 'string':
      return walkString(node, s, where, r);
    case 'array':
      return walkArray(node, s, path, r);
    case 'object':
      return walkObject(node, s, path, r);
    default:
      return node.value;
  }
}

function walkUnion(node: Node, outer: SchemaNode, branches: SchemaNode[], path: Segment[], r: Reporter): Walked {
  const where = formatPath(path);
  const nullable = branches.some((b) => b.type === 'null');
  if (node.type === 'null') {
    if (nullable) return null;
  }
  const candidates = branches.filter((b) => b.type !== 'null' && (b.type === undefined || typeMatches(node, b.type)));
  if (candidates.length === 0) {
    r.at('error', where, node, `expected ${describeExpected(outer)}, got ${gotText(node)}`);
    return INVALID;
  }
  if (candidates.length === 1) return walk(node, candidates[0], path, r);
  // Several object shapes (the data sources): told apart by their `const` properties, `kind` then `name`.
  const keys = [...new Set(candidates.flatMap((b) => Object.entries(b.properties ?? {}).filter(([, p]) => p.const !== undefined).map(([k]) => k)))];
  let left = candidates;
  for (const key of keys) {
    const withKey = left.filter((b) => b.properties?.[key]?.const !== undefined);
    if (withKey.length === 0) continue;
    const allowed = [...new Set(withKey.map((b) => b.properties![key].const!))];
    const prop = node.children?.find((p) => p.children?.[0]?.value === key);
    const valueNode = prop?.children?.[1];
    if (!valueNode) {
      r.at('error', where, node, `missing ${fmt(key)}: one of ${allowed.map(fmt).join(', ')}`);
      return INVALID;
    }
    const matching = withKey.filter((b) => b.properties![key].const === valueNode.value);
    if (matching.length === 0) {
      const near = typeof valueNode.value === 'string' ? didYouMean(valueNode.value, allowed.map(String)) : undefined;
      r.at('error', formatPath([...path, key]), valueNode, `unknown ${key} ${gotText(valueNode).replace(/^the string /, '')}: expected one of ${allowed.map(fmt).join(', ')}${near ? `; did you mean ${fmt(near)}?` : ''}`);
      return INVALID;
    }
    left = matching;
    if (left.length === 1) return walk(node, left[0], path, r);
  }
  return walk(node, left[0], path, r);
}

function walkNumber(node: Node, s: SchemaNode, where: string, r: Reporter): Walked {
  const v = node.value as number;
  const ok = (s.minimum === undefined || v >= s.minimum) && (s.maximum === undefined || v <= s.maximum) && (s.exclusiveMinimum === undefined || v > s.exclusiveMinimum) && (s.exclusiveMaximum === undefined || v < s.exclusiveMaximum);
  if (!ok) {
    r.at('error', where, node, `expected ${describeNumber(s)}, got ${v}${s.default !== undefined ? `; e.g. ${fmt(s.default)} (the default)` : ''}`);
    return INVALID;
  }
  return v;
}

function walkString(node: Node, s: SchemaNode, where: string, r: Reporter): Walked {
  const v = node.value as string;
  if (s.minLength !== undefined && v.length < s.minLength) {
    r.at('error', where, node, 'expected a non-empty string');
    return INVALID;
  }
  if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) {
    r.at('error', where, node, `${fmt(v)} is not allowed here: ${s.patternErrorMessage ?? `it must match ${s.pattern}`}`);
    return INVALID;
  }
  return v;
}

function walkArray(node: Node, s: SchemaNode, path: Segment[], r: Reporter): Walked {
  const where = formatPath(path);
  const items = node.children ?? [];
  if (s.minItems !== undefined && items.length < s.minItems) {
    r.at('error', where, node, `expected at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}, got ${items.length}${s.default !== undefined ? `; e.g. ${fmt(s.default)} (the default)` : ''}`);
    return INVALID;
  }
  const out: unknown[] = [];
  let bad = false;
  items.forEach((item, i) => {
    const v = s.items ? walk(item, s.items, [...path, i], r) : item.value;
    if (v === INVALID) bad = true;
    else out.push(v);
  });
  if (s.uniqueItems && !bad) {
    const seen = new Map<string, number>();
    out.forEach((v, i) => {
      const k = fmt(v);
      if (seen.has(k)) r.at('error', formatPath([...path, i]), items[i], `${k} is already in the list (item ${seen.get(k)! + 1}); list each value once`);
      else seen.set(k, i);
    });
  }
  return bad ? INVALID : out;
}

function walkObject(node: Node, s: SchemaNode, path: Segment[], r: Reporter): Walked {
  const where = formatPath(path);
  const props = s.properties ?? {};
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode) continue;
    const key = keyNode.value as string;
    const keyPath = formatPath([...path, key]);
    if (seen.has(key)) {
      r.add('error', keyPath, `${fmt(key)} appears twice in ${where || 'the file'}; keep one (JSON would silently take the last)`, keyNode.offset, keyNode.length);
      continue;
    }
    seen.add(key);
    const propSchema = props[key];
    if (!propSchema) {
      if (s.additionalProperties === false) {
        const known = Object.keys(props);
        const near = didYouMean(key, known);
        r.add('error', keyPath, `unknown field ${fmt(key)}${where ? ` in ${where}` : ''}: ${near ? `did you mean ${fmt(near)}? ` : ''}expected one of ${known.map(fmt).join(', ')}`, keyNode.offset, keyNode.length, false);
      }
      continue;
    }
    if (!valueNode) continue; // a syntax error, reported by the parser
    const v = walk(valueNode, propSchema, [...path, key], r);
    if (v === INVALID) {
      const def = resolveRef(propSchema).default ?? propSchema.default;
      if (def !== undefined) out[key] = structuredClone(def);
    } else out[key] = v;
  }
  for (const key of s.required ?? []) {
    if (!seen.has(key)) {
      r.at('error', formatPath([...path, key]), node, `missing required field ${fmt(key)}${where ? ` in ${where}` : ''}: expected ${describeExpected(props[key] ?? {})}`);
    }
  }
  // Missing fields take the schema's defaults (DEFAULT_EXPERIMENT's): objects merge key by key, arrays replace.
  for (const [key, p] of Object.entries(props)) {
    if (key in out || seen.has(key)) continue;
    const def = p.default !== undefined ? p.default : resolveRef(p).default;
    if (def !== undefined) out[key] = structuredClone(def);
  }
  // An object with errors inside still yields its (partly defaulted) value, so the returned
  // experiment stays usable; cross-field checks skip the fields with errors (Reporter.hasErrorAt).
  return out;
}

// ---------------------------------------------------------------- pass 2: what a schema cannot say

const WHOLE_TOLERANCE = 1e-9;
const isWhole = (x: number) => Math.abs(x - Math.round(x)) <= WHOLE_TOLERANCE * Math.max(1, Math.abs(x));
const PAPER_CHUNKS = 16;

/** Filter ratios with at most three decimals near f that give a whole super-batch for b. */
function workingFilterRatios(b: number, f: number, count = 3): number[] {
  const found: number[] = [];
  for (let k = 0; k < 1000; k++) if (isWhole(b / (1 - k / 1000))) found.push(k / 1000);
  return found.sort((x, y) => Math.abs(x - f) - Math.abs(y - f)).slice(0, count).sort((x, y) => x - y);
}

/** Batch sizes near b (positive, satisfying `ok`), nearest first, then in order. */
function nearbyBatchSizes(b: number, ok: (n: number) => boolean, count = 2): number[] {
  const found: number[] = [];
  for (let d = 1; d <= Math.max(64, b) && found.length < count; d++) {
    if (b - d >= 1 && ok(b - d)) found.push(b - d);
    if (found.length < count && ok(b + d)) found.push(b + d);
  }
  return found.sort((x, y) => x - y);
}

function divisorsNear(b: number, n: number, count = 2): number[] {
  const divisors: number[] = [];
  for (let d = 1; d <= b; d++) if (b % d === 0) divisors.push(d);
  return divisors.sort((x, y) => Math.abs(x - n) - Math.abs(y - n) || y - x).slice(0, count).sort((x, y) => x - y);
}

const orList = (xs: (string | number)[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);

interface CrossContext {
  report(severity: Diagnostic['severity'], path: string, message: string): void;
  /** False when a field the check reads already has an error (no cascades). */
  valid(...paths: string[]): boolean;
}

function checkModel(e: Experiment, c: CrossContext): void {
  if (!c.valid('model')) return;
  const m = e.model;
  let ok = true;
  if (m.width % m.heads !== 0) {
    c.report('error', 'model.heads', `model.width (${m.width}) must be divisible by model.heads (${m.heads}); use heads ${orList(divisorsNear(m.width, m.heads))}`);
    ok = false;
  }
  m.patchSizes.forEach((p, i) => {
    if (m.imageSize % p !== 0) {
      c.report('error', `model.patchSizes[${i}]`, `patch size ${p} does not divide model.imageSize (${m.imageSize}); use one of ${divisorsNear(m.imageSize, p, 3).join(', ')}`);
      ok = false;
    }
  });
  if (!isWhole(m.width * m.mlpRatio)) {
    c.report('error', 'model.mlpRatio', `the MLP hidden size width × mlpRatio = ${m.width} × ${m.mlpRatio} = ${m.width * m.mlpRatio} is not a whole number; use a ratio such as ${Math.round(m.mlpRatio)}`);
    ok = false;
  }
  if (!ok) return;
  try {
    checkModelConfig(m); // the model layer's own rules, in case they grow beyond the ones above
  } catch (err) {
    const message = (err as Error).message;
    const field = /^(model\.\w+)/.exec(message)?.[1] ?? 'model';
    c.report('error', field, message.replace(/^model\.\w+:?\s*/, ''));
  }
}

function checkSelection(e: Experiment, c: CrossContext): void {
  const { method, score, filterRatio: f, chunks: n } = e.selection;
  const b = e.training.batchSize;
  if (method === 'uniform' || !c.valid('selection', 'training.batchSize')) return;
  const B = b / (1 - f);
  if (!isWhole(B)) {
    const ratios = workingFilterRatios(b, f).map((r) => `${r} (B = ${Math.round(b / (1 - r))})`);
    const sizes = nearbyBatchSizes(b, (x) => isWhole(x / (1 - f)) && (method !== 'jest' || x % n === 0)).map((x) => `${x} (B = ${Math.round(x / (1 - f))})`);
    c.report(
      'error',
      'selection.filterRatio',
      `the super-batch B = b / (1 − f) = ${b} / (1 − ${f}) = ${+B.toFixed(4)} is not a whole number of examples; use filterRatio ${orList(ratios)}` + (sizes.length ? `, or training.batchSize ${orList(sizes)}` : ''),
    );
  }
  if (method === 'jest' && b % n !== 0) {
    const sizes = nearbyBatchSizes(b, (x) => x % n === 0 && isWhole(x / (1 - f)));
    c.report('error', 'selection.chunks', `joint selection draws b / n examples per chunk, and training.batchSize ${b} is not divisible by ${n} chunks (${+(b / n).toFixed(3)} per chunk); use chunks ${orList(divisorsNear(b, n))}${sizes.length ? `, or training.batchSize ${orList(sizes)}` : ''}`);
  }
  if (method === 'jest' && n !== PAPER_CHUNKS && c.valid('selection.chunks')) {
    c.report('warning', 'selection.chunks', `the paper uses ${PAPER_CHUNKS} chunks, which come close to the batch learnability of long Gibbs runs; fewer chunks sample more greedily${b % PAPER_CHUNKS === 0 ? '' : ` (16 needs a batch size divisible by 16)`}`);
  }
  if (f === 0) c.report('warning', 'selection.filterRatio', `filterRatio 0 filters nothing: the super-batch is the batch and selection keeps all of it; use method "uniform", or f = 0.8 as in the paper`);
  else if (f > 0.9) c.report('warning', 'selection.filterRatio', `filterRatio ${f} is beyond the paper's range (0.5 to 0.9): scoring cost grows as 1 / (1 − f) = ${+(1 / (1 - f)).toFixed(1)}× the batch`);
  if (score === 'hard-learner' && f >= 0.5) {
    c.report('warning', 'selection.score', `hard-learner alone is known to hurt at high filter ratios (the paper; at f = 0.8 the prototype did worse than uniform); "learnability" or "easy-reference" do not`);
  }
}

function checkReference(e: Experiment, c: CrossContext): void {
  if (!c.valid('reference')) return;
  const ref = e.reference;
  if (ref && ref.run !== null && ref.encoders !== null) {
    c.report('error', 'reference.encoders', 'set either reference.run or reference.encoders, not both: the reference is one model; set the other to null');
  }
  if (!c.valid('selection.method', 'selection.score')) return;
  const { method, score } = e.selection;
  const has = !!ref && (ref.run !== null || ref.encoders !== null);
  const needed = method !== 'uniform' && SCORE_NEEDS[score].reference;
  if (needed && !has) {
    c.report(
      'error',
      ref ? 'reference.run' : 'reference',
      `selection.score ${fmt(score)} with method ${fmt(method)} needs a reference model: set reference.run to a finished run folder (e.g. a uniform run on data.curated) or reference.encoders to { "image": "….onnx", "text": "….onnx" }; or use score "hard-learner" or method "uniform"`,
    );
  }
  if (!needed && has) {
    c.report('warning', 'reference', method === 'uniform' ? 'uniform selection does not use the reference; it is ignored' : `score ${fmt(score)} does not use the reference; it is ignored`);
  }
  if (ref?.encoders) {
    for (const side of ['image', 'text'] as const) {
      if (!/\.onnx$/i.test(ref.encoders[side])) c.report('warning', `reference.encoders.${side}`, `expected an exported .onnx encoder file, got ${fmt(ref.encoders[side])}`);
    }
  }
}

function checkFlexi(e: Experiment, c: CrossContext): void {
  const fl = e.flexi;
  if (!fl.enabled || !c.valid('flexi', 'model.patchSizes', 'training.batchSize')) return;
  const sizes = e.model.patchSizes;
  const b = e.training.batchSize;
  if (!sizes.includes(fl.scoringPatchSize)) {
    c.report('error', 'flexi.scoringPatchSize', `patch size ${fl.scoringPatchSize} is not in model.patchSizes (${sizes.join(', ')}); use one of them (the paper scores at the coarsest, ${Math.max(...sizes)}) or add it to model.patchSizes`);
  } else if (fl.scoringPatchSize !== Math.max(...sizes)) {
    c.report('warning', 'flexi.scoringPatchSize', `Flexi-JEST scores at the coarse patch size to save FLOPs; ${fl.scoringPatchSize} is not the coarsest of model.patchSizes (${Math.max(...sizes)})`);
  }
  if (e.selection.method === 'uniform') c.report('warning', 'flexi.scoringPatchSize', 'uniform selection scores nothing: the scoring patch size is unused (the training mix still applies)');
  const seen = new Set<number>();
  let sum = 0;
  fl.trainMix.forEach((m, i) => {
    const at = `flexi.trainMix[${i}]`;
    if (!sizes.includes(m.patchSize)) c.report('error', `${at}.patchSize`, `patch size ${m.patchSize} is not in model.patchSizes (${sizes.join(', ')}); use one of them or add it to model.patchSizes`);
    if (seen.has(m.patchSize)) c.report('error', `${at}.patchSize`, `patch size ${m.patchSize} appears twice in flexi.trainMix; merge the two entries`);
    seen.add(m.patchSize);
    sum += m.fraction;
    if (!isWhole(m.fraction * b)) {
      const k = m.fraction * b;
      const near = [...new Set([Math.floor(k), Math.ceil(k)])].filter((x) => x > 0 && x <= b).map((x) => `${+(x / b).toFixed(6)} (${x} of ${b})`);
      c.report('error', `${at}.fraction`, `fraction × batchSize = ${m.fraction} × ${b} = ${+k.toFixed(4)} is not a whole number of examples; use ${orList(near)}`);
    }
  });
  if (Math.abs(sum - 1) > 1e-9) c.report('error', 'flexi.trainMix', `the fractions add up to ${+sum.toFixed(6)}, not 1: each training batch must be split completely across patch sizes`);
}

function checkSchedule(e: Experiment, c: CrossContext): void {
  const steps = e.training.steps;
  if (!c.valid('training.steps')) return;
  if (c.valid('optimizer.warmupSteps') && e.optimizer.warmupSteps >= steps) c.report('warning', 'optimizer.warmupSteps', `warm-up (${e.optimizer.warmupSteps} steps) lasts the whole run (${steps} steps): the learning rate never reaches its peak`);
  if (c.valid('evaluation.every') && e.evaluation.every > steps) c.report('warning', 'evaluation.every', `evaluation.every (${e.evaluation.every}) is more than training.steps (${steps}): the run is evaluated only at its last step`);
  if (c.valid('data.eval') && e.data.eval.length === 0) c.report('warning', 'data.eval', 'no evaluation sets: runs report training loss only, and Compare Runs has no accuracy to compare; add e.g. { "name": "emoji held-out style", "source": { "kind": "builtin", "name": "emoji-heldout" } }');
}

// ---------------------------------------------------------------- entry points

/** Parse and check an experiment file's text (JSONC: comments and trailing commas allowed). */
export function parseExperiment(text: string, _file?: string): ParsedExperiment {
  const r = new Reporter(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  for (const err of errors) r.add('error', '', `syntax error: ${syntaxMessage(err)}`, err.offset, Math.max(err.length, 1));
  if (!root && errors.length === 1 && printParseErrorCode(errors[0].error) === 'ValueExpected' && errors[0].offset >= text.trimEnd().length) {
    r.diagnostics.length = 0;
    r.add('error', '', 'the file is empty: expected an object such as { "name": "my-experiment" } (missing fields take their defaults)', 0, 0);
  }
  if (errors.length) return { experiment: structuredClone(DEFAULT_EXPERIMENT), diagnostics: r.diagnostics };
  if (!root) return { experiment: structuredClone(DEFAULT_EXPERIMENT), diagnostics: r.diagnostics };
  r.kind = 'schema';
  const walked = walk(root, EXPERIMENT_SCHEMA, [], r);
  if (walked === INVALID || typeof walked !== 'object' || walked === null) return { experiment: structuredClone(DEFAULT_EXPERIMENT), diagnostics: r.diagnostics };
  const experiment = walked as Experiment & Record<string, unknown>;
  for (const k of SCHEMA_ONLY_KEYS) delete experiment[k];

  const context: CrossContext = {
    report(severity, path, message) {
      const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      let node: Node | undefined;
      for (let n = segments.length; n >= 0 && !node; n--) node = n === 0 ? root : findNodeAtLocation(root, segments.slice(0, n));
      const exact = findNodeAtLocation(root, segments);
      const note = exact ? '' : ` (${path} is not in the file: it takes the default)`;
      r.at(severity, path, node, message + note);
    },
    valid: (...paths) => paths.every((p) => !r.hasErrorAt(p)),
  };
  r.kind = 'rule';
  checkModel(experiment, context);
  checkSelection(experiment, context);
  checkReference(experiment, context);
  checkFlexi(experiment, context);
  checkSchedule(experiment, context);
  return { experiment, diagnostics: r.diagnostics.sort((a, b) => a.offset - b.offset) };
}

function syntaxMessage(err: ParseError): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'not a valid number',
    PropertyNameExpected: 'expected a field name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected ":" after the field name',
    CommaExpected: 'expected "," between items',
    CloseBraceExpected: 'expected "}" to close the object',
    CloseBracketExpected: 'expected "]" to close the list',
    EndOfFileExpected: 'expected the end of the file after the top-level object',
    InvalidCommentToken: 'malformed comment',
    UnexpectedEndOfComment: 'unterminated /* comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid \\u escape',
    InvalidEscapeCharacter: 'invalid escape in a string',
    InvalidCharacter: 'invalid character in a string',
  };
  const code = printParseErrorCode(err.error);
  return words[code] ?? code;
}

/** Relative data and reference paths, resolved against the experiment file's folder. */
export function resolveExperimentPaths(e: Experiment, baseDir: string): Experiment {
  const out = structuredClone(e);
  const abs = (p: string) => nodePath.resolve(baseDir, p);
  const source = (s: Record<string, unknown> | null) => {
    if (!s) return;
    if (s.kind === 'noisy') return source(s.source as Record<string, unknown>);
    if (s.kind === 'concat') return (s.sources as Record<string, unknown>[]).forEach(source);
    if (typeof s.path === 'string') s.path = abs(s.path);
    else if (Array.isArray(s.path)) s.path = s.path.map((p) => abs(String(p)));
  };
  source(out.data.train as unknown as Record<string, unknown>);
  source(out.data.curated as unknown as Record<string, unknown> | null);
  for (const ev of out.data.eval) source(ev.source as unknown as Record<string, unknown>);
  if (out.reference?.run) out.reference.run = abs(out.reference.run);
  if (out.reference?.encoders) out.reference.encoders = { image: abs(out.reference.encoders.image), text: abs(out.reference.encoders.text) };
  return out;
}

/**
 * Read, check and default an experiment file; throws ExperimentError listing every error. Relative
 * paths in it (data sources, reference) are resolved against the file's folder. Returns the warnings.
 */
export async function loadExperiment(file: string): Promise<ParsedExperiment> {
  const text = await fs.readFile(file, 'utf8');
  const parsed = parseExperiment(text, file);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) throw new ExperimentError(file, parsed.diagnostics);
  return { experiment: resolveExperimentPaths(parsed.experiment, nodePath.dirname(nodePath.resolve(file))), diagnostics: parsed.diagnostics };
}
