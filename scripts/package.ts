// npm run package [-- --target linux-x64 | --target all | --target a,b] [--out DIR]
//
// Builds platform-specific VSIX files. Each one holds:
//   dist/extension.js   the extension host code (esbuild bundle; vscode, onnxruntime-node and sharp external)
//   dist/cli.js         the engine's command line, which runs train / resume / export in child processes
//   dist/child.js       the image-decode child (src/data/decode/pool.ts spawns it from next to cli.js)
//   media/              icons, the experiment JSON Schema and the webview bundles (media/dist)
//   node_modules/       onnxruntime-node and sharp for that platform only, installed from the npm
//                       registry with --os/--cpu and pruned of every other platform's binaries
// Sources, tests, benchmarks, docs and the built-in datasets (npm devDependencies) stay out: the
// experiment's data is the user's; the built-in sets come from `npm install` (see README).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { DEFAULT_EXPERIMENT } from '../src/config/experiment';
import type { SourceSpec } from '../src/data/sources/registry';

const ROOT = path.resolve(__dirname, '..', '..');

/** vsce's target names -> npm's os / cpu and onnxruntime-node's bin/napi-v6/<os>/<arch> folder. */
export const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64' },
  'linux-arm64': { os: 'linux', cpu: 'arm64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64' },
} as const;
export type Target = keyof typeof TARGETS;
/** Native dependencies shipped as node_modules; everything else is bundled into dist/. */
const NATIVE = ['onnxruntime-node', 'sharp'] as const;

function hostTarget(): Target {
  const t = `${process.platform}-${process.arch}`;
  if (!(t in TARGETS)) throw new Error(`no VSIX target for this machine (${t}); pass --target, one of ${Object.keys(TARGETS).join(', ')}`);
  return t as Target;
}

function parseTargets(argv: string[]): Target[] {
  const i = argv.indexOf('--target');
  const v = i >= 0 ? argv[i + 1] : hostTarget();
  if (v === 'all') return Object.keys(TARGETS) as Target[];
  const list = (v ?? '').split(',').filter(Boolean);
  for (const t of list) if (!(t in TARGETS)) throw new Error(`unknown target "${t}": use one of ${Object.keys(TARGETS).join(', ')} or all`);
  return list as Target[];
}

/** The three node bundles, built once and copied into every target's stage. */
async function bundle(outdir: string): Promise<void> {
  const common: esbuild.BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    absWorkingDir: ROOT,
    logLevel: 'warning',
    legalComments: 'none',
    keepNames: true, // readable stack traces in users' bug reports
    external: ['vscode', ...NATIVE],
    // ESM builds first: jsonc-parser's UMD build requires its parts dynamically, which no bundler can follow
    mainFields: ['module', 'main'],
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { extension: 'extension/extension.ts' }, outdir }),
    // the CLI runs as a script: its `require.main === module` check must see the bundle itself
    esbuild.build({ ...common, entryPoints: { cli: 'src/cli.ts' }, outdir }),
    esbuild.build({ ...common, entryPoints: { child: 'src/data/decode/child.ts' }, outdir }),
  ]);
}

function installedVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The VSIX's package.json: the manifest without scripts and devDependencies, main -> the bundle. */
function manifest(): Record<string, unknown> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.bin;
  delete pkg.private;
  pkg.main = './dist/extension.js';
  // exact versions: the VSIX ships what the tests ran against
  pkg.dependencies = Object.fromEntries(NATIVE.map((n) => [n, installedVersion(n)]));
  return pkg;
}

function copy(from: string, to: string): void {
  fs.cpSync(path.join(ROOT, from), to, { recursive: true });
}

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
}

