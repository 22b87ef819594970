// Shared by the config tests: parse a snippet, find a diagnostic by path, locate text in a file.
import assert from 'node:assert/strict';
import { parseExperiment, type Diagnostic } from '../../src/config/validate';

/** A file with a reference, an evaluation set and nothing else: parses with no diagnostics at all. */
export const CLEAN_BASE = {
  data: { eval: [{ name: 'held-out', source: { kind: 'builtin', name: 'emoji-heldout' } }] },
  reference: { run: 'runs/reference' },
};

/** CLEAN_BASE with `patch` merged in, one level deep per section, as JSON text. */
export function withBase(patch: Record<string, unknown>): string {
  const out: Record<string, unknown> = structuredClone(CLEAN_BASE);
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = cur && typeof cur === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...cur, ...v } : v;
  }
  return JSON.stringify(out, null, 2);
}

export function diagnosticsOf(text: string): Diagnostic[] {
  return parseExperiment(text).diagnostics;
}

export const errorsOf = (text: string) => diagnosticsOf(text).filter((d) => d.severity === 'error');
export const warningsOf = (text: string) => diagnosticsOf(text).filter((d) => d.severity === 'warning');

/** The one diagnostic at `path` (fails listing them all when there is none or several). */
export function only(diagnostics: Diagnostic[], path: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const at = diagnostics.filter((d) => d.path === path && d.severity === severity);
  assert.equal(at.length, 1, `expected one ${severity} at ${path}, got:\n${diagnostics.map((d) => `  ${d.severity} ${d.path}: ${d.message}`).join('\n')}`);
  return at[0];
}

/** 1-based line and column of the `nth` occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" not in the text`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

export function assertAt(d: Diagnostic, text: string, needle: string, nth = 0): void {
  const p = positionOf(text, needle, nth);
  assert.deepEqual({ line: d.line, column: d.column }, p, `${d.path}: ${d.message}`);
  assert.equal(text.slice(d.offset, d.offset + d.length), needle, `the diagnostic should cover ${needle}`);
}
