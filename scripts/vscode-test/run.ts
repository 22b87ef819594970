// Runs the extension's mocha suite INSIDE a real VS Code extension host, offline: code-server
// (from npm, on Node 24) serves VS Code on 127.0.0.1, Debian's Chromium opens it through
// playwright-core, and the workbench URL's payload names the extension under
// development (the folder code-server unpacked the built VSIX into, dist/jest-studio-linux-x64-*.vsix)
// and out/test-extension/suite/index.js as its tests (code-server honours that only
// with --vscode-option enable-smoke-test-driver). The suite's exit code arrives through
// window.codeAutomationExit; its per-test results through a JSON file it writes.
//
//   node out/scripts/vscode-test/run.js [--no-untrusted] [--no-ui | --ui-only] [--keep] [--verbose] [--grep PATTERN]
//   (npm run bench:e2e = --no-untrusted: the suite window prints activation times, the UI window event -> chart latency)
//
// Three windows: a trusted one (--disable-workspace-trust) runs the suite; a second, untrusted one
// (restricted mode) runs the [untrusted] tests; a third drives the UI like a person (ui.ts). Ends with "N passed, N failed"; code-server and the
// browser are always killed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, ROOT, SUITE, SUITE_TIMEOUT_MS, VERBOSE, check, killGroup, killRunsIn, log, makeWorkspace, startCodeServer, type Server, type TestResult } from './server';
import { runUiTest } from './ui';

const args = new Set(process.argv.slice(2));
const KEEP = args.has('--keep');
const GREP = process.argv.includes('--grep') ? process.argv[process.argv.indexOf('--grep') + 1] : '';

/** One window: open the workspace with the suite as extensionTestsPath; resolve with its exit code. */
async function runSuite(browser: Browser, server: Server, workspace: string, shot: string): Promise<number> {
  const authority = `127.0.0.1:${server.port}`;
  const payload = [
    // the installed VSIX's folder, not the repo: the suite tests what users install
    ['extensionDevelopmentPath', `vscode-remote://${authority}${server.extensionDir}`],
    ['extensionTestsPath', `vscode-remote://${authority}${SUITE}`],
  ];
  const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    if (VERBOSE || /passing|failing|pending|✔|✓|[0-9]+\) |^activation:/.test(text)) process.stdout.write(`[suite] ${text}\n`);
  });
  page.on('console', (m) => {
    if (VERBOSE) process.stdout.write(`[browser:${m.type()}] ${m.text()}\n`);
  });
  page.on('pageerror', (e) => {
    if (VERBOSE) process.stdout.write(`[browser:pageerror] ${e.message}\n`);
  });
  await page.goto(url);
  const timeout = new Promise<number>((r) => setTimeout(() => r(-1), SUITE_TIMEOUT_MS));
  const code = await Promise.race([exited, timeout]);
  await page.screenshot({ path: shot }).catch(() => undefined);
  await page.close().catch(() => undefined);
  if (code === -1) log(`the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s; code-server's last lines:\n${server.output.slice(-15).join('\n')}`);
  return code;
}

function readResults(file: string): TestResult[] {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { results: TestResult[] }).results;
  } catch {
    return [];
  }
}

async function main(): Promise<number> {
  check();
  const t0 = Date.now();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-vscode-test-'));
  const artifacts = path.join(ROOT, 'out', 'vscode-test');
  fs.mkdirSync(artifacts, { recursive: true });
  const servers: Server[] = [];
  const workspaces: string[] = [];
  let browser: Browser | undefined;
  const cleanup = () => {
    for (const s of servers) killGroup(s.proc);
    for (const w of workspaces) killRunsIn(w);
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  process.on('exit', cleanup);
  const results: TestResult[] = [];
  let exitCodes: number[] = [];
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_FLAGS,
    });
    const windows: { name: string; trusted: boolean; ui?: true }[] = [{ name: 'trusted', trusted: true }];
    if (args.has('--ui-only')) windows.length = 0;
    if (!args.has('--no-untrusted') && !args.has('--ui-only') && !GREP) windows.push({ name: 'untrusted', trusted: false });
    if (!args.has('--no-ui') && !GREP) windows.push({ name: 'ui', trusted: true, ui: true });
    for (const w of windows) {
      const home = path.join(base, w.name);
      const workspace = makeWorkspace(home);
      workspaces.push(workspace);
      if (GREP) fs.writeFileSync(path.join(home, 'mocha-grep.txt'), GREP);
      const server = await startCodeServer(home, workspace, w.trusted);
      servers.push(server);
      const t = Date.now();
      if (w.ui) {
        const r = await runUiTest(browser, server, workspace, artifacts);
        log(`ui window: ${r.length} check(s) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        results.push(...r);
        killGroup(server.proc);
        continue;
      }
      const code = await runSuite(browser, server, workspace, path.join(artifacts, `${w.name}.png`));
      const r = readResults(path.join(home, w.trusted ? 'results.json' : 'results-untrusted.json'));
      log(`${w.name} window: suite exit code ${code}, ${r.length} test(s) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      if (r.length === 0) results.push({ title: `${w.name} window: the suite reported no results (exit code ${code})`, state: 'failed', ms: 0 });
      results.push(...r);
      exitCodes.push(code);
      killGroup(server.proc);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    cleanup();
    if (!KEEP) fs.rmSync(base, { recursive: true, force: true });
    else log(`kept ${base}`);
  }
  for (const r of results) {
    const mark = r.state === 'passed' ? 'ok' : r.state === 'pending' ? 'skip' : 'FAIL';
    process.stdout.write(`${mark.padEnd(4)} ${r.title} (${r.ms} ms)\n`);
    if (r.error) process.stdout.write(`     ${r.error.split('\n').slice(0, 6).join('\n     ')}\n`);
  }
  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.filter((r) => r.state === 'failed').length;
  const skipped = results.filter((r) => r.state === 'pending').length;
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, artifacts)}/`);
  process.stdout.write(`extension: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  exitCodes = exitCodes.filter((c) => c !== 0);
  return failed > 0 || exitCodes.length > 0 || passed === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`[vscode-test] ${err.message}\n`);
    process.stdout.write('extension: 0 passed, 1 failed\n');
    process.exit(1);
  },
);
