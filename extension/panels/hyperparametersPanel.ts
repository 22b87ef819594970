// The hyperparameter panel: one per experiment document, bound both ways to it. The document is
// the truth: a form edit becomes a WorkspaceEdit of the file (so Ctrl+Z in the editor undoes it,
// and the file's comments survive), and every change of the document, whoever made it, is sent
// back to the form with the engine's diagnostics.
import * as vscode from 'vscode';
import { isIpcMessage, validateReady } from '../../protocol/base';
import {
  DidChangeDocumentNotification,
  DidChangeStateNotification,
  HYPERPARAMETERS_VIEW_TYPE,
  ReadyCommand,
  ResetValueCommand,
  RunCommand,
  SetValueCommand,
  validateResetValue,
  validateRun,
  fieldSegments,
  validateSetValue,
  type FieldSpec,
  type FieldValue,
  type FormField,
} from '../../protocol/hyperparameters';
import { logRefused, pageHtml, panelLog, webviewOptions } from './common';
import { editFields } from '../authoring/edits';
import { fieldSpecs, formState } from './formFields';

let specs: { list: FieldSpec[]; byPath: Map<string, FieldSpec> } | undefined;
function fields() {
  if (!specs) {
    const list = fieldSpecs();
    specs = { list, byPath: new Map(list.map((f) => [f.path, f])) };
  }
  return specs;
}

export class HyperparametersPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, HyperparametersPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  static createOrShow(ctx: vscode.ExtensionContext, document: vscode.TextDocument): HyperparametersPanel {
    const key = document.uri.toString();
    const existing = HyperparametersPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(HYPERPARAMETERS_VIEW_TYPE, HyperparametersPanel.title(document), vscode.ViewColumn.Beside, webviewOptions(ctx));
    const p = new HyperparametersPanel(panel, ctx, document);
    HyperparametersPanel.panels.set(key, p);
    return p;
  }

  static revive(panel: vscode.WebviewPanel, ctx: vscode.ExtensionContext, document: vscode.TextDocument): void {
    const key = document.uri.toString();
    HyperparametersPanel.panels.get(key)?.dispose();
    panel.webview.options = webviewOptions(ctx);
    HyperparametersPanel.panels.set(key, new HyperparametersPanel(panel, ctx, document));
  }

  private static title(d: vscode.TextDocument): string {
    return `Hyperparameters: ${d.uri.path.split('/').pop()}`;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    ctx: vscode.ExtensionContext,
    private readonly document: vscode.TextDocument,
  ) {
    panel.webview.html = pageHtml(ctx, panel.webview, 'hyperparameters', panel.title);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.onDidChangeViewState(() => (this.ready = this.ready && panel.visible), null, this.disposables);
    panel.webview.onDidReceiveMessage((m) => this.onMessage(m), null, this.disposables);
    vscode.workspace.onDidChangeTextDocument(
      (e) => {
        if (e.document === this.document && this.ready) this.postDocument();
      },
      null,
      this.disposables,
    );
    vscode.workspace.onDidCloseTextDocument(
      (d) => {
        // the form has nothing left to edit once the document is gone (and not reopened at once)
        if (d === this.document) this.dispose();
      },
      null,
      this.disposables,
    );
  }

  private onMessage(msg: unknown): void {
    try {
      if (!isIpcMessage(msg)) throw new Error('not a protocol message');
      if (ReadyCommand.is(msg)) {
        validateReady(msg.params);
        this.ready = true;
        const text = this.document.getText();
        void this.panel.webview.postMessage(
          DidChangeStateNotification.create({ fileName: this.document.uri.path.split('/').pop() ?? '', uri: this.document.uri.toString(), fields: fields().list, ...formState(text) }),
        );
      } else if (SetValueCommand.is(msg)) {
        const { path, value } = validateSetValue(msg.params, fields().byPath);
        void this.edit(path, value);
      } else if (ResetValueCommand.is(msg)) {
        void this.edit(validateResetValue(msg.params).path, undefined);
      } else if (RunCommand.is(msg)) {
        validateRun(msg.params);
        void this.run();
      } else {
        throw new Error('unknown method');
      }
    } catch (err) {
      logRefused('hyperparameters', msg, err);
    }
  }

  private postDocument(): void {
    void this.panel.webview.postMessage(DidChangeDocumentNotification.create(formState(this.document.getText())));
  }

  /** One field, one WorkspaceEdit (the authoring code's editFields: undoable, comments kept). */
  private async edit(path: FormField, value: FieldValue | undefined): Promise<void> {
    if (!(await editFields(this.document, [{ path: fieldSegments(path), value }]))) {
      panelLog().warn(`hyperparameters: the edit of ${path} was not applied`);
      this.postDocument(); // put the form back to what the file says
    }
  }

  private async run(): Promise<void> {
    if (this.document.isDirty) await this.document.save();
    await vscode.commands.executeCommand('jestStudio.startRun', this.document.uri);
  }

  dispose(): void {
    const key = this.document.uri.toString();
    if (HyperparametersPanel.panels.get(key) === this) HyperparametersPanel.panels.delete(key);
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
