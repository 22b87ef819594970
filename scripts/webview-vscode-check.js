#!/usr/bin/env node
// The webviews inside a real VS Code (code-server, driven by Chromium), for what the extension's
// UI test (scripts/vscode-test/ui.ts) does not cover yet:
//   1. the hyperparameter form edits the document (undoable, comments kept) and follows it back:
//      a form edit of training.steps shows in the editor; Ctrl+Z in the editor puts the form back;
//   2. the dashboard and the hyperparameter panel come back after a window reload (serializers).
// Needs `npm run build` and `bash scripts/setup-vscode-test.sh` (code-server, Node 24, Chromium).
// Run: node scripts/webview-vscode-check.js   (exit code 1 when a check fails; screenshots in out/webview-check/)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startCodeServer, makeWorkspace, killGroup, CHROMIUM_FLAGS, CHROMIUM, ROOT } = require('../out/scripts/vscode-test/server');
const { runCommand } = require('../out/scripts/vscode-test/ui');
const { chromium } = require('playwright-core');

const shots = path.join(ROOT, 'out', 'webview-check');
const log = (m) => console.log(`[webview-check ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function frameWith(page, selector, tries = 240) {
  for (let i = 0; i < tries; i++) {
    for (const f of page.frames()) {
      try {
        if (await f.locator(selector).count()) return f;
      } catch {
        // a frame navigating away
      }
    }
    await page.waitForTimeout(250);
  }
  return null;
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-webview-check-'));
  const workspace = makeWorkspace(base);
  const server = await startCodeServer(path.join(base, 'cs'), workspace, true);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const failures = [];
  const check = (ok, what) => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };
  try {
    const authority = `127.0.0.1:${server.port}`;
    const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`]];
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) failures.push(`CSP: ${m.text()}`);
    });
    await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'tiny.jest.json' }).first().dblclick({ timeout: 30_000 });
    const editor = page.locator('.monaco-editor .view-lines', { hasText: 'training' }).first();
    await editor.waitFor({ timeout: 30_000 });

    // 1. both ways
    await runCommand(page, 'JEST: Open Hyperparameter Panel');
    const form = await frameWith(page, '#f-training-steps');
    check(!!form, 'the hyperparameter form renders in VS Code');
    if (form) {
      const before = await form.locator('#f-training-steps').evaluate((e) => e.value);
      await form.locator('#f-training-steps').evaluate((e) => {
        e.value = '33';
        e.dispatchEvent(new Event('change'));
      });
      let text = '';
      for (let i = 0; i < 40 && !/"steps":\s*33/.test(text); i++) {
        await page.waitForTimeout(250);
        text = await editor.innerText();
      }
      check(/"steps":\s*33/.test(text) && text.includes('//'), `a form edit changes the document (steps ${before} -> 33), comments kept`);
      await page.screenshot({ path: path.join(shots, 'form-edit.png') });
      await editor.click();
      await page.keyboard.press('Control+Z');
      let value = '33';
      for (let i = 0; i < 40 && value === '33'; i++) {
        await page.waitForTimeout(250);
        value = await form.locator('#f-training-steps').evaluate((e) => e.value);
      }
      check(value === before, `Ctrl+Z in the editor puts the form back (steps = ${value})`);
    }

    // 2. restored after a reload
    await runCommand(page, 'JEST: Open Dashboard');
    check(!!(await frameWith(page, '#charts')), 'the dashboard renders in VS Code');
    await page.waitForTimeout(3000); // the pages save their state
    await page.reload();
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
    check(!!(await frameWith(page, '#charts', 120)), 'the dashboard comes back after a window reload');
    const tab = page.locator('.tabs-container .tab', { hasText: 'Hyperparameters' }).first();
    if (await tab.count()) await tab.click();
    check(!!(await frameWith(page, '#f-training-steps', 120)), 'the hyperparameter panel comes back after a window reload');
    await page.screenshot({ path: path.join(shots, 'restored.png') });
  } finally {
    await browser.close();
    killGroup(server.proc);
  }
  log(failures.length ? `${failures.length} failed` : 'all passed');
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
