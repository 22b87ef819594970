// A subcommand's arguments, parsed strictly (node:util parseArgs, strict: true): a flag the
// subcommand does not know is a usage error that names it and lists the ones it accepts, never a
// flag silently ignored (the extension once passed `resume` a --device it dropped). Every command
// takes --help.
import { parseArgs } from 'node:util';

/** Wrong arguments: the CLI prints the message and exits with 2 (the usual code for usage errors). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the value is, for messages and usage lines: N, DIR, D. */
  value?: string;
}

export interface CommandSpec {
  /** As typed: `train`, `data prepare`. */
  name: string;
  /** The positional arguments as the usage line shows them, e.g. `<run-dir>`. */
  args: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
}

export type Flags = Record<string, string | boolean>;

const HELP: OptionSpec = { type: 'boolean' };

/** `--runs DIR, --steps N, --events`: what a command accepts. */
export function describeOptions(spec: CommandSpec): string {
  const list = Object.entries({ ...spec.options, help: HELP }).map(([k, o]) => `--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`);
  return list.join(', ');
}

/** `train <experiment.jest.json> [--runs DIR] ...`: the command's usage line. */
export function usageLine(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).map(([k, o]) => `[--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}]`);
  return [spec.name, spec.args, ...opts].filter(Boolean).join(' ');
}

function usageError(spec: CommandSpec, problem: string): UsageError {
  return new UsageError(`${problem}\nusage: jest-studio ${usageLine(spec)}\n"${spec.name}" accepts ${describeOptions(spec)}`);
}

/** Positional arguments and flags (only those given; booleans true), or a UsageError. */
export function parseCommand(spec: CommandSpec, argv: string[]): { positional: string[]; flags: Flags } {
  const options = { ...spec.options, help: { ...HELP, short: 'h' } };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: spec.positionals.max > 0 });
  } catch (e) {
    throw usageError(spec, explain(e as Error & { code?: string }, spec, argv, options));
  }
  const flags: Flags = {};
  for (const [k, v] of Object.entries(parsed.values)) if (typeof v === 'string' || typeof v === 'boolean') flags[k] = v;
  const positional = parsed.positionals;
  if (!flags.help) {
    const { min, max } = spec.positionals;
    if (positional.length < min) throw usageError(spec, `needs ${spec.args}`);
    if (positional.length > max) throw usageError(spec, `takes ${max === 0 ? 'no arguments' : spec.args}, got ${positional.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  return { positional, flags };
}

/** parseArgs' error in this command's terms, naming the flag (found by a lenient second look at the tokens). */
function explain(e: Error & { code?: string }, spec: CommandSpec, argv: string[], options: Record<string, OptionSpec>): string {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const unknown = tokens.find((t) => t.kind === 'option' && !Object.prototype.hasOwnProperty.call(options, t.name));
    if (unknown?.kind === 'option') return `unknown option ${unknown.rawName} for "${spec.name}"`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    for (const t of tokens) {
      if (t.kind !== 'option') continue;
      const o = options[t.name];
      if (o?.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value, got ${t.rawName}=${t.value}`;
      if (o?.type === 'string' && t.value === undefined) return `${t.rawName} needs a value: ${t.rawName} ${o.value ?? 'VALUE'}`;
    }
    // the value starts with "-" (parseArgs takes it for a flag unless written with "=")
    const t = tokens.find((x) => x.kind === 'option' && options[x.name]?.type === 'string' && x.inlineValue === false && x.value?.startsWith('-'));
    if (t?.kind === 'option') return `${t.rawName} ${t.value}: write a value that starts with "-" as ${t.rawName}=${t.value}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = tokens.filter((t) => t.kind === 'positional').map((t) => (t.kind === 'positional' ? JSON.stringify(t.value) : ''));
    return `takes no arguments, got ${extra.join(' ')}`;
  }
  return e.message;
}
