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
    assert.deepEqual(posted[0], { method: 'dashboard/ready', params: { protocol: 1 } });

    let last = first;
    for (let i = 0; i < 5; i++) {
      last = (await page.evaluate((s) => {
        const g = window as unknown as Record<string, (...a: unknown[]) => unknown>;
        return g.__jestPostAndWait(g.__jestDelta(0, s, 10), 0, s + 10);
      }, 500 + i * 10)) as Rendered;
    }
    assert.equal(last.points, first.points + 5 * 10 * 14, 'the chart gained the delta points');
    assert.equal(await page.getAttribute('body', 'data-points'), String(last.points));
    // the loss chart holds datasets for both runs, and its x axis reaches the new steps
    const lossMax = await page.evaluate(() => {
      const canvas = document.querySelector('canvas')!;
      return canvas.width > 0 && canvas.height > 0;
    });
    assert.ok(lossMax);
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
});
