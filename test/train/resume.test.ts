// A run stopped at step k and resumed produces the same metrics, bit for bit, as one run straight
// through (JEST selection, cached reference, snapshots and checkpoints all in play), also from the
// checkpoint before a corrupt latest and from step 0 with no checkpoint. A NaN loss stops the run
// with a message naming the checkpoint it keeps.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint } from '../../src/runtime/checkpoint';
import { readRun } from '../../src/runs/reader';
import { runTraining } from '../../src/train/loop';
import { comparable } from '../helpers/comparable';
import { experiment, tempRoot } from './helpers';

test('stop at step k, resume: the same metrics bit for bit as a straight run', async () => {
  const root = await tempRoot('resume');
  const cacheRoot = path.join(root, 'cache');
  const refExp = experiment({ name: 'reference' });
  refExp.data.train = refExp.data.curated!;
  refExp.training.steps = 60;
  await runTraining(refExp, { runDir: path.join(root, 'ref'), resume: false, cacheRoot });

  const e = experiment({ name: 'jest' });
  e.training.steps = 60;
  e.evaluation.every = 20;
  e.snapshotEvery = 10;
  e.checkpointEvery = 20;
  e.selection = { ...e.selection, method: 'jest', score: 'learnability', filterRatio: 0.8, chunks: 8 };
  e.reference = { run: path.join(root, 'ref'), encoders: null, folder: null, logitScale: null, logitBias: null, cacheEmbeddings: true };

  const straight = await runTraining(e, { runDir: path.join(root, 'straight'), resume: false, cacheRoot });
  assert.equal(straight.status, 'finished', straight.message);

  const stop = new AbortController();
  const first = await runTraining(e, {
    runDir: path.join(root, 'stopped'),
    resume: false,
    cacheRoot,
    signal: stop.signal,
    onEvent: (ev) => {
      if (ev.type === 'step' && ev.step === 27) stop.abort();
    },
  });
  assert.equal(first.status, 'stopped');
  assert.equal(first.step, 27);
  assert.equal(readRun(first.runDir).status?.status, 'stopped');
  const resumed = await runTraining(e, { runDir: path.join(root, 'stopped'), resume: true, cacheRoot });
  assert.equal(resumed.status, 'finished', resumed.message);

  const a = comparable(readRun(straight.runDir).events);
  const b = comparable(readRun(resumed.runDir).events);
  assert.equal(a.length, b.length);
  assert.deepEqual(b, a);
  // the resumed run finished with exported encoders, like the straight one
  assert.ok(fs.existsSync(path.join(resumed.runDir, 'models', 'image_encoder.onnx')));
});

/** A run at lr 1e38: its loss turns NaN within a few steps. */
async function nanRun(clipNorm: number, checkpointEvery: number) {
  const root = await tempRoot('nan');
  const e = experiment({ name: 'diverge' });
  e.data.train = e.data.curated!;
  e.data.eval = [];
  e.training.steps = 200;
  e.optimizer = { ...e.optimizer, lr: 1e38, warmupSteps: 0, schedule: 'constant', clipNorm };
  e.checkpointEvery = checkpointEvery;
  return runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
}

test('a NaN loss stops the run with a clear message naming the last checkpoint, which holds finite parameters', async () => {
  const r = await nanRun(0, 1);
  assert.equal(r.status, 'failed');
  assert.match(r.message!, /the loss became (NaN|-?Infinity|non-finite in its gradient \(loss [^)]*\)) at step \d+ .* The last checkpoint \(step (\d+)\) is kept in checkpoints\/latest\.ckpt\. Fix: lower optimizer\.lr \(now 1e\+38\), raise optimizer\.warmupSteps \(now 0\), set optimizer\.clipNorm/);
  const ck = await loadCheckpoint(path.join(r.runDir, 'checkpoints', 'latest.ckpt'));
  assert.ok(ck.state.step < r.step + 1);
  assert.equal(Number(/\(step (\d+)\) is kept/.exec(r.message!)![1]), ck.state.step, 'the message names the step the kept checkpoint holds');
  assert.ok(ck.state.params.decay.every(Number.isFinite), 'the kept checkpoint holds finite parameters');
  assert.equal(readRun(r.runDir).status?.status, 'failed');
});

test('a NaN before the first checkpoint says none was written and suggests no resume; clipNorm is not suggested when it is set', async () => {
  const r = await nanRun(1, 150);
  assert.equal(r.status, 'failed');
  assert.match(r.message!, /No checkpoint was written yet\. Fix: /);
  assert.doesNotMatch(r.message!, /last checkpoint|resume/, 'no checkpoint is claimed, and no resume suggested (it would diverge again)');
  assert.doesNotMatch(r.message!, /clipNorm/, 'clipNorm is already set: the message must not suggest it');
  assert.equal(fs.existsSync(path.join(r.runDir, 'checkpoints', 'latest.ckpt')), false);
});

