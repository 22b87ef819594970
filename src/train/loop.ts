// The training loop, flat like nanoGPT's: set the learning rate; evaluate and checkpoint when it
// is time; draw a super-batch; score it (learner and reference); select the sub-batch; take the
// step; log. Stop at the last step, on a NaN, or when asked (SIGINT/SIGTERM), with a checkpoint.
import * as path from 'node:path';
import { promises as fs, renameSync } from 'node:fs';
import type { Experiment } from '../config/experiment';
import { superBatchSize } from '../config/experiment';
import { BatchIterator, type BatchPosition } from '../data/cache/batches';
import { subBatch, type Batch } from '../data/cache/dataset';
import { writeContactSheet } from '../data/contactSheet';
import { flexiTrainOrder, resolutionPlan } from '../jest/flexi';
import { Ledger } from '../jest/ledger';
import { ENCODER_FILES, STANDARD_EXPORT_DIR } from '../jest/reference';
import { experimentFilesProblem } from './preflight';
import { writeStandardLayout } from '../model/export-standard';
import { openReferenceScorer } from '../jest/open-reference';
import { ReferenceScorer } from '../jest/reference-scorer';
import type { ScoreGraphSpec } from '../jest/score-graph';
import { SCORE_NEEDS } from '../jest/scores';
import { scoreSuperBatch, type SuperBatchScores } from '../jest/scoring';
import { independentSelect, jointSelect, randomSubBatchScore, subBatchScore } from '../jest/selection';
import { exportImageEncoder, exportTextEncoder } from '../model/export';
import { buildScoring, buildTrainStep } from '../model/graphs';
import { parameterCount } from '../model/layout';
import { hasAnyCheckpoint, loadRunCheckpoint, saveRunCheckpoint, type LoadedRunCheckpoint } from '../runs/checkpoints';
import { TrainingSession, type TrainBatch } from '../runtime/training-session';
import type { FlopLedger, RunEvent, SelectionStats } from '../runs/events';
import { ownIdentity } from '../runs/process-identity';
import { RUN_FILES, RunWriter } from '../runs/folder';
import { readStatus } from '../runs/reader';
import { removeStaleTemporaries } from '../util/temporaries';
import { acquireRunLock, type RunLock } from '../runs/lock';
import { DEFAULT_EXPERIMENT } from '../config/experiment';
import { DivergenceGuard } from './divergence';
import { Rng, type RngState } from '../util/rng';
import { evaluate } from './evaluate';
import { evaluateBaselines } from './baselines';
import { openExperimentData, type ExperimentData } from './inputs';
import { learningRate } from './schedule';

export const ENGINE_VERSION = '0.1.0';

export interface TrainOptions {
  /** The run folder: created for a new run, reopened to resume. */
  runDir: string;
  resume: boolean;
  /** Aborting it stops the run after the current step, with a checkpoint. */
  signal?: AbortSignal;
  /** Every event, as written to metrics.jsonl (the CLI prints them or forwards them over IPC). */
  onEvent?: (e: RunEvent) => void;
  /** Human-readable progress lines (data preparation, reference cache). */
  log?: (message: string) => void;
  /** Where prepared data and reference embeddings are cached. */
  cacheRoot?: string;
  /** The run folder's lock, when the caller took it already (the CLI does, before it logs into the folder). */
  lock?: RunLock;
}

export interface TrainResult {
  status: 'finished' | 'stopped' | 'failed';
  step: number;
  runDir: string;
  message?: string;
}

/** What a checkpoint carries besides the model: enough to continue bit for bit. */
interface ResumeExtra {
  position: BatchPosition | null;
  selectionRng: RngState;
  ledger: FlopLedger;
  /** The step whose evaluation was already logged (so a resume does not log it twice). */
  evaluatedAt: number | null;
  /** The divergence guard's reference, the run's first loss (absent in checkpoints from before it). */
  firstLoss?: number;
}

export class NonFiniteLossError extends Error {}

