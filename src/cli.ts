#!/usr/bin/env node
// jest-studio: the engine's command line. The extension runs these same commands as child
// processes (--events streams every event as a JSON line; over IPC when there is a channel).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment, formatDiagnostic, parseExperiment, resolveExperimentPaths } from './config/validate';
import type { Experiment } from './config/experiment';
import { EXPERIMENT_SCHEMA } from './config/schema';
import { UsageError, parseCommand, type Flags } from './cli/args';
import { COMMANDS, commandUsage, isCommand, usage } from './cli/commands';
import { dataMain } from './cli/data';
import { demoOptions, runDemo } from './cli/demo';
import { ProgressBar } from './cli/progress';
import { exportImageEncoder, exportTextEncoder } from './model/export';
import { ENCODER_FILES, STANDARD_EXPORT_DIR } from './jest/reference';
import { experimentFilesProblem } from './train/preflight';
import { writeStandardLayout } from './model/export-standard';
import { precomputeReference } from './jest/precompute';
import { resolutionPlan } from './jest/flexi';
import { loadRunCheckpoint } from './runs/checkpoints';
import { acquireRunLock } from './runs/lock';
import { TrainingSession } from './runtime/training-session';
import { compareRuns, fixedModelLines, formatComparison } from './runs/compare';
import type { RunEvent } from './runs/events';
import { RUN_FILES, newRunDir } from './runs/folder';
import { readRun } from './runs/reader';
import { evaluate } from './train/evaluate';
import { openExperimentData } from './train/inputs';
import { preflight, runTraining } from './train/loop';

/** Where events go: a progress bar on stderr, and JSON lines on stdout / the IPC channel when asked. */
function eventSink(label: string, flags: Flags): (e: RunEvent) => void {
  const bar = new ProgressBar(label);
  return (e) => {
    // after the window that started the run has gone, events live on in the run folder only
    // the callback takes a send that races the channel's close: without it node raises that as an uncaught error
    if (process.send && process.connected) process.send({ kind: 'run-event', event: e }, undefined, {}, () => undefined);
    if (flags.events) process.stdout.write(JSON.stringify(e) + '\n');
    bar.onEvent(e);
  };
}

/**
 * A run started by the extension outlives its window: when the window reloads or closes, the IPC
 * channel and the stdout/stderr pipes close and the run goes on (the reloaded window follows it
 * from its folder and stops it by pid). Writing to a closed pipe must then not end the process.
 */
function surviveParentLoss(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
  }
  process.on('disconnect', () => log('the window that started this run closed: the run goes on; its events and log stay in the run folder'));
}

/** Every line the CLI writes to stderr also goes to the run folder's log.txt (what "Show Run Log" reads after a reload). */
function teeLog(runDir: string): void {
  fs.mkdirSync(runDir, { recursive: true });
  const fd = fs.openSync(path.join(runDir, RUN_FILES.log), 'a');
  const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    try {
      // progress-bar redraws (\r) become lines in the file
      fs.writeSync(fd, (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).replace(/\r(?!\n)/g, '\n'));
    } catch {
      /* a full disk must not stop the run over its log */
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
}

/** SIGINT/SIGTERM stop the run after the current step, with a checkpoint; a second SIGINT quits at once. */
function stopSignal(): AbortSignal {
  const c = new AbortController();
  let count = 0;
  const handler = (sig: string) => {
    if (++count > 1) process.exit(130);
    process.stderr.write(`\n${sig}: stopping after this step and writing a checkpoint (again to quit at once)\n`);
    c.abort();
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
  return c.signal;
}

function threadsFlag(v: string | boolean): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--threads must be a whole number (0 = one per core), got ${String(v)}`);
  return n;
}

const DEVICES = (EXPERIMENT_SCHEMA.properties?.runtime.properties?.device.enum ?? []) as string[];

function deviceFlag(v: string | boolean): Experiment['runtime']['device'] {
  if (typeof v !== 'string' || !DEVICES.includes(v)) throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got ${String(v)}`);
  return v as Experiment['runtime']['device'];
}

type RuntimeOverride = Partial<Experiment['runtime']>;

/** --device and --threads, which train and resume both take, checked before anything is read or written. */
function runtimeFlags(flags: Flags): RuntimeOverride {
  const o: RuntimeOverride = {};
  if (flags.device !== undefined) o.device = deviceFlag(flags.device);
  if (flags.threads !== undefined) o.threads = threadsFlag(flags.threads);
  return o;
}

