// Every error and warning the extension shows goes through here, so that it is also recorded
// (notices.ts) and the extension tests see it: a test whose command showed an error fails unless
// it expected that error (test/extension/suite/helpers.ts).
import * as vscode from 'vscode';
import { recordNotice } from './notices';

export function showError(message: string, ...items: string[]): Thenable<string | undefined> {
  recordNotice({ kind: 'error', message });
  return vscode.window.showErrorMessage(message, ...items);
}

export function showWarning(message: string, ...items: string[]): Thenable<string | undefined> {
  recordNotice({ kind: 'warning', message });
  return vscode.window.showWarningMessage(message, ...items);
}