export async function runTraining(e: Experiment, opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? (() => undefined);
  // A reference that is not there fails now, before a run folder or any data exists. A caller that
  // took the lock itself (the CLI, before it logs into the folder) has checked already.
  if (!opts.lock) preflight(e);
  // one trainer per folder: a second `train` or `resume` of a live run is refused here, before it writes anything
  const lock = opts.lock ?? acquireRunLock(opts.runDir, opts.resume ? 'resume' : 'train');
  try {
    return await trainLocked(e, opts, log);
  } finally {
    if (!opts.lock) lock.release();
  }
}

async function trainLocked(e: Experiment, opts: TrainOptions, log: (m: string) => void): Promise<TrainResult> {
  // what a trainer killed mid-write left (the lock says nobody else writes here)
  for (const dir of [opts.runDir, path.join(opts.runDir, RUN_FILES.checkpoints)]) {
    const gone = removeStaleTemporaries(dir, true);
    if (gone.length) log(`removed ${gone.length} temporary file(s) an interrupted run left: ${gone.join(', ')}`);
  }
  const keep = e.checkpointKeep ?? DEFAULT_EXPERIMENT.checkpointKeep;
  const run = opts.resume ? RunWriter.reopen(opts.runDir) : RunWriter.create(opts.runDir, e.name, e, ENGINE_VERSION);
  // The checkpoint a resume continues from (the newest readable one), read before anything is
  // logged: the events an interrupted stretch wrote past it are dropped first.
  let resumeFrom: LoadedRunCheckpoint | null = null;
  if (opts.resume) {
    try {
      resumeFrom = await loadRunCheckpoint(run.dir, { model: e.model });
      const previous = readStatus(run.dir);
      if (resumeFrom && previous?.status === 'finished' && resumeFrom.checkpoint.state.step >= e.training.steps) {
        run.close();
        log(`${run.dir} already finished at step ${resumeFrom.checkpoint.state.step}: nothing to resume`);
        return { status: 'finished', step: resumeFrom.checkpoint.state.step, runDir: run.dir };
      }
      const extra = resumeFrom?.checkpoint.extra as unknown as ResumeExtra | undefined;
      const dropped = run.truncateToResumePoint(resumeFrom ? resumeFrom.checkpoint.state.step : null, extra?.evaluatedAt ?? null);
      if (opts.onEvent) run.onEvent(opts.onEvent);
      for (const s of resumeFrom?.skipped ?? []) {
        // kept for a look, but out of the checkpoint ring: the next checkpoint must not keep it as "the one before"
        renameSync(run.path(s.file), run.path(`${s.file}.corrupt`));
        run.emit({ type: 'log', level: 'warn', message: `${s.file} cannot be read (${s.reason}): resuming from ${resumeFrom!.file} instead (the unreadable file is kept as ${s.file}.corrupt)` });
      }
      if (!resumeFrom) {
        run.emit({ type: 'log', level: 'warn', message: `no checkpoint yet (the run stopped before its first): starting again from step 0 with the stored config` });
      } else if (dropped) {
        run.emit({ type: 'log', level: 'info', message: `resuming from step ${resumeFrom.checkpoint.state.step}: ${dropped} event(s) the interrupted run logged after that checkpoint are dropped (they are re-done)` });
      }
    } catch (err) {
      // nothing is trained or rewritten; the run folder stays as it was, with the reason
      run.close();
      throw err;
    }
  } else if (opts.onEvent) {
    run.onEvent(opts.onEvent);
  }
  const status = (s: 'starting' | 'running' | 'finished' | 'failed' | 'stopped', step: number, message?: string) => {
    // pid + start time: the identity a Stop from the editor checks before it signals (runs/process-identity.ts)
    run.setStatus({ status: s, step, totalSteps: e.training.steps, message, ...ownIdentity(), updatedAt: new Date().toISOString() });
    run.emit({ type: 'status', status: s, step, message });
  };

  let session: TrainingSession | null = null;
  let scorer: ReferenceScorer | null = null;
  let data: ExperimentData | null = null;
  let step = resumeFrom?.checkpoint.state.step ?? 0;
  /** The newest checkpoint on disk, for messages that say what is kept. */
  let checkpointed: { step: number; file: string } | null = resumeFrom ? { step, file: resumeFrom.file } : null;
  try {
    status('starting', step);
    // ---- inputs
    data = await openExperimentData(e, log, opts.cacheRoot);
    const pool = data.pool;
    await fs.writeFile(run.path(RUN_FILES.models, 'tokenizer.json'), JSON.stringify(pool.tokenizer.toJSON()));
    const b = e.training.batchSize;
    const B = superBatchSize(e);
    const plan = resolutionPlan(e);
    if (B > pool.size) throw new Error(`the super-batch (${B}) is larger than the training pool (${pool.size} examples): lower training.batchSize or selection.filterRatio, or use more data`);

    // ---- model and optimizer
    const selecting = e.selection.method !== 'uniform';
    // No spinning worker threads, for every method: JEST alternates scoring and training sessions,
    // whose spinning threads would fight for the cores, and uniform must run the same way so that
    // ms per step compares like with like (spinning made uniform's median step 10-20% faster on 2
    // cores, 6.83 -> 6.14 and 7.23 -> 5.67 ms, the mean within 5%: issue 24).
    const runtime = { ...e.runtime, spinning: false };
    session = await TrainingSession.create({ model: e.model, optimizer: e.optimizer, seed: e.training.seed, runtime });
    log(session.deviceNote);

    // ---- reference
    const needs = selecting ? SCORE_NEEDS[e.selection.score] : { learner: false, reference: false };
    // what the reference's opening says (its t' and b, its own decode) goes in the run's events too
    const logged = (m: string) => {
      log(m);
      run.emit({ type: 'log', level: 'info', message: m });
    };
    if (needs.reference) scorer = await openReferenceScorer(e, data, session.device, logged);

    // ---- resume
    const selectionRng = new Rng((e.training.seed ^ 0x5e1ec7) >>> 0);
    let position: BatchPosition | undefined;
    let ledger = new Ledger();
    let resumedFrom: number | null = null;
    let evaluatedAt: number | null = null;
    if (resumeFrom) {
      const ck = resumeFrom.checkpoint;
      await session.loadState(ck.state);
      const extra = ck.extra as unknown as ResumeExtra;
      position = extra.position ?? undefined;
      selectionRng.setState(extra.selectionRng);
      ledger = new Ledger(extra.ledger);
      evaluatedAt = extra.evaluatedAt;
      step = ck.state.step;
      resumedFrom = step;
      log(`resuming at step ${step} from ${resumeFrom.file}`);
    }
    // what the cached reference embeddings cost once, whether this run built them or found them
    ledger.referenceCache = scorer && e.reference?.cacheEmbeddings ? pool.size * scorer.reference.flopsPerExample : 0;

    const trainFlops = buildTrainStep(e.model, e.optimizer, plan.train).flops;
    // learnerScoring: the learner's forward pass over the super-batch at the scoring patch size and
    // its own B×B pair losses (one graph, buildScoring). referenceScoring: the reference's B×B pair
    // losses from its embeddings each step, plus its forward passes when they are not cached.
    // referenceCache: the cached embeddings' one-off pass over the pool.
    const scoringFlops = needs.learner ? buildScoring(e.model, B, plan.scoringPatchSize).flops : 0;
    const scoreSpec: ScoreGraphSpec | null = selecting
      ? { score: e.selection.score, superBatch: B, patchSize: plan.scoringPatchSize, referenceEmbedDim: scorer?.reference.embedDim ?? null }
      : null;
    run.emit({
      type: 'run-start',
      runId: run.info.id,
      name: e.name,
      device: session.device,
      deviceNote: session.deviceNote,
      parameters: parameterCount(session.layout),
      flopsPerStep: { train: trainFlops, learnerScoring: scoringFlops, referencePerExample: scorer?.reference.flopsPerExample ?? 0 },
      resumedFrom,
      totalSteps: e.training.steps,
      ...(scorer
        ? { reference: { description: scorer.reference.description, imageSize: scorer.reference.imageDecode.size, tPrime: scorer.reference.tPrime, bias: scorer.reference.bias, scaleSource: scorer.reference.scale.source, scaleDetail: scorer.reference.scale.detail } }
        : {}),
    });
    // the reference and pretrained baselines on the held-out sets, once (a resumed run has them)
    if (!resumeFrom) await evaluateBaselines(e, data, scorer?.reference ?? null, session.device, log, (ev) => run.emit(ev));
    status('running', step);

    const guard = new DivergenceGuard((resumeFrom?.checkpoint.extra as unknown as ResumeExtra | undefined)?.firstLoss);
    const iterator = new BatchIterator(pool, { batchSize: B, seed: e.training.seed, position, prefetch: 2 });
    const checkpoint = async (reason: 'periodic' | 'final' | 'signal') => {
      const extra: ResumeExtra = { position: iterator.position, selectionRng: selectionRng.state(), ledger: ledger.snapshot(), evaluatedAt, firstLoss: guard.firstLoss };
      const file = await saveRunCheckpoint(run.dir, { model: e.model, optimizer: e.optimizer, state: await session!.getState(), extra: extra as unknown as Record<string, unknown> }, keep);
      checkpointed = { step, file };
      run.emit({ type: 'checkpoint', step, file, reason });
    };

    const evaluateAll = async () => {
      for (const es of data!.evalSets) {
        const r = await evaluate(session!, es.set, es, plan.evalPatchSize);
        run.emit({ type: 'eval', step, flops: ledger.snapshot(), set: es.name, metrics: r.metrics, examples: r.examples });
      }
    };

    // the schedule's extra steps (dense where curves cross; ?? for configs stored before the field)
    const extraEvalSteps = new Set(e.evaluation.steps ?? []);
    // ---- the loop
    for (;;) {
      if ((step % e.evaluation.every === 0 || extraEvalSteps.has(step) || step === e.training.steps) && evaluatedAt !== step) {
        await evaluateAll();
        evaluatedAt = step;
      }
      if (step === e.training.steps) break;
      if (opts.signal?.aborted) {
        await checkpoint('signal');
        status('stopped', step, 'stopped on request; resume to continue');
        return { status: 'stopped', step, runDir: run.dir };
      }

      const t0 = performance.now();
      const lr = learningRate(e.optimizer, step, e.training.steps);
      const next = await iterator.next();
      if (next.done) throw new Error('the batch iterator ended: it should cycle over epochs');
      const superBatch = next.value;
      const tData = performance.now();

      // score and select
      let selected: Int32Array;
      let stats: SelectionStats | undefined;
      let scored: SuperBatchScores | null = null;
      if (selecting) {
        const ref = needs.reference ? await scorer!.embeddingsFor(superBatch) : null;
        const snapshotNow = e.snapshotEvery > 0 && step % e.snapshotEvery === 0;
        scored = await scoreSuperBatch(session, e.model, { ...scoreSpec!, withMatrix: snapshotNow }, needs.learner ? superBatch : null, ref);
        if (needs.learner) ledger.learnerScoring += scoringFlops;
        if (ref) ledger.referenceScoring += ref.flops;
      }
      const tScore = performance.now();
      if (scored) {
        const sel = e.selection;
        let batchScore: number;
        if (sel.method === 'jest') {
          const j = jointSelect(scored.pairs, b, { chunks: sel.chunks, temperature: sel.temperature }, selectionRng);
          [selected, batchScore] = [j.indices, j.score];
        } else {
          selected = independentSelect(scored.pairs, b, { mode: sel.independentMode, perExample: sel.independentScore ?? 'diagonal', temperature: sel.temperature }, selectionRng);
          batchScore = subBatchScore(scored.pairs, selected);
        }
        stats = selectionStats(e, scored, B, selected, batchScore, superBatch, pool.examples);
        if (scored.matrix) await writeSnapshot(run, step, superBatch, selected, scored, pool);
      } else {
        selected = Int32Array.from({ length: b }, (_, i) => i);
      }
      const tSelect = performance.now();

      // the step
      // Flexi-JEST: which examples train at which patch size, independent of the order they were drawn in
      const batch = toTrainBatch(subBatch(superBatch, flexiTrainOrder(selected, plan.train.length, e.training.seed, step)), plan.train, e.model.imageSize);
      const result = await session.runTrainStep(batch, lr);
      ledger.train += trainFlops;
      if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
        // A non-finite gradient poisons the AdamW state even when the loss is still finite.
        throw new NonFiniteLossError(
          `the loss became ${Number.isFinite(result.loss) ? `non-finite in its gradient (loss ${result.loss})` : result.loss} at step ${step + 1} (lr ${lr.toExponential(2)}, gradient norm ${result.gradNorm}). ` +
            `${keptCheckpoint(checkpointed)} ${divergenceFixes(e)}`,
        );
      }
      const spike = guard.observe(result.loss, step + 1);
      if (spike) throw new NonFiniteLossError(`training diverged: ${spike} (lr ${lr.toExponential(2)}, gradient norm ${result.gradNorm.toPrecision(3)}). ${keptCheckpoint(checkpointed)} ${divergenceFixes(e)}`);
      step = result.step;
      const tEnd = performance.now();
      run.emit({
        type: 'step',
        step,
        loss: result.loss,
        lr,
        gradNorm: result.gradNorm,
        flops: ledger.snapshot(),
        ms: { total: tEnd - t0, data: tData - t0, scoring: tScore - tData, selection: tSelect - tScore, train: tEnd - tSelect },
        examplesPerSecond: (b * 1000) / (tEnd - t0),
        selection: stats,
      });
      if (step % e.checkpointEvery === 0 && step < e.training.steps) await checkpoint('periodic');
    }

    await checkpoint('final');
    const params = await session.getContiguousParameters();
    const models = run.path(RUN_FILES.models);
    await fs.writeFile(path.join(models, ENCODER_FILES.image), exportImageEncoder(e.model, params, plan.evalPatchSize));
    await fs.writeFile(path.join(models, ENCODER_FILES.text), exportTextEncoder(e.model, params, pool.tokenizer.toJSON()));
    await writeStandardLayout(path.join(models, STANDARD_EXPORT_DIR), e.model, params, pool.tokenizer.toJSON(), plan.evalPatchSize);
    status('finished', step);
    return { status: 'finished', step, runDir: run.dir };
  } catch (err) {
    const message = withDiskHint(err);
    // Best effort: the failure may be the disk itself (full). Readers that find status.json still
    // "running" with its process gone show the run as died.
    try {
      run.emit({ type: 'log', level: 'error', message });
    } catch {
      // metrics.jsonl cannot take it (so no event listener hears it): say it on the log, status.json may take it
      log(`${e.name}: error: ${message}`);
    }
    try {
      status('failed', step, message);
    } catch {
      try {
        run.setStatusInPlace({ status: 'failed', step, totalSteps: e.training.steps, message, ...ownIdentity(), updatedAt: new Date().toISOString() });
      } catch {
        // nothing more can be written: readers show a "running" status whose process is gone as died
      }
    }
    return { status: 'failed', step, runDir: run.dir, message };
  } finally {
    await scorer?.release();
    await session?.release();
    data?.pool.close();
    data?.evalSets.forEach((s) => s.set.close());
    run.close();
  }
}

