// CodeLens at the top of an experiment file: Run, Open dashboard (its runs), Hyperparameters.
import * as vscode from 'vscode';

export class ExperimentCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    // on the line of the opening brace, so comments above it stay readable
    const text = doc.getText();
    const brace = Math.max(0, text.search(/^\s*\{/m));
    const range = new vscode.Range(doc.positionAt(brace), doc.positionAt(brace));
    return [
      new vscode.CodeLens(range, { title: '$(play) Run', command: 'jestStudio.startRun', arguments: [doc.uri] }),
      new vscode.CodeLens(range, { title: '$(graph-line) Open dashboard', command: 'jestStudio.openDashboard', arguments: [doc.uri] }),
      new vscode.CodeLens(range, { title: '$(settings) Hyperparameters', command: 'jestStudio.openHyperparameterPanel', arguments: [doc.uri] }),
    ];
  }
}
