// The page shell: a strict CSP with a fresh nonce per render, the bundle and stylesheet from the
// webview origin only, no remote URL anywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, makeNonce, renderPage } from '../../extension/panels/html';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
const opts = { title: 'JEST <Dashboard>', cspSource, scriptUri: `${cspSource}/ext/media/dist/dashboard.js`, styleUri: `${cspSource}/ext/media/dist/dashboard.css` };

test('the CSP allows nothing by default, scripts by nonce only, styles and images from the webview origin', () => {
  const { html, nonce } = renderPage(opts);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, 'a CSP meta tag');
  assert.equal(csp, contentSecurityPolicy(cspSource, nonce));
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['script-src'], [`'nonce-${nonce}'`]);
  assert.deepEqual(directives['style-src'], [cspSource]);
  assert.deepEqual(directives['img-src'], [cspSource, 'data:']);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
  // every script tag carries the nonce
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1);
  assert.ok(scripts.every((s) => s.includes(`nonce="${nonce}"`)));
});

test('a fresh nonce per render, from a CSPRNG (128 bits, base64)', () => {
  const seen = new Set(Array.from({ length: 200 }, () => makeNonce()));
  assert.equal(seen.size, 200);
  for (const n of seen) assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
  assert.notEqual(renderPage(opts).nonce, renderPage(opts).nonce);
});

test('no remote URL: every URL in the page is on the webview origin; the title is escaped', () => {
  const { html, nonce } = renderPage(opts);
  // the nonce is base64 and contains "//" in ~1 render of 200 (103 of 20,000 measured): not a URL
  const scanned = html.split(nonce).join('NONCE');
  const urls = [...scanned.matchAll(/(?:https?:)?\/\/[^\s"'<>;]+/g)].map((m) => m[0]);
  assert.ok(urls.length >= 2);
  for (const u of urls) assert.ok(u.startsWith(cspSource), u);
  assert.ok(html.includes('JEST &lt;Dashboard&gt;'));
  assert.ok(!html.includes('<Dashboard>'));
});
