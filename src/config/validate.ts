// Reading an experiment file: JSONC in, an Experiment and diagnostics out.
//
// Two passes. The first checks the file against EXPERIMENT_SCHEMA (the same object VS Code reads)
// with ajv (schema-check.ts), so an unknown key, a wrong type or an out-of-range value is an ERROR
// pointing at the offending text, never a silent default; missing fields take the schema's
// defaults (defaults.ts: DEFAULT_EXPERIMENT's; objects merge key by key, arrays replace). The
// second pass checks what a schema cannot express: the super-batch arithmetic, patch sizes the
// model must have, a reference the score needs. It also warns about legal settings known to go badly.
//
// Diagnostics carry the field path, 1-based line/column and the 0-based offset/length, so the CLI
// can print `file:line:col: path: message` and the extension can draw squiggles.
import { promises as fs } from 'fs';
import * as nodePath from 'path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { referenceFileProblems } from '../jest/reference-files';
import { SCORE_NEEDS } from '../jest/scores';
import { checkModelConfig } from '../model/config';
import { DEFAULT_EXPERIMENT, type Experiment } from './experiment';
import { dropInvalid, withDefaults } from './defaults';
import { fmt } from './describe';
import { EXPERIMENT_SCHEMA, SCHEMA_ONLY_KEYS } from './schema';
import { checkSchema, formatPath, type SchemaProblem, type Segment } from './schema-check';

