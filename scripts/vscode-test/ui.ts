// The UI test: a person's path through the real VS Code in Chromium. Command palette -> "JEST:
// Start Run" -> "JEST: Open Dashboard" -> the dashboard's charts gain points (the page's
// body[data-points]); -> "JEST: Inspect Batches" -> the batch inspector shows the super-batch's
// images with their selected marks. Screenshots of each stage land in out/vscode-test/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { ROOT, VERBOSE, log, type Server, type TestResult } from './server';

/** F1, type the title, Enter on the matching row. The list may lack an extension's commands in the first seconds: retry. */
export async function runCommand(page: Page, title: string, tries = 20): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
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

async function step(results: TestResult[], title: string, fn: () => Promise<void | 'skip'>): Promise<boolean> {
  const t0 = Date.now();
  try {
    const r = await fn();
    results.push({ title: `ui ${title}`, state: r === 'skip' ? 'pending' : 'passed', ms: Date.now() - t0 });
    return true;
  } catch (e) {
    results.push({ title: `ui ${title}`, state: 'failed', ms: Date.now() - t0, error: (e as Error).stack ?? String(e) });
    return false;
  }
}

export async function runUiTest(browser: Browser, server: Server, workspace: string, artifacts: string): Promise<TestResult[]> {
  const results: TestResult[] = [];
  // long enough (400 steps, ~15 s) to watch the charts grow while it runs
  const file = path.join(workspace, 'tiny.jest.json');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"steps": 20', '"steps": 400').replace('"every": 10 }', '"every": 100 }'));
  const authority = `127.0.0.1:${server.port}`;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`]];
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (VERBOSE) page.on('console', (m) => process.stdout.write(`[ui:${m.type()}] ${m.text()}\n`));
  const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `ui-${name}.png`) }).catch(() => undefined);
  try {
    await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    let points = 0;
    const ok = await step(results, 'command palette -> Start Run -> Open Dashboard: the charts gain points', async () => {
      await runCommand(page, 'JEST: Start Run');
      // the palette returns at once: open the dashboard when the run folder exists (it shows the runs there are)
      await poll('the run folder', async () => (fs.existsSync(path.join(workspace, 'runs')) && fs.readdirSync(path.join(workspace, 'runs')).length > 0) || undefined, 30_000);
      await runCommand(page, 'JEST: Open Dashboard');
      points = await poll(
        'the dashboard to draw points',
        async () => {
          for (const f of webviewFrames(page)) {
            const p = Number(await f.evaluate(() => document.body?.dataset.points ?? '0'));
            if (p > 0) return p;
          }
          return undefined;
        },
        60_000,
      );
      // keep watching: the live run keeps adding points
      const more = await poll(
        'more points as the run goes on',
        async () => {
          for (const f of webviewFrames(page)) {
            const p = Number(await f.evaluate(() => document.body?.dataset.points ?? '0'));
            if (p > points) return p;
          }
          return undefined;
        },
        30_000,
      );
      log(`ui: dashboard drew ${points} then ${more} points`);
      await shot('dashboard');
    });
    if (ok) {
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
    }
  } finally {
    await shot('final');
    await page.close().catch(() => undefined);
  }
  return results;
}
