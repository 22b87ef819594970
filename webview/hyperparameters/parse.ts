// What a typed field means: a value to write, "use the default" (empty), or a reason it cannot be
// written. Pure (unit-tested). Ranges are not checked here on purpose: the engine's diagnostics
// say what is wrong with a legal-typed value, in the same words as in the editor.
import type { FieldSpec, FieldValue } from '../../protocol/hyperparameters';

export type Parsed = { kind: 'value'; value: FieldValue } | { kind: 'reset' } | { kind: 'invalid'; message: string };

export function parseFieldInput(spec: Pick<FieldSpec, 'kind' | 'options'>, text: string): Parsed {
  const t = text.trim();
  if (t === '') return { kind: 'reset' };
  switch (spec.kind) {
    case 'string':
      return { kind: 'value', value: text };
    case 'boolean':
      return t === 'true' || t === 'false' ? { kind: 'value', value: t === 'true' } : { kind: 'invalid', message: 'expected true or false' };
    case 'enum':
      return spec.options?.includes(t) ? { kind: 'value', value: t } : { kind: 'invalid', message: `expected one of ${(spec.options ?? []).join(', ')}` };
    case 'integer':
    case 'number': {
      // Number('') and Number('0x10') are too lenient for a config file: accept decimal notation only
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return { kind: 'invalid', message: `"${t}" is not a number` };
      const v = Number(t);
      if (!Number.isFinite(v)) return { kind: 'invalid', message: `"${t}" is too large` };
      if (spec.kind === 'integer' && !Number.isSafeInteger(v)) return { kind: 'invalid', message: `expected a whole number, got ${t}` };
      return { kind: 'value', value: v };
    }
  }
}