// Words and paths live in describe.ts and schema-check.ts; exported here too for existing importers (scripts/write-schema.ts).
export { describeExpected, didYouMean } from './describe';
export { formatPath } from './schema-check';

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
  at(severity: Diagnostic['severity'], path: string, node: Node | undefined, message: string, badValue = severity === 'error'): void {
    if (!node) return this.add(severity, path, message, 0, Math.min(1, this.text.length), badValue);
    if ((node.type === 'object' || node.type === 'array') && node.parent?.type === 'property' && node.parent.children?.[0]) {
      const key = node.parent.children[0];
      return this.add(severity, path, message, key.offset, key.length, badValue);
    }
    if (node.type === 'object' || node.type === 'array') return this.add(severity, path, message, node.offset, 1, badValue);
    this.add(severity, path, message, node.offset, node.length, badValue);
  }

  /** Whether `path`, something inside it or something holding it has a bad value. */
  hasErrorAt(path: string): boolean {
    return this.badValues.some((p) => p === '' || p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`) || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  }
}

// ---------------------------------------------------------------- pass 1: the schema

/** The parsed value, the first of a key written twice winning (as findNodeAtLocation finds it). */
function valueOf(node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(valueOf);
  if (node.type !== 'object') return node.value;
  const out: Record<string, unknown> = {};
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode || !valueNode || Object.prototype.hasOwnProperty.call(out, keyNode.value)) continue;
    // an own "__proto__" field (as JSON.parse makes), not the object's prototype
    Object.defineProperty(out, keyNode.value as string, { value: valueOf(valueNode), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A key written twice: JSON would silently take the last. Not a schema rule, so checked on the text. */
function reportDuplicateKeys(node: Node, path: Segment[], r: Reporter): void {
  if (node.type === 'array') return (node.children ?? []).forEach((item, i) => reportDuplicateKeys(item, [...path, i], r));
  if (node.type !== 'object') return;
  const where = formatPath(path);
  const seen = new Set<string>();
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode) continue;
    const key = keyNode.value as string;
    if (seen.has(key)) {
      r.add('error', formatPath([...path, key]), `${fmt(key)} appears twice in ${where || 'the file'}; keep one (JSON would silently take the last)`, keyNode.offset, keyNode.length);
      continue;
    }
    seen.add(key);
    if (valueNode) reportDuplicateKeys(valueNode, [...path, key], r);
  }
}

/** Each schema problem as a diagnostic at its place in the text. */
function reportSchemaProblems(root: Node, problems: readonly SchemaProblem[], r: Reporter): void {
  for (const p of problems) {
    const where = formatPath(p.path);
    if (p.anchor === 'key') {
      const key = findNodeAtLocation(root, p.path)?.parent?.children?.[0];
      if (key) r.add('error', where, p.message, key.offset, key.length, p.badValue);
      else r.at('error', where, findNodeAtLocation(root, p.path.slice(0, -1)), p.message);
      continue;
    }
    const node = findNodeAtLocation(root, p.anchor === 'parent' ? p.path.slice(0, -1) : p.path);
    r.at('error', where, node, p.message, p.badValue);
  }
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
  const set = ref ? (['run', 'encoders', 'folder'] as const).filter((k) => ref[k] !== null && ref[k] !== undefined) : [];
  if (set.length > 1) {
    c.report('error', `reference.${set[1]}`, `set one of reference.run, reference.encoders or reference.folder, not ${set.join(' and ')}: the reference is one model; set the others to null`);
  }
  if (ref && !ref.folder && (ref.logitScale != null || ref.logitBias != null)) {
    c.report('warning', ref.logitScale != null ? 'reference.logitScale' : 'reference.logitBias', 'logitScale / logitBias apply to a reference.folder model; a run or encoder pair brings its own learned t\' and b, so these are ignored');
  }
  if (ref?.folder && ref.logitBias != null && ref.logitScale == null) {
    c.report('warning', 'reference.logitBias', 'logitBias is used only together with logitScale; alone it is ignored and both come from the model\'s files or the fit on data.curated');
  }
  if (!c.valid('selection.method', 'selection.score')) return;
  const { method, score } = e.selection;
  const has = set.length > 0;
  const needed = method !== 'uniform' && SCORE_NEEDS[score].reference;
  if (needed && !has) {
    c.report(
      'error',
      ref ? 'reference.run' : 'reference',
      `selection.score ${fmt(score)} with method ${fmt(method)} needs a reference model: set reference.run to a finished run folder (e.g. a uniform run on data.curated), reference.encoders to { "image": "….onnx", "text": "….onnx" }, or reference.folder to a pretrained CLIP / SigLIP export; or use score "hard-learner" or method "uniform"`,
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

/**
 * Parse and check an experiment file's text (JSONC: comments and trailing commas allowed). With
 * `baseDir` (the file's folder, against which its relative paths resolve) the files it names are
 * looked for too: a reference the selection needs must exist before any work starts.
 */
export function parseExperiment(text: string, _file?: string, opts: { baseDir?: string } = {}): ParsedExperiment {
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
  reportDuplicateKeys(root, [], r);
  const value = valueOf(root);
  const problems = checkSchema(value);
  reportSchemaProblems(root, problems, r);
  const usable = dropInvalid(value, problems.flatMap((p) => (p.invalid ? [p.invalid] : [])));
  if (!usable) return { experiment: structuredClone(DEFAULT_EXPERIMENT), diagnostics: r.diagnostics.sort((a, b) => a.offset - b.offset) };
  const experiment = withDefaults(value, EXPERIMENT_SCHEMA) as Experiment & Record<string, unknown>;
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
  if (opts.baseDir !== undefined && context.valid('reference', 'selection') && !r.diagnostics.some((d) => d.severity === 'error' && d.path.startsWith('reference'))) {
    for (const p of referenceFileProblems(resolveExperimentPaths(experiment, opts.baseDir))) context.report('error', p.field, p.message);
  }
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
  if (out.reference?.folder) out.reference.folder = abs(out.reference.folder);
  if (out.data.tokenizer) out.data.tokenizer = abs(out.data.tokenizer);
  out.evaluation.baselines = (out.evaluation.baselines ?? []).map((b) => ({ ...b, folder: abs(b.folder) }));
  if (out.reference?.encoders) out.reference.encoders = { image: abs(out.reference.encoders.image), text: abs(out.reference.encoders.text) };
  return out;
}

/**
 * Read, check and default an experiment file; throws ExperimentError listing every error. Relative
 * paths in it (data sources, reference) are resolved against the file's folder. Returns the warnings.
 */
export async function loadExperiment(file: string): Promise<ParsedExperiment> {
  const text = await fs.readFile(file, 'utf8');
  const baseDir = nodePath.dirname(nodePath.resolve(file));
  const parsed = parseExperiment(text, file, { baseDir });
  if (parsed.diagnostics.some((d) => d.severity === 'error')) throw new ExperimentError(file, parsed.diagnostics);
  return { experiment: resolveExperimentPaths(parsed.experiment, baseDir), diagnostics: parsed.diagnostics };
}