/** A run straight through, the one each resume is compared with, and the folder and cache for the rest. */
async function straightRun(name: string, shape: { steps: number; every: number; checkpointEvery: number; checkpointKeep?: number }) {
  const root = await tempRoot(name);
  const cacheRoot = path.join(root, 'cache');
  const e = experiment({ name });
  e.training.steps = shape.steps;
  e.evaluation.every = shape.every;
  e.checkpointEvery = shape.checkpointEvery;
  if (shape.checkpointKeep !== undefined) e.checkpointKeep = shape.checkpointKeep;
  const straight = await runTraining(e, { runDir: path.join(root, 'straight'), resume: false, cacheRoot });
  return { root, cacheRoot, e, straight };
}

test('a run whose latest checkpoint is corrupt resumes from the one before it, dropping the events logged after that one: the same metrics as a straight run', async () => {
  const { root, cacheRoot, e, straight } = await straightRun('fallback', { steps: 50, every: 20, checkpointEvery: 20, checkpointKeep: 2 });
  assert.equal(straight.status, 'finished', straight.message);

  // stopped at 27 with a checkpoint of 27; the one of step 20 is kept beside it
  const stop = new AbortController();
  const dir = path.join(root, 'broken');
  const first = await runTraining(e, { runDir: dir, resume: false, cacheRoot, signal: stop.signal, onEvent: (ev) => ev.type === 'step' && ev.step === 27 && stop.abort() });
  assert.equal(first.status, 'stopped');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoints')).sort(), ['latest.ckpt', 'step-000020.ckpt']);
  // the latest reads back corrupt, and the last line of metrics.jsonl is torn
  const latest = path.join(dir, 'checkpoints', 'latest.ckpt');
  const bytes = fs.readFileSync(latest);
  bytes[bytes.length - 5] ^= 0xff;
  fs.writeFileSync(latest, bytes);
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"v":1,"time":1,"type":"step","step":28,"lo');

  const resumed = await runTraining(e, { runDir: dir, resume: true, cacheRoot });
  assert.equal(resumed.status, 'finished', resumed.message);
  const events = readRun(dir).events;
  assert.deepEqual(comparable(events), comparable(readRun(straight.runDir).events), 'steps 21-27 are in the history once, from the resume');
  const warn = events.find((x) => x.type === 'log' && x.level === 'warn');
  assert.match(warn?.type === 'log' ? warn.message : '', /checkpoints\/latest\.ckpt cannot be read \(.*checksum.*\): resuming from checkpoints\/step-000020\.ckpt instead/);
  const text = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
  assert.ok(text.endsWith('\n') && text.split('\n').slice(0, -1).every((l) => JSON.parse(l)), 'every line is whole');
  // two checkpoints are kept at the end too: the final one and the one before it
  assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoints')).sort(), ['latest.ckpt', 'latest.ckpt.corrupt', 'step-000040.ckpt']);
});

test('a run that died before its first checkpoint resumes from step 0 with its stored config, its earlier events dropped', async () => {
  const { root, cacheRoot, e, straight } = await straightRun('restart', { steps: 30, every: 10, checkpointEvery: 1000 });
  // what a kill -9 at step 12 leaves: events up to there, status "running", no checkpoint
  const dir = path.join(root, 'died');
  fs.cpSync(straight.runDir, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'checkpoints'), { recursive: true });
  const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n');
  const upTo = lines.findIndex((l) => l.includes('"type":"step","step":12,'));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.slice(0, upTo + 1).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'running', step: 12, totalSteps: 30, pid: 999999, started: 'linux:x:1', updatedAt: '' }));

  const resumed = await runTraining(e, { runDir: dir, resume: true, cacheRoot });
  assert.equal(resumed.status, 'finished', resumed.message);
  assert.deepEqual(comparable(readRun(dir).events), comparable(readRun(straight.runDir).events));
  const note = readRun(dir).events.find((x) => x.type === 'log');
  assert.match(note?.type === 'log' ? note.message : '', /no checkpoint yet .* starting again from step 0 with the stored config/);
});

test('resuming a finished run changes nothing: no checkpoint rewritten, nothing logged', async () => {
  const root = await tempRoot('finished');
  const e = experiment({ name: 'done' });
  e.training.steps = 10;
  e.data.eval = [];
  const r = await runTraining(e, { runDir: path.join(root, 'run'), resume: false, cacheRoot: path.join(root, 'cache') });
  const before = fs.readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8');
  const mtime = fs.statSync(path.join(r.runDir, 'checkpoints', 'latest.ckpt')).mtimeMs;
  const again = await runTraining(e, { runDir: r.runDir, resume: true, cacheRoot: path.join(root, 'cache') });
  assert.equal(again.status, 'finished');
  assert.equal(again.step, 10);
  assert.equal(fs.readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8'), before);
  assert.equal(fs.statSync(path.join(r.runDir, 'checkpoints', 'latest.ckpt')).mtimeMs, mtime);
});
