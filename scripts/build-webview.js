#!/usr/bin/env node
// Bundles each webview (webview/<name>/main.ts + style.css) for the browser into media/dist/.
// The bundles are build output (git-ignored): `npm run build` makes them, so the repo holds
// sources only. One IIFE per page, no eval and no dynamic chunks, so the page's nonce CSP holds.
// Plain JS (not TS) so it runs before `tsc` has compiled anything.
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const pages = ['dashboard', 'inspector', 'hyperparameters'];
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

async function main() {
  const common = { bundle: true, minify: !dev, sourcemap: dev ? 'inline' : false, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
  const builds = [
    {
      ...common,
      entryPoints: Object.fromEntries(pages.map((p) => [p, `webview/${p}/main.ts`])),
      outdir: 'media/dist',
      platform: 'browser',
      format: 'iife',
      target: ['chrome114'],
      tsconfig: 'webview/tsconfig.json',
    },
    {
      ...common,
      entryPoints: Object.fromEntries(pages.map((p) => [p, `webview/${p}/style.css`])),
      outdir: 'media/dist',
      loader: { '.css': 'css' },
    },
  ];
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
    console.log('watching webview/ ...');
  } else {
    const t0 = Date.now();
    await Promise.all(builds.map((b) => esbuild.build(b)));
    console.log(`webview bundles -> media/dist/ (${Date.now() - t0} ms)`);
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