/** Deletes other platforms' onnxruntime binaries (the npm package carries all five, ~290 MB). */
function pruneOnnxruntime(stage: string, t: Target): void {
  const bin = path.join(stage, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
  const { os, cpu } = TARGETS[t];
  for (const o of fs.readdirSync(bin)) {
    if (o !== os) fs.rmSync(path.join(bin, o), { recursive: true, force: true });
    else for (const a of fs.readdirSync(path.join(bin, o))) if (a !== cpu) fs.rmSync(path.join(bin, o, a), { recursive: true, force: true });
  }
  const binding = path.join(bin, os, cpu, 'onnxruntime_binding.node');
  if (!fs.existsSync(binding)) throw new Error(`onnxruntime-node ${installedVersion('onnxruntime-node')} has no binary for ${t} (${path.relative(stage, binding)})`);
  if (!fs.existsSync(path.join(stage, 'node_modules', '@img', `sharp-${os}-${cpu}`))) throw new Error(`npm did not install sharp's native package for ${t} (@img/sharp-${os}-${cpu})`);
}

function dirSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      bytes += fs.statSync(path.join(e.parentPath, e.name)).size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * The staged extension must run on its own: the bundled CLI prepares 64 built-in emoji (sharp, in
 * the bundled decode child) and trains five steps (onnxruntime-node), all from the stage's own
 * node_modules. A bundling mistake, a missing native file or a pruned binary fails here, not on a
 * user's machine. The datasets come from this checkout, as the extension's come from JEST_STUDIO_DATASETS.
 */
function smokeTest(stage: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-vsix-smoke-'));
  try {
    const file = path.join(dir, 'smoke.jest.json');
    const e = structuredClone(DEFAULT_EXPERIMENT);
    e.name = 'vsix-smoke';
    e.data = { train: { kind: 'builtin', name: 'emoji', max: 64 } as unknown as SourceSpec, curated: null, eval: [], maxTrainExamples: null, tokenizer: null };
    e.model = { ...e.model, imageSize: 16, patchSizes: [4], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 };
    e.training = { batchSize: 16, steps: 5, seed: 1 };
    e.selection = { ...e.selection, method: 'uniform' };
    e.reference = null;
    e.runtime = { device: 'cpu', threads: 1 };
    e.snapshotEvery = 0;
    e.checkpointEvery = 5;
    fs.writeFileSync(file, JSON.stringify(e));
    const r = spawnSync(process.execPath, [path.join(stage, 'dist', 'cli.js'), 'train', file, '--run-dir', path.join(dir, 'run')], { cwd: dir, encoding: 'utf8', env: { ...process.env, JEST_STUDIO_CACHE: path.join(dir, 'cache'), JEST_STUDIO_DATASETS: ROOT } });
    if (r.status !== 0) throw new Error(`the staged extension's engine failed its smoke run (exit ${r.status}):\n${(r.stderr ?? '').slice(-1500)}`);
    if (!/finished at step 5/.test(r.stderr)) throw new Error(`the smoke run did not finish:\n${r.stderr.slice(-1500)}`);
    process.stdout.write(`smoke run of the staged engine: 64 emoji decoded and 5 steps trained with its own sharp and onnxruntime-node\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function packageTarget(t: Target, outDir: string, bundles: string): Promise<string> {
  const stage = path.join(outDir, `stage-${t}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  fs.cpSync(bundles, path.join(stage, 'dist'), { recursive: true });
  for (const f of ['media', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore']) copy(f, path.join(stage, f));
  const pkg = manifest();
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2));
  // --ignore-scripts: onnxruntime-node's install script would download the CUDA provider (opt-in, see README)
  const { os, cpu } = TARGETS[t];
  const libc = os === 'linux' ? ['--libc=glibc'] : [];
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', `--os=${os}`, `--cpu=${cpu}`, ...libc], stage);
  pruneOnnxruntime(stage, t);
  if (t === hostTarget()) smokeTest(stage);
  const vsix = path.join(outDir, `jest-studio-${t}-${(pkg as { version: string }).version}.vsix`);
  // vsce asks npm for the production dependencies and packs node_modules as staged (already pruned)
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(process.execPath, [vsce, 'package', '--target', t, '--allow-missing-repository', '--out', vsix], stage);
  const staged = dirSize(stage);
  process.stdout.write(`${path.relative(ROOT, vsix)}: ${(fs.statSync(vsix).size / 2 ** 20).toFixed(1)} MiB (${(staged.bytes / 2 ** 20).toFixed(1)} MiB unpacked)\n`);
  return vsix;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const targets = parseTargets(argv);
  const outDir = path.resolve(argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : path.join(ROOT, 'dist'));
  for (const f of ['media/dist/dashboard.js', 'media/experiment.schema.json']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  }
  const bundles = path.join(outDir, 'bundle');
  fs.rmSync(bundles, { recursive: true, force: true });
  await bundle(bundles);
  for (const t of targets) await packageTarget(t, outDir, bundles);
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`package: ${e.message}\n`);
    process.exit(1);
  });
}
