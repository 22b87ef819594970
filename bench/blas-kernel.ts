// Which OpenBLAS kernel the torch peer runs. Debian's OpenBLAS (0.3.21) picks its kernel from the
// CPU's model id; where a hypervisor masks that id it falls back to the generic "Prescott"
// kernel, 4-6x slower than the CPU allows (issue 24: 59 against 275 GFLOP/s for a 2048³ sgemm
// on an AVX-512 Xeon). A peer at a fraction of its speed makes every torch/ORT ratio a lie, so
// the peer process gets the best kernel its CPU *flags* allow (OPENBLAS_CORETYPE, for that
// process only, unless the user set one), and each report prints the kernel and a GEMM rate for
// both sides, so a reader can see the peer ran at full speed.
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { Graph, op, serialize } from '../src/onnx';
import { sessionOptions } from '../src/runtime/device';

/** The CPU's feature flags (Linux /proc/cpuinfo; empty elsewhere). */
export function cpuFlags(cpuinfo = safeRead('/proc/cpuinfo')): Set<string> {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(line ? line.replace(/^flags\s*:/, '').trim().split(/\s+/) : []);
}

function safeRead(f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The fastest x86-64 OpenBLAS core type these flags can run, with the flags that justify it;
 * null when none is known better than autodetection (no flags: not Linux x86, or unknown).
 * Cooperlake = SkylakeX + bf16; SkylakeX needs the AVX-512 F/CD/BW/DQ/VL subsets; Haswell AVX2 + FMA.
 */
export function openblasCoretypeFor(flags: Set<string>): { core: string; why: string } | null {
  const all = (...f: string[]) => f.every((x) => flags.has(x));
  const avx512 = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];
  if (all(...avx512, 'avx512_bf16')) return { core: 'Cooperlake', why: [...avx512, 'avx512_bf16'].join(' ') };
  if (all(...avx512)) return { core: 'SkylakeX', why: avx512.join(' ') };
  if (all('avx2', 'fma')) return { core: 'Haswell', why: 'avx2 fma' };
  if (all('avx')) return { core: 'Sandybridge', why: 'avx' };
  return null;
}

/** The environment the peer process runs with: OPENBLAS_CORETYPE from the flags unless already set. */
export function peerBlasEnv(env: NodeJS.ProcessEnv = process.env, flags = cpuFlags()): { env: Record<string, string>; note: string } {
  if (env.OPENBLAS_CORETYPE) return { env: {}, note: `OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE} (set by you)` };
  const pick = openblasCoretypeFor(flags);
  if (!pick) return { env: {}, note: 'OpenBLAS autodetects its kernel (no CPU flags to pick one from)' };
  return { env: { OPENBLAS_CORETYPE: pick.core }, note: `OPENBLAS_CORETYPE=${pick.core} for the peer (CPU flags ${pick.why})` };
}

/** onnxruntime's own GEMM rate on this machine: an n³ float32 MatMul, best of `reps`, GFLOP/s. */
export async function ortGemmGflops(threads: number, n = 1024, reps = 10): Promise<number> {
  const g = new Graph('float32', 'gemm');
  const a = g.input('a', [n, n]);
  const b = g.input('b', [n, n]);
  g.output(op.matmul(a, b), 'c');
  const s = await ort.InferenceSession.create(serialize(g), sessionOptions('cpu', threads));
  const feeds = { a: new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [n, n]), b: new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [n, n]) };
  for (let i = 0; i < 3; i++) await s.run(feeds);
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await s.run(feeds);
    best = Math.min(best, performance.now() - t);
  }
  await s.release();
  return (2 * n ** 3) / (best * 1e6);
}
