// The subcommands of jest-studio and the flags each accepts: what src/cli.ts parses (strictly,
// src/cli/args.ts) and what --help prints, from the one table, so the help cannot drift from the parser.
import { usageLine, type CommandSpec } from './args';

const dir = { type: 'string', value: 'DIR' } as const;
const n = { type: 'string', value: 'N' } as const;
const events = { type: 'boolean' } as const;
// train and resume take the same runtime overrides: a run resumed on another machine may need another device
const runtime = { device: { type: 'string', value: 'D' }, threads: n } as const;

export const COMMANDS = {
  demo: { name: 'demo', args: '', positionals: { min: 0, max: 0 }, options: { quick: { type: 'boolean' }, steps: n, 'pool-icons': n, 'eval-max': n, 'eval-every': n, threads: n, runs: dir } },
  train: { name: 'train', args: '<experiment.jest.json>', positionals: { min: 1, max: 1 }, options: { runs: dir, 'run-dir': dir, steps: n, ...runtime, events } },
  resume: { name: 'resume', args: '<run-dir>', positionals: { min: 1, max: 1 }, options: { ...runtime, events } },
  eval: { name: 'eval', args: '<run-dir>', positionals: { min: 1, max: 1 }, options: { events } },
  export: { name: 'export', args: '<run-dir>', positionals: { min: 1, max: 1 }, options: { out: dir } },
  'precompute-reference': { name: 'precompute-reference', args: '<experiment.jest.json>', positionals: { min: 1, max: 1 }, options: {} },
  compare: { name: 'compare', args: '<run-dir> <run-dir>...', positionals: { min: 1, max: Infinity }, options: { set: { type: 'string', value: 'NAME' }, metric: { type: 'string', value: 'zero-shot/top5' }, target: { type: 'string', value: 'X' } } },
  validate: { name: 'validate', args: '<experiment.jest.json>', positionals: { min: 1, max: 1 }, options: {} },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/** What each command does, under its usage line in --help. */
const ABOUT: Record<CommandName, string> = {
  demo: 'The main job: a reference on curated emoji, then uniform vs JEST on a raw icon + noisy emoji\npool, evaluated zero-shot on a held-out emoji style; ends with a comparison table.',
  train: 'train a new run; --device and --threads override the file\'s runtime (--run-dir: this folder, else a new one under --runs, default runs/)',
  resume: 'continue a stopped run from its latest checkpoint; --device and --threads override the runtime it was started with',
  eval: 'evaluate the run\'s latest checkpoint on its eval sets',
  export: 'image/text encoders (.onnx) from the latest checkpoint (default into the run\'s models/)',
  'precompute-reference': 'embed the experiment\'s pool with its reference once, into the on-disk cache its runs read;\nprints the cache folder',
  compare: 'steps and FLOPs each run needs to reach the first run\'s final value (or --target)',
  validate: 'print the file\'s errors and warnings',
};

const indent = (text: string) => text.split('\n').map((l) => `      ${l}`).join('\n');

/** One command's usage line and what it does. */
export function commandUsage(name: CommandName): string {
  return `  jest-studio ${usageLine(COMMANDS[name])}\n${indent(ABOUT[name])}\n`;
}

/** `jest-studio --help`. */
export function usage(): string {
  return [
    'jest-studio: JEST data curation for SigLIP-style image-text training, on onnxruntime-node',
    '',
    'Usage:',
    ...(Object.keys(COMMANDS) as CommandName[]).map((c) => commandUsage(c).trimEnd()),
    '  jest-studio data prepare|inspect ...',
    indent("see 'jest-studio data --help'"),
    '',
    '--events prints every run event as one JSON line on stdout (progress goes to stderr).',
    "Every command takes --help; an option a command does not take is an error (exit code 2).",
    '',
  ].join('\n');
}
