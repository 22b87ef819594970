// What every panel does the same way: the webview options (scripts on, resources limited to
// media/ plus what the panel names), the page, and the log of messages refused as invalid.
import * as vscode from 'vscode';
import { MessageError } from '../../protocol/base';
import { renderPage } from './html';

let channel: vscode.LogOutputChannel | undefined;

/** Refused webview messages are logged, never shown as errors: a user cannot act on them. */
export function panelLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('JEST Studio: Webviews', { log: true });
  return channel;
}

export function logRefused(panel: string, msg: unknown, err: unknown): void {
  const method = typeof msg === 'object' && msg !== null && typeof (msg as { method?: unknown }).method === 'string' ? (msg as { method: string }).method.slice(0, 100) : '(no method)';
  const why = err instanceof MessageError ? err.message : `unexpected: ${(err as Error)?.message ?? String(err)}`;
  panelLog().warn(`${panel}: refused a message from the webview (${method}): ${why}`);
}

export function webviewOptions(ctx: vscode.ExtensionContext, extraRoots: vscode.Uri[] = []): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // no retainContextWhenHidden: a hidden webview gets no messages anyway; the host keeps the
    // truth and sends the full state again when the page comes back
    localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'media'), ...extraRoots],
  };
}

/** The page for media/dist/<bundle>.js + .css. */
export function pageHtml(ctx: vscode.ExtensionContext, webview: vscode.Webview, bundle: string, title: string): string {
  const dist = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'dist');
  return renderPage({
    title,
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString(),
  }).html;
}
