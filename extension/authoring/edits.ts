// Edits of an experiment file as undoable WorkspaceEdits: jsonc-parser computes the minimal text
// edits for a value at a path (comments and formatting around it survive), we apply them through
// the editor so Ctrl+Z undoes them.
import { modify, parseTree, findNodeAtLocation, getNodeValue, type JSONPath } from 'jsonc-parser';
import * as vscode from 'vscode';

export interface FieldEdit {
  path: JSONPath;
  /** undefined removes the field. */
  value: unknown;
}

function indentOf(doc: vscode.TextDocument): { tabSize: number; insertSpaces: boolean } {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const tabSize = typeof editor?.options.tabSize === 'number' ? editor.options.tabSize : 2;
  return { tabSize, insertSpaces: editor?.options.insertSpaces !== false };
}

/** Apply several field edits as ONE undoable edit; returns whether the editor applied it. */
export async function editFields(doc: vscode.TextDocument, edits: FieldEdit[]): Promise<boolean> {
  let text = doc.getText();
  const ws = new vscode.WorkspaceEdit();
  // each modify() is computed on the text as the previous ones left it, so apply them in sequence
  // to a scratch copy and replace the whole document once (one undo step)
  const { tabSize, insertSpaces } = indentOf(doc);
  for (const e of edits) {
    const te = modify(text, e.path, e.value, { formattingOptions: { tabSize, insertSpaces, eol: doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n' } });
    for (const t of [...te].sort((a, b) => b.offset - a.offset)) text = text.slice(0, t.offset) + t.content + text.slice(t.offset + t.length);
  }
  const before = doc.getText();
  if (text === before) return true;
  // replace only the span that changed (cursors and folding elsewhere stay put)
  let start = 0;
  while (start < before.length && start < text.length && before[start] === text[start]) start++;
  let end = 0;
  while (end < before.length - start && end < text.length - start && before[before.length - 1 - end] === text[text.length - 1 - end]) end++;
  ws.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(before.length - end)), text.slice(start, text.length - end));
  return vscode.workspace.applyEdit(ws);
}

/** The value at a path as written in the file (undefined when absent or unparsable). */
export function fieldValue(doc: vscode.TextDocument, path: JSONPath): unknown {
  const root = parseTree(doc.getText(), [], { allowTrailingComma: true });
  if (!root) return undefined;
  const node = findNodeAtLocation(root, path);
  return node ? getNodeValue(node) : undefined;
}
