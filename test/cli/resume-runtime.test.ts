// `resume --device D --threads N`: resuming on other hardware is legitimate (the extension passes
// its device and threads settings to resume as to train), so resume takes both and uses them,
// continuing from the checkpoint; they were once accepted and silently ignored.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parseEvent, type RunEvent } from '../../src/runs/events';
import { trainUntilSigint } from '../helpers/interrupted-train';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../src/cli.js');

// started on "auto" with 2 threads: `resume --device cpu --threads 1` must change both
const EXPERIMENT = JSON.stringify({
  name: 'resume-runtime',
  data: { train: { kind: 'synthetic', n: 400, seed: 1 }, curated: null, eval: [] },
  model: { imageSize: 16, patchSizes: [4, 8], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 },
  training: { batchSize: 16, steps: 300, seed: 3 },
  optimizer: { warmupSteps: 2 },
  selection: { method: 'uniform' },
  reference: null,
  runtime: { device: 'auto', threads: 2 },
  evaluation: { every: 1000 },
  snapshotEvery: 0,
  checkpointEvery: 1000,
});

const events = (text: string) => text.split('\n').map(parseEvent).filter((e): e is RunEvent => e !== null);

test('resume --device cpu --threads 1 resumes from the checkpoint on the CPU with 1 thread, and says so', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jest-cli-resume-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'r.jest.json');
  await fs.writeFile(file, EXPERIMENT);
  const env = { ...process.env, JEST_STUDIO_CACHE: path.join(dir, 'cache') };
  const runDir = path.join(dir, 'run');

  // a stopped run with a checkpoint (SIGINT after step 3)
  const { code, out } = await trainUntilSigint(file, runDir, 3, { env, cwd: dir });
  assert.equal(code, 130);
  const stoppedAt = JSON.parse(await fs.readFile(path.join(runDir, 'status.json'), 'utf8')).step as number;
  assert.ok(stoppedAt >= 3 && stoppedAt < 300, `stopped at ${stoppedAt}`);
  const firstStart = events(out).find((e) => e.type === 'run-start');
  assert.ok(firstStart?.type === 'run-start' && firstStart.deviceNote.startsWith('auto: '), 'the run started on auto');

  // a bad value is refused before the run folder is touched
  const logBefore = await fs.readFile(path.join(runDir, 'log.txt'), 'utf8');
  await assert.rejects(run(process.execPath, [CLI, 'resume', runDir, '--device', 'gpu'], { env, cwd: dir }), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /--device must be one of auto, cpu, cuda, webgpu, got gpu/);
    return true;
  });
  assert.equal(await fs.readFile(path.join(runDir, 'log.txt'), 'utf8'), logBefore);

  const resumed = await run(process.execPath, [CLI, 'resume', runDir, '--device', 'cpu', '--threads', '1', '--events'], { env, cwd: dir });
  const start = events(resumed.stdout).find((e) => e.type === 'run-start');
  assert.ok(start?.type === 'run-start');
  assert.equal(start.resumedFrom, stoppedAt, 'it continues from the checkpoint');
  assert.equal(start.device, 'cpu');
  assert.equal(start.deviceNote, 'using cpu', 'the device asked for, not "auto"');
  assert.match(resumed.stderr, /runtime for this resume: device cpu \(was auto\), threads 1 \(was 2\)/);
  assert.match(resumed.stderr, /finished at step 300/);
  const log = await fs.readFile(path.join(runDir, 'log.txt'), 'utf8');
  assert.match(log, /runtime for this resume: device cpu \(was auto\), threads 1 \(was 2\)/, 'the run folder\'s log records the override');
  // config.json stays the experiment as started; the override is this resume's
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(runDir, 'config.json'), 'utf8')).runtime, { device: 'auto', threads: 2 });
});
