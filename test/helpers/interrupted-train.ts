// `jest-studio train FILE --run-dir DIR --events` in a child process, stopped with one SIGINT once
// it has logged step `atStep` (a second SIGINT would quit at once, without the checkpoint).
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../src/cli.js');

export async function trainUntilSigint(file: string, runDir: string, atStep: number, opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, 'train', file, '--run-dir', runDir, '--events'], opts);
  let out = '';
  let signalled = false;
  const at = new RegExp(`"type":"step","step":${atStep}\\b`);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!signalled && at.test(out)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out };
}
