// The HTML shell every panel serves. No vscode import, so the CSP it writes is unit-tested.
//
// The policy is the strict one from VS Code's webview guide: nothing loads unless named; scripts
// only with this page's nonce (a fresh one per render, from the OS's CSPRNG, never Math.random);
// styles and images only from the extension's own webview origin (cspSource) plus data: images
// (chart PNG export, canvas heat maps). No remote origin appears anywhere.
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  // 16 random bytes = 128 bits; base64 is a valid nonce-source character set
  return randomBytes(16).toString('base64');
}

export interface PageOptions {
  title: string;
  /** webview.cspSource: the origin asWebviewUri URIs live on. */
  cspSource: string;
  /** asWebviewUri of media/dist/<page>.js and .css, as strings. */
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `img-src ${cspSource} data:`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `font-src ${cspSource}`].join('; ');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The page: a CSP meta, one stylesheet, one module script, and an empty #app the bundle fills. */
export function renderPage(o: PageOptions): { html: string; nonce: string } {
  const nonce = o.nonce ?? makeNonce();
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, nonce).replace(/"/g, "")}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
  return { html, nonce };
}
