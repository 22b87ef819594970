// The built webview bundles in a real (headless) Chromium, behind the panels' own CSP, with a stub
// acquireVsCodeApi: the dashboard draws a full state and grows with deltas, the batch inspector
// cuts the contact sheet into marked cells and draws the heat map, the hyperparameter form renders
// the schema's fields and posts edits. Screenshots go to the test's temp folder.
// Needs Chromium (apt-get install -y chromium) and `npm run build`; skips without them unless
// JEST_REQUIRE_BROWSER=1.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { fieldSpecs, formState } from '../../extension/panels/formFields';
import { PROTOCOL_VERSION, type ComparisonState } from '../../protocol/dashboard';
import { browserUnavailable, launch, openWebview } from './harness';
import { MIN_LINE_CONTRAST, contrastRatio, parseColor } from '../../webview/dashboard/colors';
import { installSynthetic } from './synthetic';

const why = browserUnavailable();
if (why && process.env.JEST_REQUIRE_BROWSER === '1') throw new Error(`JEST_REQUIRE_BROWSER=1 but ${why}`);
const skip = why ? `skipped: ${why}` : false;

const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-webview-test-'));
let browser: Browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => {
  await browser?.close();
});

type Rendered = { ms: number; points: number; drawn: number };
/** One chart's datasets as chart.js holds them (Chart.getChart on the page's canvas). */
type Drawn = { label: string; runDir: string; points: number; lastX: number }[];

/** Runs in the page: the datasets of the chart whose section is `data-chart=id`. */
function datasetsOf(id: string): Drawn {
  const canvas = document.querySelector(`section[data-chart="${id}"] canvas`) as HTMLCanvasElement;
  const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: { label: string; runDir: string; data: { x: number }[] }[] } } | undefined } }).Chart;
  return C.getChart(canvas)!.data.datasets.map((d) => ({ label: d.label, runDir: d.runDir, points: d.data.length, lastX: d.data.reduce((m, p) => Math.max(m, p.x), -Infinity) }));
}

test('dashboard: a full state is drawn, deltas add points, the run picker posts an intent', { skip }, async () => {
  const w = await openWebview(browser, 'dashboard');
  try {
    const { page } = w;
    await page.evaluate(installSynthetic);
    const first = (await page.evaluate(() => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      return g.__jestPostAndWait(g.__jestSynth({ runs: 2, steps: 500, evalEvery: 50 }), null, 0);
    })) as Rendered;
    assert.equal(first.points, 2 * 500 * 14 + 2 * 10 * 2);
    assert.ok(first.drawn > 100, `drawn ${first.drawn}`);
    const posted = await w.posted();
    assert.deepEqual(posted[0], { method: 'dashboard/ready', params: { protocol: PROTOCOL_VERSION } });

    let last = first;
    for (let i = 0; i < 5; i++) {
      last = (await page.evaluate((s) => {
        const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
        return g.__jestPostAndWait(g.__jestDelta(0, s, 10), 0, s + 10);
      }, 500 + i * 10)) as Rendered;
    }
    assert.equal(last.points, first.points + 5 * 10 * 14, 'the chart gained the delta points');
    assert.equal(await page.getAttribute('body', 'data-points'), String(last.points));
    // the loss chart holds a dataset per run, min-max decimated (at most two points per bucket,
    // at least one per bucket the data covers), reaching the steps the deltas added
    const loss = await page.evaluate(datasetsOf, 'loss');
    assert.deepEqual(loss.map((d) => [d.runDir, d.label]), [['/runs/synthetic-0', 'synthetic 0'], ['/runs/synthetic-1', 'synthetic 1']]);
    const buckets = await page.evaluate(() => {
      const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { chartArea: { width: number } } } }).Chart;
      return Math.max(50, Math.round(C.getChart(document.querySelector('canvas')!)!.chartArea.width / 2));
    });
    for (const [d, rows] of [[loss[0], 550], [loss[1], 500]] as const) {
      // the axis ends at 550 for both: run 1 (500 steps) fills 500/549 of the buckets
      const covered = Math.min(rows, Math.floor(((rows - 1) / 549) * buckets));
      assert.ok(d.points >= covered && d.points <= Math.min(rows, 2 * buckets), `${d.label}: ${d.points} points for ${rows} rows in ${buckets} buckets`);
    }
    assert.ok(loss[0].lastX >= 549 && loss[0].lastX <= 550, `run 0 reaches step ${loss[0].lastX}`);
    assert.ok(loss[1].lastX >= 499 && loss[1].lastX <= 500, `run 1 reaches step ${loss[1].lastX}`);
    assert.match((await page.textContent('#status')) ?? '', /2 runs, 14,/);

    // the x-axis switch re-renders on FLOPs; UI state is saved with setState
    await page.selectOption('#x-axis', 'flops');
    await page.waitForFunction(() => (window as unknown as { __state: { xAxis: string } }).__state?.xAxis === 'flops');

    await page.click('#picker summary');
    await page.locator('#run-list input').nth(1).uncheck();
    const intents = (await w.posted()).filter((m) => m.method === 'dashboard/runs/set');
    assert.deepEqual(intents.at(-1)?.params, { dirs: ['/runs/synthetic-0'] });
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
    assert.deepEqual(w.problems, [], 'no CSP violations or page errors');
  } finally {
    await w.close();
  }
});

