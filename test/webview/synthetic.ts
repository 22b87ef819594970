// Synthetic dashboard data, generated INSIDE the page (page.evaluate) so a million points do not
// cross the test's wire: only the parameters do. Shapes follow a real run: a decaying noisy loss,
// learnability above random, throughput with jitter, evaluations every `evalEvery` steps.
// Exported as a string-free function so it can be handed to page.evaluate as is; it must stay
// self-contained (no imports, no closures).

export interface SyntheticSpec {
  runs: number;
  steps: number;
  evalEvery: number;
}

/** Runs in the page: installs window.__jestSynth (state builder) and window.__jestDelta (one-row deltas). */
export function installSynthetic(): void {
  const STEP_KEYS = ['loss', 'lr', 'gradNorm', 'examplesPerSecond', 'ms.total', 'ms.data', 'ms.scoring', 'ms.selection', 'ms.train', 'selection.selectedScore', 'selection.randomScore', 'selection.noisyFraction', 'selection.learnerLoss', 'selection.referenceLoss'];
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const row = (r: number, s: number): Record<string, number> => {
    const loss = 2.5 * Math.exp(-s / 4000) + 0.3 + 0.15 * (rand() - 0.5) + 0.05 * r;
    const ms = 40 + 10 * rand();
    return {
      loss,
      lr: 1e-3,
      gradNorm: 1 + rand(),
      examplesPerSecond: 64000 / ms,
      'ms.total': ms,
      'ms.data': 5 + rand(),
      'ms.scoring': 12 + rand(),
      'ms.selection': 3 + rand(),
      'ms.train': 20 + rand(),
      'selection.selectedScore': 0.8 * Math.exp(-s / 6000) + 0.2 + 0.05 * rand(),
      'selection.randomScore': 0.1 + 0.05 * rand(),
      'selection.noisyFraction': 0.05 + 0.05 * rand(),
      'selection.learnerLoss': loss * 1.2,
      'selection.referenceLoss': loss * 0.7,
    };
  };
  const flopsPer = 3e9;
  const table = (r: number, from: number, to: number) => {
    const n = to - from;
    const step = new Float64Array(n);
    const flops = new Float64Array(n);
    const columns: Record<string, Float64Array> = {};
    for (const k of STEP_KEYS) columns[k] = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = from + i + 1;
      step[i] = s;
      flops[i] = s * flopsPer * (1 + 0.1 * r);
      const v = row(r, s);
      for (const k of STEP_KEYS) columns[k][i] = v[k];
    }
    return { step, flops, columns };
  };
  const evals = (r: number, steps: number, every: number) => {
    const n = Math.floor(steps / every);
    const step = new Float64Array(n);
    const flops = new Float64Array(n);
    const top1 = new Float64Array(n);
    const top5 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = (i + 1) * every;
      step[i] = s;
      flops[i] = s * flopsPer * (1 + 0.1 * r);
      top1[i] = 0.6 * (1 - Math.exp(-s / 5000)) - 0.03 * r;
      top5[i] = Math.min(1, top1[i] * 1.5);
    }
    return { step, flops, columns: { 'held-out/zero-shot/top1': top1, 'held-out/zero-shot/top5': top5 } };
  };
  const w = window as unknown as Record<string, unknown>;
  w.__jestSynth = (spec: { runs: number; steps: number; evalEvery: number }) => {
    const runs = [];
    for (let r = 0; r < spec.runs; r++) {
      runs.push({ dir: `/runs/synthetic-${r}`, id: `synthetic-run-${r}`, name: `synthetic ${r}`, status: 'running', steps: table(r, 0, spec.steps), evals: evals(r, spec.steps, spec.evalEvery) });
    }
    const available = runs.map((x) => ({ dir: x.dir, name: x.name, status: x.status, step: spec.steps, totalSteps: spec.steps * 2, live: true }));
    return { method: 'dashboard/state/didChange', params: { runs, available, experiment: null, comparison: null } };
  };
  w.__jestDelta = (r: number, fromStep: number, rows: number) => ({
    method: 'dashboard/metrics/didAppend',
    params: { runs: [{ dir: `/runs/synthetic-${r}`, status: 'running', steps: table(r, fromStep, fromStep + rows), evals: { step: new Float64Array(0), flops: new Float64Array(0), columns: {} } }] },
  });
  /** Post a message and resolve with the ms until the page has drawn a step >= `untilStep` of run r (or any render). */
  w.__jestPostAndWait = (msg: unknown, r: number | null, untilStep: number) =>
    new Promise<{ ms: number; points: number; renderMs: number; drawn: number }>((resolve) => {
      const t0 = performance.now();
      const on = (e: Event) => {
        const d = (e as CustomEvent).detail as { ms: number; points: number; drawn: number; lastStep: Record<string, number> };
        if (r !== null && !(d.lastStep[`/runs/synthetic-${r}`] >= untilStep)) return;
        window.removeEventListener('jest:rendered', on);
        // one more frame: the canvas is composited, what the user sees
        requestAnimationFrame(() => resolve({ ms: performance.now() - t0, points: d.points, renderMs: d.ms, drawn: d.drawn }));
      };
      window.addEventListener('jest:rendered', on);
      window.postMessage(msg, '*');
    });
}
