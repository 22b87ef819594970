// `jest-studio data prepare|inspect`: the data layer from a terminal. The handlers are exported and
// the top-level CLI (src/cli.ts) dispatches to them (no entry point of its own: in the bundled
// extension every module shares one `module`, so a second `require.main === module` would run too):
//   jest-studio data prepare <source> [--size 16] [--max N] [--out DIR] ...
//   jest-studio data inspect <prepared dir> [--examples 8] [--sheet grid.png]

import * as path from 'node:path';
import { parseColour } from '../data/decode/settings';
import { UsageError, parseCommand, type CommandSpec } from './args';
import { PreparedDataset } from '../data/cache/dataset';
import { prepare, type PrepareProgress } from '../data/cache/prepare';
import { writeContactSheet } from '../data/contactSheet';
import { formatReport } from '../data/report';
import { BUILTIN_NAMES, parseSourceArgument } from '../data/sources/registry';
import { summarisePrepared } from '../data/summary';

export const DATA_USAGE = `Usage:
  data prepare <source> [options]   decode a source once into a prepared cache
  data inspect <prepared dir>       counts, caption statistics and examples of a prepared cache

<source>: a built-in set (${BUILTIN_NAMES.join(', ')}), synthetic[:N], a .jsonl/.csv manifest,
  a folder of images with .txt sidecars, a .tar shard or folder of shards, a .json file holding a
  source spec, or the JSON spec itself, e.g. '{"kind":"builtin","name":"emoji","vendors":["google"]}'

prepare options:
  --size N           image side in pixels (default 16)
  --max N            stop after N usable examples
  --out DIR          the prepared folder (default: .cache/jest-studio/data/<name>-<fingerprint>,
                     or $JEST_STUDIO_CACHE/data/...)
  --background C     colour behind transparent pixels: #rrggbb, r,g,b, white, black (default white)
  --fit F            contain: keep the whole image (default), cover: crop the centre square,
                     fill: stretch it to the square
  --vocab N          tokenizer vocabulary cap, specials included (default 8192)
  --seq-len N        tokens per caption, L (default 16)
  --min-count N      words seen fewer times are unknown (default 1)
  --tokenizer-from DIR  reuse the tokenizer of another prepared folder (evaluation sets)
  --workers N        decode processes (default: CPU count)
  --force            prepare again even if the same fingerprint is cached
inspect options:
  --examples N       examples to print (default 8)
  --sheet FILE.png   also write a grid of the first 128 images
  --json             print the statistics as JSON`;

type Flags = Record<string, string | boolean>;

/**
 * A loose `--key value` reader, for the benchmarks' own flags (bench/data.bench.ts). The data
 * commands themselves parse strictly (PREPARE, INSPECT below), so a mistyped option is an error.
 */
export function parseArgs(argv: string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=', 2);
      if (inline !== undefined) flags[key] = inline;
      else if (key === 'force' || key === 'help' || key === 'json') flags[key] = true;
      else if (i + 1 < argv.length) flags[key] = argv[++i];
      else throw new Error(`--${key} needs a value`);
    } else positional.push(a);
  }
  return { positional, flags };
}

function intFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got "${String(v)}"`);
  return n;
}

const n = { type: 'string', value: 'N' } as const;
// --help prints DATA_USAGE; positional counts are checked by each command, with its own words
const PREPARE: CommandSpec = {
  name: 'data prepare',
  args: '<source>',
  positionals: { min: 0, max: Infinity },
  options: { size: n, max: n, out: { type: 'string', value: 'DIR' }, background: { type: 'string', value: 'C' }, fit: { type: 'string', value: 'contain|cover|fill' }, vocab: n, 'seq-len': n, 'min-count': n, 'tokenizer-from': { type: 'string', value: 'DIR' }, workers: n, force: { type: 'boolean' } },
};
const INSPECT: CommandSpec = {
  name: 'data inspect',
  args: '<prepared dir>',
  positionals: { min: 0, max: Infinity },
  options: { examples: n, sheet: { type: 'string', value: 'FILE.png' }, json: { type: 'boolean' } },
};

/** Progress on one line when a person is watching; a line every 10% for logs. */
function progressPrinter(out: NodeJS.WriteStream): (p: PrepareProgress) => void {
  const started = Date.now();
  let lastDecile = -1;
  return (p) => {
    const done = p.usable + p.skipped;
    const secs = (Date.now() - started) / 1000;
    const rate = done / Math.max(secs, 1e-3);
    const frac = p.total ? Math.min(1, done / p.total) : undefined;
    if (out.isTTY) {
      const width = 30;
      const bar = frac === undefined ? '' : `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}% `;
      const eta = frac ? ` eta ${Math.max(0, (p.total! - done) / rate).toFixed(0)}s` : '';
      out.write(`\r${bar}${p.usable} ok, ${p.skipped} skipped, ${rate.toFixed(0)} img/s${eta}   `);
    } else {
      const decile = frac === undefined ? Math.floor(done / 10000) : Math.floor(frac * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        out.write(`${p.usable} ok, ${p.skipped} skipped${frac === undefined ? '' : ` (${(frac * 100).toFixed(0)}%)`}, ${rate.toFixed(0)} img/s\n`);
      }
    }
  };
}

export async function dataPrepare(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<string> {
  const { positional, flags } = parseCommand(PREPARE, argv);
  if (flags.help) {
    out.write(DATA_USAGE + '\n');
    return '';
  }
  if (positional.length !== 1) throw new UsageError(`data prepare takes one source, got ${positional.length}\n\n${DATA_USAGE}`);
  const spec = await parseSourceArgument(positional[0]);
  const fit = flags.fit as string | undefined;
  if (fit !== undefined && fit !== 'contain' && fit !== 'cover' && fit !== 'fill') throw new UsageError(`--fit must be contain, cover or fill, got "${fit}"`);
  const started = Date.now();
  const result = await prepare(spec, {
    size: intFlag(flags, 'size'),
    max: intFlag(flags, 'max'),
    out: flags.out as string | undefined,
    background: typeof flags.background === 'string' ? parseColour(flags.background) : undefined,
    fit: fit as 'contain' | 'cover' | 'fill' | undefined,
    vocabSize: intFlag(flags, 'vocab'),
    maxLength: intFlag(flags, 'seq-len'),
    minCount: intFlag(flags, 'min-count'),
    tokenizerFrom: flags['tokenizer-from'] as string | undefined,
    workers: intFlag(flags, 'workers'),
    force: flags.force === true,
    onProgress: progressPrinter(out),
  });
  if (out.isTTY) out.write('\n');
  const m = result.manifest;
  if (result.reused) out.write(`already prepared (same fingerprint ${m.fingerprint.slice(0, 16)}): nothing to do\n`);
  else out.write(`prepared in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  out.write(`${formatReport(result.report, 10, path.join(result.dir, 'report.json'))}\n`);
  out.write(`${m.count} pairs at ${m.imageSize}x${m.imageSize}, L=${m.seqLen}, vocabulary ${m.vocabSize} -> ${result.dir}\n`);
  return result.dir;
}