/** What must hold before a run writes anything: the files the experiment names load as what they should (preflight.ts). */
export function preflight(e: Experiment): void {
  const problem = experimentFilesProblem(e);
  if (problem) throw new Error(problem);
}

/**
 * The failure's message, on one line. A full disk can stop a run in any write (a snapshot's PNG from sharp, a tokenizer file); the ones
 * the run folder makes say what to do already, and the rest get the same hint.
 */
function withDiskHint(err: unknown): string {
  // one line: libvips (sharp) puts its cause on a second line of the message; whatever was thrown
  const m = String((err as Error | undefined)?.message ?? err).trim().replace(/\s*\n\s*/g, ': ');
  const full = (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || /ENOSPC|no space left on device/i.test(m);
  return full && !/disk is full|free space/.test(m) ? `${m} (the disk is full: free some space, then resume the run)` : m;
}

/**
 * What a diverged run leaves, stated only as far as it is known: the last checkpoint and where it
 * is (after a fallback, an older file than latest.ckpt), or that there is none. Not "good": the
 * loss may have been climbing already when it was written. No resume hint: resuming with the same
 * settings would diverge again.
 */
function keptCheckpoint(kept: { step: number; file: string } | null): string {
  return kept === null ? 'No checkpoint was written yet.' : `The last checkpoint (step ${kept.step}) is kept in ${kept.file}.`;
}

/** The settings that tame a diverging run, with their values now; clipNorm only where it is off. */
function divergenceFixes(e: Experiment): string {
  const o = e.optimizer;
  const fixes = [`lower optimizer.lr (now ${o.lr})`, `raise optimizer.warmupSteps (now ${o.warmupSteps})`];
  if (!(o.clipNorm > 0)) fixes.push('set optimizer.clipNorm (e.g. 1; now off)');
  return `Fix: ${fixes.join(', ')}, then start a new run (resuming would continue with the same settings).`;
}

function toTrainBatch(batch: Batch, groups: { patchSize: number; count: number }[], imageSize: number): TrainBatch {
  const row = imageSize * imageSize * 3;
  let start = 0;
  const images = groups.map((g) => {
    const pixels = batch.pixels.subarray(start * row, (start + g.count) * row);
    start += g.count;
    return { patchSize: g.patchSize, pixels };
  });
  return { images, tokens: batch.tokens };
}

function diagMean(d: Float32Array, idx: Int32Array): number {
  let s = 0;
  for (const i of idx) s += d[i];
  return s / idx.length;
}

function selectionStats(
  e: Experiment,
  scored: SuperBatchScores,
  B: number,
  selected: Int32Array,
  batchScore: number,
  superBatch: Batch,
  examples: readonly { noise?: string }[],
): SelectionStats {
  const b = selected.length;
  let noisy = 0;
  let tagged = false;
  for (const i of selected) {
    const tag = examples[superBatch.indices[i]].noise;
    if (tag !== undefined) tagged = true;
    if (tag !== undefined && tag !== 'clean') noisy++;
  }
  return {
    method: e.selection.method,
    score: e.selection.score,
    superBatch: B,
    selected: b,
    selectedScore: batchScore / b,
    randomScore: randomSubBatchScore(scored.total, scored.trace, B, b) / b,
    selectedLearnerLoss: scored.learnerDiag ? diagMean(scored.learnerDiag, selected) : undefined,
    selectedReferenceLoss: scored.referenceDiag ? diagMean(scored.referenceDiag, selected) : undefined,
    selectedNoisy: tagged ? noisy : undefined,
  };
}

/** The batch inspector's input: who was in the super-batch, their scores, and who was chosen. */
async function writeSnapshot(
  run: RunWriter,
  step: number,
  superBatch: Batch,
  selected: Int32Array,
  scored: SuperBatchScores,
  pool: ExperimentData['pool'],
): Promise<void> {
  const B = superBatch.indices.length;
  const S = scored.matrix!;
  const order = new Map(Array.from(selected, (i, k) => [i, k]));
  const name = `step-${String(step).padStart(6, '0')}`;
  const chosen = new Set(selected);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const rows = Array.from(superBatch.indices, (r, i) => ({
    row: r,
    id: superBatch.ids[i],
    caption: superBatch.captions[i],
    label: superBatch.labels[i],
    noise: pool.examples[r].noise,
    learnerLoss: scored.learnerDiag ? round(scored.learnerDiag[i]) : null,
    referenceLoss: scored.referenceDiag ? round(scored.referenceDiag[i]) : null,
    score: round(S[i * B + i]),
    selected: chosen.has(i),
    /** Position in the selection order (joint selection draws chunk by chunk), or -1. */
    order: order.get(i) ?? -1,
  }));
  const sub = Array.from(selected, (i) => Array.from(selected, (j) => round(S[i * B + j])));
  const file = path.join(RUN_FILES.batches, `${name}.json`);
  const sheet = path.join(RUN_FILES.batches, `${name}.png`);
  const columns = 16;
  try {
    await writeContactSheet(pool, run.path(sheet), Array.from(superBatch.indices), columns, 1);
    await fs.writeFile(
      run.path(file),
      JSON.stringify({ step, pool: pool.dir, imageSize: pool.imageSize, sheet: { file: path.basename(sheet), columns, cell: pool.imageSize }, rows, selectedScores: sub }),
    );
  } catch (e) {
    // name the file: fs's own message does not (a full disk is said by withDiskHint)
    throw Object.assign(new Error(`could not write the selection snapshot ${run.path(file)}: ${(e as Error).message}`), { code: (e as NodeJS.ErrnoException).code });
  }
  run.emit({ type: 'snapshot', step, file });
}