/** The override over the experiment's runtime, in place; says what changed. */
function applyRuntime(e: Experiment, o: RuntimeOverride): string[] {
  const changes: string[] = [];
  if (o.device !== undefined && o.device !== e.runtime.device) changes.push(`device ${o.device} (was ${e.runtime.device})`);
  if (o.threads !== undefined && o.threads !== e.runtime.threads) changes.push(`threads ${o.threads} (was ${e.runtime.threads})`);
  Object.assign(e.runtime, o);
  return changes;
}

function positiveInt(name: string, v: string | boolean): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got ${String(v)}`);
  return n;
}

function log(m: string): void {
  process.stderr.write(`${m}\n`);
}

function readRunExperiment(runDir: string): Experiment {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.config), 'utf8')) as Experiment;
  } catch {
    throw new Error(`${runDir} is not a run folder (no readable ${RUN_FILES.config})`);
  }
}

async function sessionFromCheckpoint(runDir: string, e: Experiment): Promise<TrainingSession> {
  const loaded = await loadRunCheckpoint(runDir, { model: e.model });
  if (!loaded) throw new Error(`${runDir} has no checkpoint yet (${RUN_FILES.checkpoints}/ is empty): resume the run to train it first`);
  for (const s of loaded.skipped) log(`${s.file} cannot be read (${s.reason}): using ${loaded.file}`);
  const ck = loaded.checkpoint;
  const s = await TrainingSession.create({ model: e.model, optimizer: e.optimizer, runtime: e.runtime });
  await s.loadState(ck.state);
  return s;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(cmd === 'help' && isCommand(rest[0]) ? commandUsage(rest[0]) : usage());
    return cmd ? 0 : 2;
  }
  if (cmd === 'data') return dataMain(rest);
  if (!isCommand(cmd)) {
    process.stderr.write(`unknown command "${cmd}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command(cmd, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`jest-studio ${cmd}: ${e.message}\n`);
    return 2;
  }
}

