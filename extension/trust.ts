// Runs execute the experiment's data loaders and write files: not in an untrusted workspace
// (package.json: capabilities.untrustedWorkspaces = limited).
import * as vscode from 'vscode';
import { recordNotice } from './notices';

export const UNTRUSTED_MESSAGE =
  'JEST Studio does not start runs, exports or reference embeddings in an untrusted workspace: they run code on this folder\'s data and write files. Trust the folder (command "Workspaces: Manage Workspace Trust") to run.';

/** True when trusted; otherwise says why not (with a button to manage trust) and returns false. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  recordNotice({ kind: 'refused', message: UNTRUSTED_MESSAGE });
  void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
