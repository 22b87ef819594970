import * as vscode from 'vscode';

export const EXPERIMENT_GLOB = '**/*.jest.json';

export function isExperimentDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && doc.fileName.endsWith('.jest.json');
}
