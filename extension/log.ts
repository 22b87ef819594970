// The extension's own log (not a run's): unexpected errors in commands, with their stacks.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function extensionLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('JEST Studio', { log: true });
  return channel;
}
