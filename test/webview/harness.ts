// A webview page outside VS Code, for the browser test and the benchmark: the built bundle
// (media/dist/<page>.js) served over a local HTTP origin, behind the very CSP the panels emit
// (extension/panels/html.ts), with a stub acquireVsCodeApi that records what the page posts.
// Messages to the page go through window.postMessage, i.e. structured clone, as in VS Code.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderPage } from '../../extension/panels/html';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const INSTALL_HINT = 'apt-get update && apt-get install -y chromium';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** null (with the reason) when no Chromium is installed or the bundles are not built. */
export function browserUnavailable(page = 'dashboard'): string | null {
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (install it: ${INSTALL_HINT})`;
  if (!fs.existsSync(path.join(ROOT, 'media', 'dist', `${page}.js`))) return 'media/dist is not built (npm run build)';
  return null;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export interface WebviewPage {
  page: Page;
  /** Messages the page posted to the "host". */
  posted(): Promise<{ method: string; id?: number; params: unknown }[]>;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** A few of the variables VS Code's Dark Modern theme sets on a webview, so screenshots look like the editor. */
const DARK_THEME = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1f1f1f;
  --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #454545; --vscode-panel-border: #2b2b2b; --vscode-widget-border: #313131;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #026ec1;
  --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
  --vscode-dropdown-background: #313131; --vscode-dropdown-foreground: #cccccc; --vscode-dropdown-border: #3c3c3c;
  --vscode-focusBorder: #0078d4; --vscode-errorForeground: #f85149; --vscode-editorWarning-foreground: #cca700;
  --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8; --vscode-charts-green: #89d185;
}`;

/** Serves media/ (and, with `extra`, one more folder under /extra/) on 127.0.0.1. */
function serve(extra?: string): Promise<{ origin: string; server: http.Server }> {
  const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.html': 'text/html', '.ttf': 'font/ttf', '.woff2': 'font/woff2' };
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url === '/theme.css') {
      res.writeHead(200, { 'content-type': 'text/css' }).end(DARK_THEME);
      return;
    }
    if (pages.has(url)) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(pages.get(url));
      return;
    }
    let file: string | null = null;
    if (url.startsWith('/media/')) file = path.join(ROOT, url);
    else if (extra && url.startsWith('/extra/')) file = path.join(extra, url.slice('/extra/'.length));
    const base = url.startsWith('/extra/') ? extra! : path.join(ROOT, 'media');
    if (!file || !path.resolve(file).startsWith(path.resolve(base)) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  (server as unknown as { pages: Map<string, string> }).pages = pages;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

export async function openWebview(browser: Browser, name: 'dashboard' | 'inspector' | 'hyperparameters', opts: { extra?: string; state?: unknown; width?: number; height?: number } = {}): Promise<WebviewPage & { origin: string }> {
  const { origin, server } = await serve(opts.extra);
  const { html, nonce } = renderPage({ title: name, cspSource: origin, scriptUri: `${origin}/media/dist/${name}.js`, styleUri: `${origin}/media/dist/${name}.css` });
  // the stub goes in before the bundle, with the page's nonce (anything else would be refused)
  const stub = `<script nonce="${nonce}">
    window.__posted = [];
    window.__state = ${JSON.stringify(opts.state ?? null)};
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => { window.__state = s; },
    });
  </script>`;
  (server as unknown as { pages: Map<string, string> }).pages.set('/index.html', html.replace('<div id="app"></div>', `<div id="app"></div>\n${stub}`).replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme.css">\n<link rel="stylesheet"`).replace('<body>', '<body class="vscode-dark">'));
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${origin}/index.html`);
  return {
    page,
    origin,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: { method: string; id?: number; params: unknown }[] }).__posted.slice()),
    close: async () => {
      await context.close();
      await new Promise((r) => server.close(r));
    },
  };
}
