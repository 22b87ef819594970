// One-shot engine commands (export, compare, reference embeddings) as child processes with a
// progress notification: stdout is the result, stderr the log, a non-zero exit says why.
import * as vscode from 'vscode';
import { forkCli } from './child';

export interface JobResult {
  code: number | null;
  stdout: string;
  stderr: string[];
}

export function runJob(script: string, args: string[], cwd: string, title: string, log?: vscode.OutputChannel): Thenable<JobResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    new Promise<JobResult>((resolve) => {
      const stderr: string[] = [];
      let stdout = '';
      const child = forkCli(script, args, cwd, {
        onEvent: () => undefined,
        onStdout: (t) => (stdout += t),
        onStderr: (line) => {
          stderr.push(line);
          log?.appendLine(line);
          progress.report({ message: line.slice(0, 120) });
        },
        onExit: (code) => resolve({ code, stdout, stderr }),
        onError: (err) => stderr.push(err.message),
      });
      token.onCancellationRequested(() => child.kill('SIGTERM'));
    }),
  );
}

/** "exit code 1: <last stderr line>" for an error message. */
export function jobFailure(r: JobResult): string {
  const last = r.stderr.filter((l) => l.trim()).slice(-2).join(' | ');
  return `exit code ${r.code}${last ? `: ${last}` : ''}`;
}