test('dashboard: every chart has a dataset per run and series with every point; lr and gradNorm are drawn', { skip }, async () => {
  const w = await openWebview(browser, 'dashboard');
  try {
    const { page } = w;
    await page.evaluate(installSynthetic);
    // fewer points than buckets: decimation keeps every one, so the counts are exact
    await page.evaluate(() => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      return g.__jestPostAndWait(g.__jestSynth({ runs: 2, steps: 40, evalEvery: 10 }), null, 0);
    });
    await page.evaluate(() => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      return g.__jestPostAndWait(g.__jestDelta(0, 40, 5), 0, 45);
    });
    const runs = ['/runs/synthetic-0', '/runs/synthetic-1'];
    const rows = [45, 40];
    const expect: Record<string, string[]> = {
      loss: ['synthetic 0', 'synthetic 1'],
      optimizer: ['synthetic 0 · lr', 'synthetic 0 · grad norm', 'synthetic 1 · lr', 'synthetic 1 · grad norm'],
      learnability: ['synthetic 0 · selected', 'synthetic 0 · random', 'synthetic 1 · selected', 'synthetic 1 · random'],
      eval: ['synthetic 0 · held-out/zero-shot/top1', 'synthetic 1 · held-out/zero-shot/top1'],
    };
    for (const [id, labels] of Object.entries(expect)) {
      const ds = await page.evaluate(datasetsOf, id);
      assert.deepEqual(ds.map((d) => d.label), labels, id);
      const perRun = labels.length / 2;
      ds.forEach((d, i) => {
        const r = Math.floor(i / perRun);
        assert.equal(d.runDir, runs[r], `${id}: ${d.label}`);
        assert.equal(d.points, id === 'eval' ? 4 : rows[r], `${id}: ${d.label} has every point`);
      });
    }
    // the learning rate reads in exponent notation on its axis, the gradient norm on the right
    const ticks = await page.evaluate(() => {
      const canvas = document.querySelector('section[data-chart="optimizer"] canvas') as HTMLCanvasElement;
      const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { scales: Record<string, { ticks: { label: string }[]; options: { title: { text: string } } }> } } }).Chart;
      const s = C.getChart(canvas)!.scales;
      return { y: s.y.ticks.map((t) => t.label), y1: s.y1.options.title.text };
    });
    assert.ok(ticks.y.length > 0 && ticks.y.every((l) => /^(0|-?\d\.\de[+-]\d+)$/.test(l)), ticks.y.join(' '));
    assert.equal(ticks.y1, 'gradient norm');
    assert.deepEqual(w.problems, []);
  } finally {
    await w.close();
  }
});