export async function dataInspect(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<void> {
  const { positional, flags } = parseCommand(INSPECT, argv);
  if (flags.help) {
    out.write(DATA_USAGE + '\n');
    return;
  }
  if (positional.length !== 1) throw new UsageError(`data inspect takes one prepared folder\n\n${DATA_USAGE}`);
  const ds = await PreparedDataset.open(positional[0]);
  try {
    const s = summarisePrepared(ds);
    const w = (line: string) => out.write(line + '\n');
    if (flags.json === true) {
      w(JSON.stringify(s, null, 1));
      return;
    }
    w(`${s.name}: ${s.count} pairs, ${s.skipped} skipped, images ${s.imageSize}x${s.imageSize}x3, ${s.shards} shard(s), prepared ${s.createdAt} in ${s.prepareSeconds.toFixed(1)} s`);
    w(`tokenizer: vocabulary ${s.vocabSize} ids (cap ${s.vocabCap}), L=${s.seqLen}, min count ${ds.tokenizer.settings.minCount}`);
    w(`captions: ${s.distinctCaptions} distinct; tokens per caption min ${s.tokens.min}, median ${s.tokens.median}, p95 ${s.tokens.p95}, max ${s.tokens.max}, mean ${s.tokens.mean.toFixed(2)}`);
    w(`  truncated to L: ${s.truncated} (${((100 * s.truncated) / s.count).toFixed(1)}%); unknown-word rate ${(100 * s.unknownRate).toFixed(2)}% of tokens`);
    const maxCount = Math.max(...s.lengthHistogram.map(([, c]) => c));
    for (const [len, count] of s.lengthHistogram.slice(0, 24)) {
      w(`  ${String(len).padStart(3)} tokens ${'#'.repeat(Math.max(1, Math.round((40 * count) / maxCount)))} ${count}`);
    }
    if (s.classes) w(`labels: ${s.classes} classes (zero-shot evaluation ready)`);
    const noise = Object.entries(s.noise);
    if (noise.length) w(`noise tags: ${noise.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const report = await ds.report();
    if (report.skipped) w(formatReport(report, 5, path.join(ds.dir, 'report.json')));
    const nShow = Math.min(s.count, intFlag(flags, 'examples') ?? 8);
    const step = Math.max(1, Math.floor(s.count / nShow));
    w('examples:');
    for (let k = 0; k < nShow; k++) {
      const i = k * step;
      const e = ds.examples[i];
      const tokens = Array.from(ds.tokens.subarray(i * s.seqLen, (i + 1) * s.seqLen));
      w(`  #${i} ${e.id}  "${e.caption}"${e.label && e.label !== e.caption ? `  label "${e.label}"` : ''}  [${e.provenance.licence ?? ''}]`);
      w(`      tokens ${tokens.join(' ')}  -> "${ds.tokenizer.decode(tokens)}"`);
    }
    if (typeof flags.sheet === 'string') {
      const rows = Array.from({ length: Math.min(128, s.count) }, (_, i) => i);
      await writeContactSheet(ds, flags.sheet, rows);
      w(`wrote ${flags.sheet} (${rows.length} images)`);
    }
  } finally {
    ds.close();
  }
}

export async function dataMain(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'prepare') await dataPrepare(rest);
    else if (command === 'inspect') await dataInspect(rest);
    else if (command === undefined || command === 'help' || command === '--help' || command === '-h') process.stdout.write(DATA_USAGE + '\n');
    else {
      process.stderr.write(`unknown data command "${command}"\n\n${DATA_USAGE}\n`);
      return 2;
    }
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
