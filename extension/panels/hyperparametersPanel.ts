// The hyperparameter panel: one per experiment document, bound both ways to it. The document is
// the truth: a form edit becomes a WorkspaceEdit of the file (so Ctrl+Z in the editor undoes it,
// and the file's comments survive), and every change of the document, whoever made it, is sent
// back to the form with the engine's diagnostics.
import * as vscode from 'vscode';
import type { IpcMessage } from '../../protocol/base';
import {
  DidChangeDocumentNotification,
  DidChangeStateNotification,
  HYPERPARAMETERS_VIEW_TYPE,
  PROTOCOL_VERSION,
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
import { panelLog, webviewOptions } from './common';
import { PanelBase, PanelRegistry } from './panelBase';
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

const panels = new PanelRegistry<HyperparametersPanel>();

export class HyperparametersPanel extends PanelBase {
  static createOrShow(ctx: vscode.ExtensionContext, document: vscode.TextDocument): HyperparametersPanel {
    return panels.showOrCreate(
      document.uri.toString(),
      (p) => p.reveal(),
      () => new HyperparametersPanel(vscode.window.createWebviewPanel(HYPERPARAMETERS_VIEW_TYPE, HyperparametersPanel.title(document), vscode.ViewColumn.Beside, webviewOptions(ctx)), ctx, document),
    );
  }

  static revive(panel: vscode.WebviewPanel, ctx: vscode.ExtensionContext, document: vscode.TextDocument): void {
    panels.revive(document.uri.toString(), () => {
      panel.webview.options = webviewOptions(ctx);
      return new HyperparametersPanel(panel, ctx, document);
    });
  }

  private static title(d: vscode.TextDocument): string {
    return `Hyperparameters: ${d.uri.path.split('/').pop()}`;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    ctx: vscode.ExtensionContext,
    private readonly document: vscode.TextDocument,
  ) {
    super(panel, ctx, { bundle: 'hyperparameters', protocol: PROTOCOL_VERSION, ready: ReadyCommand, logName: 'hyperparameters', registry: panels, key: document.uri.toString() });
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

  protected onReady(): void {
    const text = this.document.getText();
    this.post(DidChangeStateNotification.create({ fileName: this.document.uri.path.split('/').pop() ?? '', uri: this.document.uri.toString(), fields: fields().list, ...formState(text) }));
  }

  protected onMessage(msg: IpcMessage): void {
    if (SetValueCommand.is(msg)) {
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

}