test('dashboard: the mouse wheel scrolls the page; Ctrl + wheel zooms; a click opens that step in the inspector', { skip }, async () => {
  const w = await openWebview(browser, 'dashboard', { height: 600 });
  try {
    const { page } = w;
    await page.evaluate(installSynthetic);
    await page.evaluate(() => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      return g.__jestPostAndWait(g.__jestSynth({ runs: 2, steps: 200, evalEvery: 20 }), null, 0);
    });
    assert.match((await page.textContent('#hint')) ?? '', /Ctrl\/Cmd \+ mouse wheel/);
    const canvas = page.locator('section[data-chart="loss"] canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(() => window.scrollY > 0, null, { timeout: 3000 });
    const zoom = () => page.evaluate(() => (window as unknown as { __state: { zoom: unknown } | null }).__state?.zoom ?? null);
    assert.equal(await zoom(), null, 'the wheel alone does not zoom');

    await page.evaluate(() => window.scrollTo(0, 0));
    const box2 = (await canvas.boundingBox())!;
    await page.mouse.move(box2.x + box2.width / 2, box2.y + box2.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await page.waitForFunction(() => Array.isArray((window as unknown as { __state: { zoom: unknown } }).__state?.zoom));
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'Ctrl + wheel does not scroll');
    await page.dblclick('section[data-chart="loss"] canvas');
    await page.waitForFunction(() => (window as unknown as { __state: { zoom: unknown } }).__state?.zoom === null);

    // the double-click's two clicks open nothing (a click waits out the double-click interval)
    await page.waitForTimeout(450);
    assert.deepEqual((await w.posted()).filter((m) => m.method === 'dashboard/step/open'), [], 'a double-click does not open the inspector');

    // a click near the middle of the x axis names the nearest point's run and step
    const target = await page.evaluate(() => {
      const c = document.querySelector('section[data-chart="loss"] canvas') as HTMLCanvasElement;
      const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { scales: { x: { getPixelForValue(v: number): number } ; y: { top: number; bottom: number } } } } }).Chart;
      const ch = C.getChart(c)!;
      return { x: ch.scales.x.getPixelForValue(100), y: (ch.scales.y.top + ch.scales.y.bottom) / 2 };
    });
    await canvas.click({ position: target });
    await page.waitForFunction(() => (window as unknown as { __posted: { method: string }[] }).__posted.some((m) => m.method === 'dashboard/step/open'));
    const open = (await w.posted()).filter((m) => m.method === 'dashboard/step/open');
    assert.equal(open.length, 1);
    const p = open[0].params as { dir: string; step: number };
    assert.deepEqual(Object.keys(p).sort(), ['dir', 'step']);
    assert.ok(['/runs/synthetic-0', '/runs/synthetic-1'].includes(p.dir), p.dir);
    assert.ok(Number.isSafeInteger(p.step) && Math.abs(p.step - 100) <= 3, `step ${p.step}`);

    // on the FLOPs axis the click still names a step (the row's), not a FLOP count
    await page.selectOption('#x-axis', 'flops');
    await page.waitForTimeout(150);
    const t2 = await page.evaluate(() => {
      const c = document.querySelector('section[data-chart="loss"] canvas') as HTMLCanvasElement;
      const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { scales: { x: { getPixelForValue(v: number): number }; y: { top: number; bottom: number } } } } }).Chart;
      const ch = C.getChart(c)!;
      return { x: ch.scales.x.getPixelForValue(100 * 3e9), y: (ch.scales.y.top + ch.scales.y.bottom) / 2 };
    });
    await canvas.click({ position: t2 });
    await page.waitForFunction(() => (window as unknown as { __posted: { method: string }[] }).__posted.filter((m) => m.method === 'dashboard/step/open').length === 2);
    const p2 = (await w.posted()).filter((m) => m.method === 'dashboard/step/open')[1].params as { dir: string; step: number };
    assert.ok(Number.isSafeInteger(p2.step) && p2.step > 50 && p2.step < 150, `step ${p2.step}`);
    assert.deepEqual(w.problems, []);
  } finally {
    await w.close();
  }
});

