// Entry point VS Code calls with extensionTestsPath: run every *.test.js here with mocha and write
// the results next to the workspace (the harness reads them and prints the closing line).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import Mocha from 'mocha';

interface Result {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms: number;
  error?: string;
}

export async function run(): Promise<void> {
  const trusted = vscode.workspace.isTrusted;
  // An untrusted window runs only the restricted-mode tests, a trusted one everything else.
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // the harness's --grep arrives as a file beside the workspace (the URL cannot carry environment)
  const grepFile = ws ? path.join(path.dirname(ws), 'mocha-grep.txt') : '';
  const grep = grepFile && fs.existsSync(grepFile) ? fs.readFileSync(grepFile, 'utf8').trim() : '';
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec', grep: grep || /\[untrusted\]/, invert: !grep && trusted });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  await mocha.loadFilesAsync();
  const results: Result[] = [];
  const started = Date.now();
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 }));
    runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', ms: t.duration ?? 0, error: err?.stack ?? String(err) }));
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending', ms: 0 }));
  });
  if (ws) {
    const file = path.join(path.dirname(ws), trusted ? 'results.json' : 'results-untrusted.json');
    fs.writeFileSync(file, JSON.stringify({ trusted, ms: Date.now() - started, results }, null, 2));
  }
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