async function command(cmd: keyof typeof COMMANDS, rest: string[]): Promise<number> {
  const { positional, flags } = parseCommand(COMMANDS[cmd], rest);
  if (flags.help) {
    process.stdout.write(commandUsage(cmd));
    return 0;
  }
  switch (cmd) {
    case 'demo':
      return runDemo(demoOptions(flags));
    case 'train': {
      const steps = flags.steps !== undefined ? positiveInt('steps', flags.steps) : undefined;
      const runtime = runtimeFlags(flags);
      const { experiment, diagnostics } = await loadExperiment(positional[0]);
      for (const d of diagnostics) log(formatDiagnostic(d, positional[0]));
      if (steps !== undefined) experiment.training.steps = steps;
      // recorded with the run: its config.json is the experiment as overridden
      applyRuntime(experiment, runtime);
      const runDir = typeof flags['run-dir'] === 'string' ? path.resolve(flags['run-dir']) : newRunDir(path.resolve(String(flags.runs ?? 'runs')), experiment.name);
      // the checks and the lock first: a refused trainer writes nothing into the folder, not even its log
      preflight(experiment);
      const lock = acquireRunLock(runDir, 'train');
      teeLog(runDir);
      log(`run folder: ${runDir}`);
      const r = await runTraining(experiment, { runDir, resume: false, signal: stopSignal(), onEvent: eventSink(experiment.name, flags), log, lock });
      lock.release();
      return r.status === 'finished' ? 0 : r.status === 'stopped' ? 130 : 1;
    }
    case 'resume': {
      const runtime = runtimeFlags(flags);
      const runDir = path.resolve(positional[0]);
      const e = readRunExperiment(runDir);
      const changes = applyRuntime(e, runtime);
      preflight(e);
      const lock = acquireRunLock(runDir, 'resume');
      teeLog(runDir);
      log(`resuming ${runDir}`);
      // config.json keeps the runtime the run was started with; the log and the run-start event
      // (its device and deviceNote) record what this stretch of the run used
      if (changes.length) log(`runtime for this resume: ${changes.join(', ')}`);
      const r = await runTraining(e, { runDir, resume: true, signal: stopSignal(), onEvent: eventSink(e.name, flags), log, lock });
      lock.release();
      return r.status === 'finished' ? 0 : r.status === 'stopped' ? 130 : 1;
    }
    case 'eval': {
      const runDir = path.resolve(positional[0]);
      const e = readRunExperiment(runDir);
      const data = await openExperimentData(e, log);
      const s = await sessionFromCheckpoint(runDir, e);
      for (const es of data.evalSets) {
        const r = await evaluate(s, es.set, es, resolutionPlan(e).evalPatchSize);
        const line = { set: es.name, step: s.stepCount, examples: r.examples, metrics: r.metrics };
        process.stdout.write(flags.events ? JSON.stringify(line) + '\n' : `${es.name} (step ${s.stepCount}, ${r.examples} examples): ${Object.entries(r.metrics).map(([k, v]) => `${k} ${k.includes('classes') ? v : (v * 100).toFixed(2) + '%'}`).join(', ')}\n`);
      }
      await s.release();
      return 0;
    }
    case 'export': {
      const runDir = path.resolve(positional[0]);
      const e = readRunExperiment(runDir);
      const out = path.resolve(String(flags.out ?? path.join(runDir, RUN_FILES.models)));
      fs.mkdirSync(out, { recursive: true });
      const s = await sessionFromCheckpoint(runDir, e);
      const params = await s.getContiguousParameters();
      const tokenizer = JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.models, 'tokenizer.json'), 'utf8'));
      fs.writeFileSync(path.join(out, ENCODER_FILES.image), exportImageEncoder(e.model, params, resolutionPlan(e).evalPatchSize));
      fs.writeFileSync(path.join(out, ENCODER_FILES.text), exportTextEncoder(e.model, params, tokenizer));
      await writeStandardLayout(path.join(out, STANDARD_EXPORT_DIR), e.model, params, tokenizer, resolutionPlan(e).evalPatchSize);
      await s.release();
      log(`wrote ${path.join(out, ENCODER_FILES.image)} and ${ENCODER_FILES.text} (step ${s.stepCount}), and the standard layout (onnx/, tokenizer.json, config.json) in ${path.join(out, STANDARD_EXPORT_DIR)}`);
      return 0;
    }
    case 'precompute-reference': {
      const { experiment, diagnostics } = await loadExperiment(positional[0]);
      for (const d of diagnostics) log(formatDiagnostic(d, positional[0]));
      process.stdout.write(`${await precomputeReference(experiment, log)}\n`);
      return 0;
    }
    case 'compare': {
      const runs = positional.map((d) => {
        const r = readRun(path.resolve(d));
        return { name: r.info.name === path.basename(d) ? r.info.name : `${r.info.name} (${path.basename(d)})`, events: r.events };
      });
      const firstEval = runs[0].events.find((e) => e.type === 'eval');
      const set = typeof flags.set === 'string' ? flags.set : firstEval?.type === 'eval' ? firstEval.set : '';
      const metric = typeof flags.metric === 'string' ? flags.metric : 'zero-shot/top5';
      const target = flags.target !== undefined ? Number(flags.target) : undefined;
      if (target !== undefined && !Number.isFinite(target)) throw new UsageError(`--target must be a number, got ${String(flags.target)}`);
      process.stdout.write([formatComparison(compareRuns(runs, set, metric, target), metric), ...fixedModelLines(runs, set, metric)].join('\n') + '\n');
      return 0;
    }
    case 'validate': {
      const file = positional[0];
      const baseDir = path.dirname(path.resolve(file));
      const parsed = parseExperiment(fs.readFileSync(file, 'utf8'), file, { baseDir });
      const diagnostics = [...parsed.diagnostics];
      // the reference loads as one (its files exist: parseExperiment looked)
      const problem = diagnostics.some((d) => d.severity === 'error') ? undefined : experimentFilesProblem(resolveExperimentPaths(parsed.experiment, baseDir));
      if (problem) diagnostics.push({ severity: 'error', path: 'reference', message: problem, kind: 'rule', line: 1, column: 1, endLine: 1, endColumn: 2, offset: 0, length: 1 });
      for (const d of diagnostics) process.stdout.write(formatDiagnostic(d, file) + '\n');
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      process.stdout.write(`${file}: ${errors} error(s), ${diagnostics.length - errors} warning(s)\n`);
      return errors ? 1 : 0;
    }
  }
}

if (require.main === module) {
  surviveParentLoss();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`jest-studio: ${err.message}\n`);
      process.exit(1);
    },
  );
}

export { main };
