// The UI test: a person's path through the real VS Code in Chromium, with the extension installed
// from the built VSIX. Command palette -> "JEST: Start Run" -> "JEST: Open Dashboard" -> the
// dashboard's charts gain points (the page's body[data-points]) -> "JEST: Inspect Batches" -> the
// batch inspector shows the super-batch's images with their selected marks -> the event -> chart
// latency the dashboard measured (body[data-latency]: the engine's write time to the chart's draw)
// -> "Developer: Reload Window" while the run trains: the run goes on, the reloaded window follows
// it -> "JEST: Stop Run" stops it by pid with a checkpoint. Screenshots land in out/vscode-test/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { ROOT, VERBOSE, log, type Server, type TestResult } from './server';

/**
 * F1, type the title, Enter on the matching row. Retried: the list may lack an extension's commands
 * in the first seconds, and on a loaded machine a window still settling after a reload can drop
 * the F1 (the palette never opens), which a second press gets through.
 */
export async function runCommand(page: Page, title: string, tries = 20): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`);
      await row.waitFor({ state: 'visible', timeout: 2000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  throw new Error(`command "${title}" never appeared in the command palette`);
}

/** The webview content frames (VS Code nests the page in iframe.webview > #active-frame). */
function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((f) => f.name() === 'active-frame' || /fake\.html|index\.html/.test(f.url()));
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
}

/** Polls the dashboard page's body[data-points] until it exceeds `min`; returns the count. */
function dashboardPointsAbove(page: Page, min: number, what: string, ms: number): Promise<number> {
  return poll(
    what,
    async () => {
      for (const f of webviewFrames(page)) {
        const p = Number(await f.evaluate(() => document.body?.dataset.points ?? '0'));
        if (p > min) return p;
      }
      return undefined;
    },
    ms,
  );
}

/** Where the UI test must really run (.ci/run sets JEST_REQUIRE_BROWSER=1; CI services set CI=true), a step that skips fails the run. */
export function skipFails(): boolean {
  const ci = process.env.CI ?? '';
  return process.env.JEST_REQUIRE_BROWSER === '1' || (ci !== '' && ci !== 'false' && ci !== '0');
}

export async function step(results: TestResult[], title: string, fn: () => Promise<void | 'skip'>): Promise<boolean> {
  const t0 = Date.now();
  try {
    const r = await fn();
    if (r === 'skip' && skipFails()) throw new Error(`ui ${title}: skipped, and a skip is a failure where the UI must run (JEST_REQUIRE_BROWSER=1 or CI)`);
    results.push({ title: `ui ${title}`, state: r === 'skip' ? 'pending' : 'passed', ms: Date.now() - t0 });
    return true;
  } catch (e) {
    results.push({ title: `ui ${title}`, state: 'failed', ms: Date.now() - t0, error: (e as Error).stack ?? String(e) });
    return false;
  }
}

export async function runUiTest(browser: Browser, server: Server, workspace: string, artifacts: string): Promise<TestResult[]> {
  const results: TestResult[] = [];
  // long enough (30,000 steps, ~10 min at ~20 ms) to watch the charts grow and to reload the window mid-run; the test stops it
  const file = path.join(workspace, 'tiny.jest.json');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"steps": 20', '"steps": 30000').replace('"every": 10 }', '"every": 200 }').replace('"checkpointEvery": 10', '"checkpointEvery": 2000').replace('"snapshotEvery": 10', '"snapshotEvery": 100'));
  const authority = `127.0.0.1:${server.port}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (VERBOSE) page.on('console', (m) => process.stdout.write(`[ui:${m.type()}] ${m.text()}\n`));
  const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `ui-${name}.png`) }).catch(() => undefined);
  try {
    // no extensionDevelopmentPath: the window runs the extension code-server installed from the VSIX
    await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    let points = 0;
    const ok = await step(results, 'command palette -> Start Run -> Open Dashboard: the charts gain points', async () => {
      await runCommand(page, 'JEST: Start Run');
      // the palette returns at once: open the dashboard when the run folder exists (it shows the runs there are)
      await poll('the run folder', async () => (fs.existsSync(path.join(workspace, 'runs')) && fs.readdirSync(path.join(workspace, 'runs')).length > 0) || undefined, 30_000);
      await runCommand(page, 'JEST: Open Dashboard');
      points = await dashboardPointsAbove(page, 0, 'the dashboard to draw points', 60_000);
      // keep watching: the live run keeps adding points
      const more = await dashboardPointsAbove(page, points, 'more points as the run goes on', 30_000);
      log(`ui: dashboard drew ${points} then ${more} points`);
      await shot('dashboard');
    });
    if (ok) {
      await step(results, 'a metric event reaches the chart: latency from the engine\'s write to the draw (reported, budget 250 ms p95)', async () => {
        const latency = await poll(
          'the dashboard\'s latency numbers',
          async () => {
            for (const f of webviewFrames(page)) {
              const l = await f.evaluate(() => document.body?.dataset.latency ?? '');
              // at least 200 timed draws (~15 s of streaming) for a p95 worth reading: not just the window's first seconds
              const parsed = l ? (JSON.parse(l) as { n: number; p50: number; p95: number; max: number } & Record<string, number>) : undefined;
              if (parsed && parsed.n >= 200) return parsed;
            }
            return undefined;
          },
          60_000,
        );
        // reported, not asserted: timing on a shared 2-core machine is no test verdict (docs/extension.md has the measured numbers)
        log(`ui: event -> chart latency over ${latency.n} draws: p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms (budget 250 ms p95: ${latency.p95 <= 250 ? 'met' : 'OVER'}); p50/p95 by part: engine -> host ${latency.engineToHostP50}/${latency.engineToHostP95}, in host ${latency.inHostP50}/${latency.inHostP95}, host -> page ${latency.hostToPageP50}/${latency.hostToPageP95}, in page ${latency.inPageP50}/${latency.inPageP95} ms`);
        fs.writeFileSync(path.join(artifacts, 'latency.json'), JSON.stringify({ ...latency, budgetP95: 250, measuredAt: new Date().toISOString() }, null, 2));
        if (!(latency.n > 0 && latency.p50 >= 0)) throw new Error(`no latency measured: ${JSON.stringify(latency)}`);
      });
      await step(results, 'dashboard Export CSV and PNG: VS Code\'s save dialog, files written', async () => {
        const frame = await poll('the dashboard frame', async () => {
          for (const f of webviewFrames(page)) if (await f.locator('#export-csv').count()) return f;
          return undefined;
        }, 10_000);
        for (const [button, file] of [['#export-csv', 'jest-metrics.csv'], ['section button.export >> nth=0', 'jest-loss.png']] as const) {
          await frame.locator(button).click();
          // code-server's save dialog is VS Code's own (a quick input holding the path, defaulting to the workspace)
          const input = page.locator('.quick-input-widget .quick-input-box input:visible');
          await input.waitFor({ state: 'visible', timeout: 20_000 });
          // the dialog shows the folder first and fills in the proposed file name a moment later
          const value = await poll(`the save dialog to propose ${file}`, async () => {
            const v = await input.inputValue();
            return v.endsWith(file) ? v : undefined;
          }, 10_000).catch(async (e: Error) => {
            await page.keyboard.press('Escape');
            throw e;
          });
          log(`ui: the save dialog proposes ${value}`);
          await page.keyboard.press('Enter');
          const target = path.join(workspace, file);
          await poll(`${file} to be written`, async () => (fs.existsSync(target) && fs.statSync(target).size > 0) || undefined, 15_000);
        }
        const csv = fs.readFileSync(path.join(workspace, 'jest-metrics.csv'), 'utf8').split('\n');
        if (csv[0] !== 'run,dir,table,step,flops,metric,value' || csv.length < 20) throw new Error(`unexpected CSV: ${csv.slice(0, 3).join(' | ')} (${csv.length} lines)`);
        const png = fs.readFileSync(path.join(workspace, 'jest-loss.png'));
        if (png.subarray(1, 4).toString() !== 'PNG' || png.length < 2000) throw new Error(`jest-loss.png is not a chart PNG (${png.length} bytes)`);
        log(`ui: exported ${csv.length - 1} CSV rows and a ${png.length}-byte PNG through the save dialog`);
      });
      await step(results, 'command palette -> Inspect Batches: images with their selected marks', async () => {
        const bundle = path.join(ROOT, 'media', 'dist', 'inspector.js');
        if (!fs.existsSync(bundle) || fs.statSync(bundle).size < 1024) return 'skip'; // the inspector page is not built yet
        await runCommand(page, 'JEST: Inspect Batches');
        const counts = await poll(
          'the inspector to show images',
          async () => {
            for (const f of webviewFrames(page)) {
              const c = await f.evaluate(async () => {
                const thumbs = Array.from(document.querySelectorAll<HTMLElement>('.cell .thumb'));
                if (!thumbs.length) return null;
                // the contact sheet behind the thumbnails must really load (CSP and localResourceRoots allow it)
                const url = /url\("?(.*?)"?\)/.exec(thumbs[0].style.backgroundImage)?.[1] ?? '';
                const width = await new Promise<number>((resolve) => {
                  const img = new Image();
                  img.onload = () => resolve(img.naturalWidth);
                  img.onerror = () => resolve(0);
                  img.src = url;
                });
                return { images: thumbs.length, selected: document.querySelectorAll('.cell.selected').length, rejected: document.querySelectorAll('.cell.rejected').length, sheetWidth: width };
              });
              if (c && c.images > 0) return c;
            }
            return undefined;
          },
          30_000,
        );
        log(`ui: inspector shows ${counts.images} images, ${counts.selected} selected, ${counts.rejected} rejected (contact sheet ${counts.sheetWidth} px wide)`);
        if (counts.sheetWidth === 0) throw new Error('the contact sheet image did not load in the inspector');
        await shot('inspector');
        if (counts.selected === 0 || counts.rejected === 0) throw new Error(`the inspector shows ${counts.images} images, ${counts.selected} marked selected and ${counts.rejected} rejected: expected both kinds`);
      });
      await step(results, 'Developer: Reload Window mid-run: the run goes on, the reloaded window follows it, Stop Run stops it', async () => {
        const runDir = path.join(workspace, 'runs', fs.readdirSync(path.join(workspace, 'runs'))[0]);
        // status.json changes on status transitions; the step the run is at is the last step event in metrics.jsonl
        const status = () => {
          const st = JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8')) as { status: string; step: number; pid: number };
          // whole lines only: the line after the last newline may be one the engine is still writing
          const text = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');
          const tail = text.slice(0, text.lastIndexOf('\n')).split('\n').reverse().find((l) => l.includes('"type":"step"'));
          return { ...st, step: tail ? (JSON.parse(tail) as { step: number }).step : st.step };
        };
        const before = status();
        if (before.status !== 'running') throw new Error(`the run is ${before.status} at step ${before.step} before the reload: make it longer`);
        await runCommand(page, 'Developer: Reload Window');
        await page.waitForTimeout(1000);
        await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
        const after = await poll('the run to keep training after the reload', async () => {
          const st = status();
          return st.status === 'running' && st.step > before.step + 20 ? st : undefined;
        }, 60_000);
        if (after.pid !== before.pid) throw new Error(`the run's process changed across the reload (${before.pid} -> ${after.pid})`);
        log(`ui: the run went on through the reload (step ${before.step} -> ${after.step}, same pid ${after.pid})`);
        await runCommand(page, 'JEST: Open Dashboard');
        const grown = await dashboardPointsAbove(page, points, 'the reloaded dashboard to follow the run', 60_000);
        log(`ui: after the reload the dashboard shows ${grown} points`);
        await shot('after-reload');
        await runCommand(page, 'JEST: Stop Run');
        const stopped = await poll('the run to stop with a checkpoint', async () => (status().status === 'stopped' ? status() : undefined), 60_000);
        log(`ui: Stop Run after the reload stopped the run at step ${stopped.step}`);
        if (!fs.existsSync(path.join(runDir, 'checkpoints', 'latest.ckpt'))) throw new Error('the stopped run has no checkpoint');
      });
    }
  } finally {
    await shot('final');
    await page.close().catch(() => undefined);
  }
  return results;
}