test('dashboard: Compare Runs draws the host\'s table; choosing a metric posts it; an experiment without runs says so', { skip }, async () => {
  const w = await openWebview(browser, 'dashboard');
  try {
    const { page } = w;
    await page.evaluate(installSynthetic);
    const comparison: ComparisonState = {
      metrics: [
        { key: 'held-out/zero-shot/top1', set: 'held-out', metric: 'zero-shot/top1' },
        { key: 'held-out/zero-shot/top5', set: 'held-out', metric: 'zero-shot/top5' },
      ],
      metric: 'held-out/zero-shot/top5',
      target: 0.4123,
      rows: [
        { dir: '/runs/synthetic-0', name: 'synthetic 0', evaluated: true, final: 0.4123, finalStep: 200, steps: 200, flops: 6e11, stepSpeedup: 1, flopSpeedup: 1 },
        { dir: '/runs/synthetic-1', name: 'synthetic 1', evaluated: true, final: 0.5, finalStep: 200, steps: 80, flops: 2.64e11, stepSpeedup: 2.5, flopSpeedup: 600 / 264 },
        { dir: '/runs/synthetic-2', name: 'synthetic 2', evaluated: false, final: null, finalStep: null, steps: null, flops: null, stepSpeedup: null, flopSpeedup: null },
      ],
      config: [{ path: 'selection.method', values: ['"uniform"', '"jest"', null] }],
    };
    await page.evaluate((c) => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      const msg = g.__jestSynth({ runs: 3, steps: 200, evalEvery: 20 }) as { params: { comparison: unknown } };
      msg.params.comparison = c;
      return g.__jestPostAndWait(msg, null, 0);
    }, comparison);
    assert.equal(await page.isVisible('#compare'), true);
    const table = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    assert.deepEqual(table, [
      ['synthetic 0 · synthetic-0 (baseline)', '41.23%', '200', '1.00×', '600.0G', '1.00×'],
      ['synthetic 1 · synthetic-1', '50.00%', '80', '2.50×', '264.0G', '2.27×'],
      ['synthetic 2 · synthetic-2', 'no evaluation of held-out/zero-shot/top5'],
    ]);
    assert.match((await page.textContent('#compare-target')) ?? '', /held-out\/zero-shot\/top5 ≥ 41\.23%, the baseline's final value/);
    const config = await page.$$eval('#compare-config tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td'), (c) => c.textContent)));
    assert.deepEqual(config, [
      ['field', 'synthetic 0 · synthetic-0 (baseline)', 'synthetic 1 · synthetic-1', 'synthetic 2 · synthetic-2'],
      ['selection.method', '"uniform"', '"jest"', '(absent)'],
    ]);
    assert.deepEqual(await page.$$eval('#compare-metric option', (os) => os.map((o) => (o as HTMLOptionElement).value)), ['held-out/zero-shot/top1', 'held-out/zero-shot/top5']);
    assert.equal(await page.inputValue('#compare-metric'), 'held-out/zero-shot/top5');
    await page.selectOption('#compare-metric', 'held-out/zero-shot/top1');
    const chosen = (await w.posted()).filter((m) => m.method === 'dashboard/comparison/metric/set');
    assert.deepEqual(chosen.map((m) => m.params), [{ metric: 'held-out/zero-shot/top1' }]);
    assert.equal(await page.evaluate(() => (window as unknown as { __state: { compare: boolean } }).__state.compare), true);
    await page.screenshot({ path: path.join(shots, 'dashboard-compare.png'), fullPage: true });
    // the host's update: the comparison is gone (fewer than two runs left)
    await page.evaluate(() => window.postMessage({ method: 'dashboard/comparison/didChange', params: { comparison: null } }, '*'));
    await page.waitForSelector('#compare', { state: 'hidden' });

    // opened on an experiment with no runs: it says so, and keeps the experiment for a reload
    await page.evaluate(() => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      return g.__jestPostAndWait({ method: 'dashboard/state/didChange', params: { runs: [], available: [], experiment: 'icons-jest', comparison: null } }, null, 0);
    });
    assert.equal(await page.isVisible('#empty'), true);
    assert.match((await page.textContent('#empty')) ?? '', /^No runs of icons-jest yet/);
    const saved = await page.evaluate(() => (window as unknown as { __state: { experiment: unknown; dirs: unknown } }).__state);
    assert.deepEqual([saved.experiment, saved.dirs], ['icons-jest', []]);
    assert.deepEqual(w.problems, []);
  } finally {
    await w.close();
  }
});

