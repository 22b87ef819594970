// The engine's own validation as diagnostics, for what a JSON Schema cannot express (super-batch
// arithmetic, patch sizes the model must have, a reference the score needs) and for JSONC syntax.
// Schema errors are left to VS Code's JSON service (contributes.jsonValidation), which reports the
// same things: showing both would double every squiggle.
import * as vscode from 'vscode';
import { parseExperiment, type Diagnostic as EngineDiagnostic, type ParsedExperiment } from '../../src/config/validate';
import { isExperimentDocument } from './documents';

const DEBOUNCE_MS = 300;

export function toDiagnostic(doc: vscode.TextDocument, d: EngineDiagnostic): vscode.Diagnostic {
  const start = doc.positionAt(d.offset);
  const end = doc.positionAt(d.offset + Math.max(d.length, 0));
  const range = start.isEqual(end) ? doc.getWordRangeAtPosition(start) ?? new vscode.Range(start, start.translate(0, 1)) : new vscode.Range(start, end);
  const out = new vscode.Diagnostic(range, d.path ? `${d.path}: ${d.message}` : d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  out.source = 'JEST';
  out.code = d.kind;
  return out;
}

export class ExperimentDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('jest-studio');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.subs = [
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Validate now; returns the engine's parse (all diagnostic kinds) for callers that need it. */
  validate(doc: vscode.TextDocument): ParsedExperiment {
    const parsed = parseExperiment(doc.getText(), doc.fileName);
    this.collection.set(doc.uri, parsed.diagnostics.filter((d) => d.kind !== 'schema').map((d) => toDiagnostic(doc, d)));
    return parsed;
  }

  private schedule(doc: vscode.TextDocument, ms: number): void {
    if (!isExperimentDocument(doc)) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!doc.isClosed) this.validate(doc);
      }, ms),
    );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
  }
}
