// `device: auto` probes the GPU providers. A probe that fails is reported in the device note;
// onnxruntime's own error log of it (a red "[E:onnxruntime ...] Failed to load library" line on
// every run without CUDA) stays quiet unless JEST_STUDIO_ORT_LOG asks for it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const deviceModule = path.resolve(__dirname, '..', '..', 'src', 'runtime', 'device.js');

function probeAuto(env: Record<string, string>): { device: string; note: string; stderr: string } {
  const script = `require(${JSON.stringify(deviceModule)}).resolveDevice('auto').then((r) => console.log(JSON.stringify(r)))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

test('auto says which device it took and prints no onnxruntime error for a provider it skipped', () => {
  const quiet = probeAuto({ JEST_STUDIO_ORT_LOG: '' });
  assert.match(quiet.note, /^auto: using (cpu|cuda|webgpu)/);
  assert.doesNotMatch(quiet.stderr, /E:onnxruntime/);
  if (quiet.device === 'cuda') return; // nothing failed to load, so there is nothing to be quiet about
  assert.match(quiet.note, /cuda \(/, 'the note names why CUDA was skipped');
  // the same probe with onnxruntime's errors asked for: the log the default keeps out
  const loud = probeAuto({ JEST_STUDIO_ORT_LOG: 'error' });
  assert.match(loud.stderr, /E:onnxruntime/);
});