test('dashboard: switching to a high-contrast theme recolours every run to >= 3:1 on the new background', { skip }, async () => {
  const w = await openWebview(browser, 'dashboard');
  try {
    const { page } = w;
    await page.evaluate(installSynthetic);
    await page.evaluate(() => {
      const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      return g.__jestPostAndWait(g.__jestSynth({ runs: 12, steps: 50, evalEvery: 10 }), null, 0);
    });
    const swatches = () => page.$$eval('#legend .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const dark = await swatches();
    assert.equal(dark.length, 12);
    for (const [cls, bg, fg] of [['vscode-high-contrast-light', '#ffffff', '#292929'], ['vscode-high-contrast', '#000000', '#ffffff']] as const) {
      // what VS Code does on a theme switch: new --vscode-* values and a new body class
      await page.evaluate(([c, b, f]) => {
        const root = document.documentElement.style;
        root.setProperty('--vscode-editor-background', b);
        root.setProperty('--vscode-foreground', f);
        root.setProperty('--vscode-contrastBorder', '#6fc3df');
        document.body.className = c;
      }, [cls, bg, fg]);
      await page.waitForFunction((c) => document.body.className === c, cls);
      await page.waitForTimeout(100);
      const colours = await swatches();
      for (const c of colours) {
        const ratio = contrastRatio(parseColor(c)!, parseColor(bg)!);
        assert.ok(ratio >= MIN_LINE_CONTRAST, `${cls}: swatch ${c} has ${ratio.toFixed(2)}:1 on ${bg}`);
      }
      await page.screenshot({ path: path.join(shots, `dashboard-${cls}.png`), fullPage: true });
    }
    assert.deepEqual(w.problems, [], 'no CSP violations or page errors');
  } finally {
    await w.close();
  }
});

test('batch inspector: contact-sheet cells marked selected/rejected, sortable, and a heat map', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-inspector-'));
  const n = 20;
  const cell = 16;
  const columns = 16;
  const W = columns * cell;
  const H = Math.ceil(n / columns) * cell;
  const px = Buffer.alloc(W * H * 3);
  for (let k = 0; k < n; k++) for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) px.fill(k * 12, (((Math.floor(k / columns) * cell + y) * W + (k % columns) * cell + x) * 3), (((Math.floor(k / columns) * cell + y) * W + (k % columns) * cell + x) * 3) + 3);
  await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(dir, 'step-000050.png'));
  const selected = [3, 7, 11, 15];
  const rows = Array.from({ length: n }, (_, i) => ({ row: i, id: `e${i}`, caption: `caption ${i}`, label: 'l', noise: i === 7 ? 'mismatched' : null, learnerLoss: 2 + i / 10, referenceLoss: 1, score: i / 10, selected: selected.includes(i), order: selected.indexOf(i) }));
  const w = await openWebview(browser, 'inspector', { extra: dir });
  try {
    const { page } = w;
    const state = {
      runDir: '/runs/a',
      runName: 'a',
      steps: [50],
      snapshot: { step: 50, imageSize: cell, sheet: { uri: `${w.origin}/extra/step-000050.png`, columns, cell }, rows, selectedScores: selected.map((i) => selected.map((j) => (i === j ? 1 : (i - j) / 20))) },
    };
    await page.evaluate((m) => window.postMessage(m, '*'), { method: 'inspector/state/didChange', params: state });
    await page.waitForSelector('.cell');
    assert.equal(await page.locator('.cell').count(), n);
    assert.equal(await page.locator('.cell.selected').count(), selected.length);
    // sorted by score, high first: the first cell is example 19
    assert.equal(await page.locator('.cell .caption').first().textContent(), 'caption 19');
    await page.selectOption('#filter', 'selected');
    assert.equal(await page.locator('.cell').count(), selected.length);
    assert.equal(await page.locator('.noise').count(), 1);
    const heat = await page.evaluate(() => {
      const c = document.getElementById('heat') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return { w: c.width, colours: colours.size };
    });
    assert.ok(heat.w >= 4 * 2 && heat.colours >= 3, JSON.stringify(heat));
    // the contact sheet loaded (served from the run folder's origin, allowed by img-src)
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.thumb')).every((t) => getComputedStyle(t).backgroundImage.includes('step-000050.png')));
    await page.screenshot({ path: path.join(shots, 'inspector.png'), fullPage: true });
    assert.deepEqual(w.problems, []);
  } finally {
    await w.close();
  }
});

