// The torch peer's OpenBLAS kernel is chosen from the CPU's flags (issue 24: a masked model id
// made Debian's OpenBLAS fall back to its generic kernel, 4-6x slow), for the peer only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuFlags, openblasCoretypeFor, peerBlasEnv } from '../../bench/blas-kernel';

const flags = (s: string) => cpuFlags(`processor\t: 0\nmodel name\t: Intel Xeon Processor (masked)\nflags\t\t: ${s}\n`);

test('the best kernel the flags allow: Cooperlake with bf16, SkylakeX with AVX-512, Haswell with AVX2 + FMA, Sandybridge with AVX', () => {
  const avx512 = 'fpu sse sse2 avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl';
  assert.equal(openblasCoretypeFor(flags(`${avx512} avx512_bf16`))?.core, 'Cooperlake');
  assert.equal(openblasCoretypeFor(flags(avx512))?.core, 'SkylakeX');
  assert.equal(openblasCoretypeFor(flags('sse avx avx2 fma avx512f'))?.core, 'Haswell', 'AVX-512F alone is not SkylakeX');
  assert.equal(openblasCoretypeFor(flags('sse avx'))?.core, 'Sandybridge');
  assert.equal(openblasCoretypeFor(flags('sse sse2')), null);
  assert.equal(openblasCoretypeFor(cpuFlags('')), null, 'no /proc/cpuinfo: leave it to autodetection');
});

test('the peer gets OPENBLAS_CORETYPE unless the user chose one', () => {
  const f = flags('avx avx2 fma');
  assert.deepEqual(peerBlasEnv({}, f).env, { OPENBLAS_CORETYPE: 'Haswell' });
  assert.match(peerBlasEnv({}, f).note, /OPENBLAS_CORETYPE=Haswell for the peer \(CPU flags avx2 fma\)/);
  assert.deepEqual(peerBlasEnv({ OPENBLAS_CORETYPE: 'Zen' }, f).env, {});
  assert.match(peerBlasEnv({ OPENBLAS_CORETYPE: 'Zen' }, f).note, /set by you/);
});
