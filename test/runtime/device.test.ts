// `device: auto` probes the GPU providers and says which one it took. A CUDA provider that is not
// installed is found by its missing library, before any probe session: such a session made
// onnxruntime print a red "[E:onnxruntime ...] Failed to load library" on every run without CUDA.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const deviceModule = path.resolve(__dirname, '..', '..', 'src', 'runtime', 'device.js');

test('auto says which device it took and prints no onnxruntime error for a CUDA provider that is not installed', () => {
  const script = `require(${JSON.stringify(deviceModule)}).resolveDevice('auto').then((r) => console.log(JSON.stringify(r)))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { device, note } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { device: string; note: string };
  assert.match(note, /^auto: using (cpu|cuda|webgpu)/);
  assert.doesNotMatch(r.stderr, /E:onnxruntime/);
  if (device === 'cpu') assert.match(note, /cuda \(/, 'the note says why CUDA was skipped');
});
