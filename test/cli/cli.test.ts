// The command line as a user runs it: an experiment FILE (JSONC) trained by `jest-studio train`
// in a child process with a machine-readable event stream, then eval, export and compare.
import assert from 'node:assert/strict';
import { execFile, fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { parseEvent } from '../../src/runs/events';
import { trainUntilSigint } from '../helpers/interrupted-train';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../src/cli.js');

const EXPERIMENT = `// a tiny uniform run on synthetic shapes
{
  "name": "cli-smoke",
  "data": {
    "train": { "kind": "synthetic", "n": 400, "seed": 1 },
    "curated": null,
    "eval": [{ "name": "shapes", "source": { "kind": "synthetic", "n": 64, "seed": 9 }, "tasks": ["zero-shot", "retrieval"] }],
  },
  "model": { "imageSize": 16, "patchSizes": [4, 8], "width": 32, "depth": 1, "heads": 2, "mlpRatio": 2, "embedDim": 16, "vocabSize": 64, "seqLen": 4 },
  "training": { "batchSize": 16, "steps": 12, "seed": 3 },
  "optimizer": { "warmupSteps": 2 },
  "selection": { "method": "uniform" },
  "reference": null,
  "runtime": { "device": "cpu", "threads": 1 },
  "evaluation": { "every": 6 },
  "snapshotEvery": 0,
  "checkpointEvery": 6,
}
`;

test('train an experiment file, stream events, then eval, export and compare', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jest-cli-'));
  const file = path.join(dir, 'smoke.jest.json');
  await fs.writeFile(file, EXPERIMENT);
  const env = { ...process.env, JEST_STUDIO_CACHE: path.join(dir, 'cache') };
  const runDir = path.join(dir, 'runs', 'smoke');

  const train = await run(process.execPath, [CLI, 'train', file, '--run-dir', runDir, '--events'], { env, cwd: dir });
  const events = train.stdout.split('\n').map(parseEvent).filter((e) => e !== null);
  assert.equal(events.filter((e) => e!.type === 'step').length, 12);
  assert.deepEqual(events.filter((e) => e!.type === 'eval').map((e) => e!.type === 'eval' && e!.step), [0, 6, 12]);
  assert.equal(events.at(-1)!.type, 'status');
  assert.match(train.stderr, /cli-smoke .*12\/12/); // the progress bar
  // the stream is the run folder's metrics.jsonl, line for line
  const onDisk = (await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(onDisk.length, events.length);

  const ev = await run(process.execPath, [CLI, 'eval', runDir], { env, cwd: dir });
  assert.match(ev.stdout, /shapes \(step 12, 64 examples\): zero-shot\/top1 [\d.]+%/);

  const out = path.join(dir, 'exported');
  await run(process.execPath, [CLI, 'export', runDir, '--out', out], { env, cwd: dir });
  const img = await ort.InferenceSession.create(path.join(out, 'image_encoder.onnx'));
  const r = await img.run({ images: new ort.Tensor('uint8', new Uint8Array(3 * 16 * 16 * 3), [3, 16, 16, 3]) });
  assert.deepEqual(r.embeddings.dims, [3, 16]);

  const cmp = await run(process.execPath, [CLI, 'compare', runDir, runDir, '--metric', 'i2t/r1'], { env, cwd: dir });
  assert.match(cmp.stdout, /target: i2t\/r1 >= [\d.]+%/);
  assert.equal(cmp.stdout.split('\n').filter((l) => l.startsWith('cli-smoke')).length, 2);
});

test('a broken experiment file fails with file:line:col and the field', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jest-cli-'));
  const file = path.join(dir, 'bad.jest.json');
  await fs.writeFile(file, EXPERIMENT.replace('"batchSize": 16', '"batchSize": "16"'));
  await assert.rejects(run(process.execPath, [CLI, 'train', file], { cwd: dir }), (e: { stderr: string; code: number }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /bad\.jest\.json:\d+:\d+: training\.batchSize: /);
    return true;
  });
});

test('SIGINT stops a run after the current step with a checkpoint; resume finishes it', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jest-cli-'));
  const file = path.join(dir, 'long.jest.json');
  await fs.writeFile(file, EXPERIMENT.replace('"steps": 12', '"steps": 400').replace('"checkpointEvery": 6', '"checkpointEvery": 1000'));
  const env = { ...process.env, JEST_STUDIO_CACHE: path.join(dir, 'cache') };
  const runDir = path.join(dir, 'run');
  const { code, out } = await trainUntilSigint(file, runDir, 5, { env, cwd: dir });
  assert.equal(code, 130, 'a stopped run exits with 130');
  const status = JSON.parse(await fs.readFile(path.join(runDir, 'status.json'), 'utf8'));
  assert.equal(status.status, 'stopped');
  assert.ok(status.step >= 5 && status.step < 400);
  const lines = out.trim().split('\n').map(parseEvent);
  assert.ok(lines.some((e) => e?.type === 'checkpoint' && e.reason === 'signal'));
  const resumed = await run(process.execPath, [CLI, 'resume', runDir], { env, cwd: dir });
  assert.match(resumed.stderr, /finished at step 400/);
});

test('a run outlives the window that started it: IPC and pipes close, training goes on to the end, log.txt keeps the log', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jest-cli-'));
  const file = path.join(dir, 'detached.jest.json');
  await fs.writeFile(file, EXPERIMENT.replace('"steps": 12', '"steps": 150').replace('"checkpointEvery": 6', '"checkpointEvery": 1000'));
  const runDir = path.join(dir, 'run');
  // what extension/runs/manager.ts does: fork with an IPC channel and piped stdout/stderr, detached
  const child = fork(CLI, ['train', file, '--run-dir', runDir], {
    cwd: dir,
    env: { ...process.env, JEST_STUDIO_CACHE: path.join(dir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const pid = child.pid!;
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { event?: { type?: string; step?: number } }) => {
      if (m.event?.type === 'step' && (m.event.step ?? 0) >= 3) resolve();
    });
    child.on('exit', (c) => reject(new Error(`the run ended (code ${c}) before the window "closed"`)));
  });
  // the window goes away: the channel and the read ends of both pipes close
  child.removeAllListeners('exit');
  child.disconnect();
  child.stdout!.destroy();
  child.stderr!.destroy();
  child.unref();
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 1200 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(), false, 'the run did not end within 120 s');
  const status = JSON.parse(await fs.readFile(path.join(runDir, 'status.json'), 'utf8'));
  assert.equal(status.status, 'finished', `the run ended as ${status.status}: ${status.message ?? ''}`);
  assert.equal(status.step, 150);
  const log = await fs.readFile(path.join(runDir, 'log.txt'), 'utf8');
  assert.match(log, /the window that started this run closed: the run goes on/);
  assert.match(log, /finished at step 150/);
  await fs.rm(dir, { recursive: true, force: true });
});
