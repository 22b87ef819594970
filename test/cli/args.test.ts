// Every subcommand parses its arguments strictly: an unknown flag, or one that only another
// command takes, is a usage error (exit code 2) naming the flag and listing what the command
// accepts, never an option silently dropped. --help lists exactly what the parser accepts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { UsageError, parseCommand } from '../../src/cli/args';
import { COMMANDS, type CommandName } from '../../src/cli/commands';

const execFileP = promisify(execFile);
const CLI = path.resolve(__dirname, '../../src/cli.js');

/** The CLI's exit code and output (a non-zero exit is a result here, not a failure). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, [CLI, ...args], { cwd: os.tmpdir() });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Enough positional arguments for each command, so only the flag can be wrong. */
const ARGS: Record<CommandName, string[]> = {
  demo: [],
  train: ['x.jest.json'],
  resume: ['runs/x'],
  eval: ['runs/x'],
  export: ['runs/x'],
  'precompute-reference': ['x.jest.json'],
  compare: ['runs/a', 'runs/b'],
  validate: ['x.jest.json'],
};

test('parseCommand: values, booleans, "=" forms and positionals, as the command declares them', () => {
  assert.deepEqual(parseCommand(COMMANDS.train, ['a.jest.json', '--steps', '5', '--events', '--device=cpu', '--threads=-1']), {
    positional: ['a.jest.json'],
    flags: { steps: '5', events: true, device: 'cpu', threads: '-1' },
  });
  assert.deepEqual(parseCommand(COMMANDS.resume, ['--help']).flags, { help: true }, '--help needs no run folder');
  assert.deepEqual(parseCommand(COMMANDS.compare, ['a', 'b', 'c']).positional, ['a', 'b', 'c']);
});

test('parseCommand: each kind of mistake is a UsageError that says what the command takes', () => {
  const fails = (cmd: CommandName, argv: string[], message: RegExp) => assert.throws(() => parseCommand(COMMANDS[cmd], argv), (e: unknown) => e instanceof UsageError && message.test(e.message), `${cmd} ${argv.join(' ')}`);
  fails('train', ['a', '--bogus'], /^unknown option --bogus for "train"\n.*\n"train" accepts --runs DIR, --run-dir DIR, --steps N, --device D, --threads N, --events, --help$/);
  fails('resume', ['r', '--runs', 'x'], /unknown option --runs for "resume".*\n.*"resume" accepts --device D, --threads N, --events, --help/s);
  fails('export', ['r', '--out'], /^--out needs a value: --out DIR/);
  fails('eval', ['r', '--events=yes'], /^--events takes no value/);
  fails('resume', ['r', '--threads', '-1'], /write a value that starts with "-" as --threads=-1/);
  fails('train', [], /^needs <experiment\.jest\.json>/);
  fails('validate', ['a', 'b'], /^takes <experiment\.jest\.json>, got "a" "b"/);
  fails('demo', ['extra'], /^takes no arguments, got "extra"/);
});

test('every subcommand of the built CLI rejects an unknown flag with exit code 2, naming it and what it accepts', async () => {
  const names = Object.keys(COMMANDS) as CommandName[];
  const results = await Promise.all(names.map((c) => cli([c, ...ARGS[c], '--no-such-flag', '1'])));
  names.forEach((c, i) => {
    const r = results[i];
    assert.equal(r.code, 2, `${c}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`unknown option --no-such-flag for "${c}"`), c);
    for (const flag of Object.keys(COMMANDS[c].options)) assert.ok(r.stderr.includes(`--${flag}`), `${c}'s error lists --${flag}:\n${r.stderr}`);
  });
  for (const [sub, args] of [['prepare', ['synthetic']], ['inspect', ['some/dir']]] as const) {
    const r = await cli(['data', sub, ...args, '--no-such-flag']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`unknown option --no-such-flag for "data ${sub}"`));
  }
});

test('a flag that only another subcommand takes is rejected too, not ignored', async () => {
  const cases: [CommandName, string[], string][] = [
    ['eval', ['--device', 'cpu'], '--device'],
    ['export', ['--threads', '2'], '--threads'],
    ['validate', ['--events'], '--events'],
    ['precompute-reference', ['--steps', '3'], '--steps'],
    ['compare', ['--out', 'x'], '--out'],
    ['resume', ['--steps', '10'], '--steps'],
    ['demo', ['--run-dir', 'x'], '--run-dir'],
  ];
  const results = await Promise.all(cases.map(([c, flag]) => cli([c, ...ARGS[c], ...flag])));
  cases.forEach(([c, , flag], i) => {
    assert.equal(results[i].code, 2, `${c} ${flag}: ${results[i].stderr}`);
    assert.match(results[i].stderr, new RegExp(`unknown option ${flag} for "${c}"`));
  });
});

test('--help lists every flag each subcommand parses, and exits 0', async () => {
  const names = Object.keys(COMMANDS) as CommandName[];
  const [top, ...each] = await Promise.all([cli(['--help']), ...names.map((c) => cli([c, '--help']))]);
  assert.equal(top.code, 0);
  names.forEach((c, i) => {
    assert.equal(each[i].code, 0, c);
    const line = each[i].stdout.split('\n')[0];
    assert.ok(top.stdout.includes(line), `jest-studio --help shows ${line}`);
    for (const [flag, o] of Object.entries(COMMANDS[c].options)) assert.ok(line.includes(`[--${flag}${o.type === 'string' ? ' ' : ']'}`), `${c} --help lists --${flag}: ${line}`);
  });
  assert.match((await cli(['resume', '--help'])).stdout, /resume <run-dir> \[--device D\] \[--threads N\] \[--events\]/);
});