test('hyperparameters: the schema\'s fields render with the file\'s values; an edit posts one field', { skip }, async () => {
  const text = `{\n  // a comment\n  "name": "icons-jest",\n  "selection": { "filterRatio": 0.7 }\n}\n`;
  const w = await openWebview(browser, 'hyperparameters');
  try {
    const { page } = w;
    const state = { fileName: 'a.jest.json', uri: 'file:///w/a.jest.json', fields: fieldSpecs(), ...formState(text) };
    await page.evaluate((m) => window.postMessage(m, '*'), { method: 'hyperparameters/state/didChange', params: state });
    await page.waitForSelector('vscode-textfield');
    const count = await page.locator('vscode-textfield, vscode-single-select, vscode-checkbox').count();
    assert.equal(count, state.fields.length);
    assert.equal(await page.locator('#f-name').evaluate((e) => (e as unknown as { value: string }).value), 'icons-jest');
    // the engine's error for filterRatio 0.7 (super-batch not whole) is shown under that field
    assert.match((await page.locator('#f-selection-filterRatio + vscode-form-helper').textContent()) ?? '', /not a whole number/);
    assert.equal(await page.locator('#f-selection-filterRatio').evaluate((e) => (e as unknown as { invalid: boolean }).invalid), true);
    await page.locator('#f-optimizer-lr').evaluate((e) => {
      (e as unknown as { value: string }).value = '0.001';
      e.dispatchEvent(new Event('change'));
    });
    const edits = (await w.posted()).filter((m) => m.method === 'hyperparameters/value/set');
    assert.deepEqual(edits.at(-1)?.params, { path: 'optimizer.lr', value: 0.001 });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), { uri: 'file:///w/a.jest.json' });
    await page.screenshot({ path: path.join(shots, 'hyperparameters.png'), fullPage: true });
    assert.deepEqual(w.problems, [], 'no CSP violations (vscode-elements styles via adoptedStyleSheets)');
  } finally {
    await w.close();
  }
});

test('screenshots are saved', { skip }, () => {
  console.log(`webview screenshots: ${shots}`);
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (const name of ['dashboard.png', 'dashboard-compare.png', 'dashboard-vscode-high-contrast-light.png', 'dashboard-vscode-high-contrast.png', 'inspector.png', 'hyperparameters.png']) {
    const file = path.join(shots, name);
    assert.ok(fs.existsSync(file), `${name} was written`);
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.subarray(0, 8).equals(PNG), `${name} is a PNG`);
    // a blank 1200-px-wide page compresses to a few hundred bytes; drawn charts and forms do not
    assert.ok(bytes.length > 10 * 1024, `${name}: only ${bytes.length} bytes`);
  }
});
