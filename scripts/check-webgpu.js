#!/usr/bin/env node
// JEST Studio: check onnxruntime-node's WebGPU execution provider (Dawn on Vulkan) on this machine.
//
//   node scripts/check-webgpu.js [--quick] [--traps] [--any-driver] [--steps N] [--json]
//
//   (i)   a Gemm + Add + Softmax + ReduceSum graph on WebGPU matches the CPU EP within 1e-5;
//   (ii)  IO binding: `preferredOutputLocation` 'gpu-buffer' outputs fed back as inputs for N steps
//         (default 100) of a params ping-pong p' = p - 0.01 * (p @ W), read back at the end through
//         a WebGPU session whose output location is 'cpu', compared with the same loop on the CPU EP;
//   (iii) op placement (unless --quick): each op a transformer train step needs, in float32, built as
//         a one-op graph, run on WebGPU with verbose logging (in a child process, whose stderr carries
//         ORT's "Node placements" lines), compared with the CPU EP; plus float64 variants;
//   --traps  also demonstrates, each in its own child process, the behaviours that abort or mislead
//            (getData() on a gpu-buffer tensor, releasing every WebGPU session while a gpu-buffer
//            tensor lives, a gpu-buffer tensor fed to a CPU-EP session, VK_ICD_FILENAMES timing).
//
// Driver: with neither VK_ICD_FILENAMES nor VK_DRIVER_FILES set, it points VK_ICD_FILENAMES at Mesa's
// lavapipe ICD (software Vulkan; install with `bash scripts/setup-system.sh --vulkan`) so results do not
// depend on whatever GPU the machine has. --any-driver leaves the Vulkan loader to choose (real GPUs).
// The variable must be set before the FIRST WebGPU session of the process (not necessarily before
// require('onnxruntime-node')); Dawn's adapter is created once per process, and a failed attempt sticks.
//
// Exit codes: 0 all checks passed; 1 a check failed (mismatch, op not on WebGPU); 2 no WebGPU adapter
// or onnxruntime-node missing.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ARGV = process.argv.slice(2);
const flag = (name) => ARGV.includes(name);
const optNum = (name, dflt) => {
  const i = ARGV.indexOf(name);
  return i >= 0 && ARGV[i + 1] !== undefined ? Number(ARGV[i + 1]) : dflt;
};
const ROLE = ARGV[0] === '--worker' ? ARGV[1] : 'main';

// ------------------------------------------------------------------------------------------ driver
const LVP_CANDIDATES = [
  '/usr/share/vulkan/icd.d/lvp_icd.json', // Mesa 25 (bookworm-backports)
  `/usr/share/vulkan/icd.d/lvp_icd.${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}.json`,
  '/etc/vulkan/icd.d/lvp_icd.json',
];
function findLavapipeIcd() {
  for (const f of LVP_CANDIDATES) if (fs.existsSync(f)) return f;
  for (const dir of ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d']) {
    try {
      const hit = fs.readdirSync(dir).find((n) => /^lvp_icd.*\.json$/.test(n));
      if (hit) return path.join(dir, hit);
    } catch { /* no such dir */ }
  }
  return null;
}
function findLibVulkan() {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu'];
  for (const d of dirs) if (fs.existsSync(path.join(d, 'libvulkan.so.1'))) return path.join(d, 'libvulkan.so.1');
  return null;
}

const driver = { icd: null, setByUs: false, libvulkan: findLibVulkan() };
if (ROLE === 'main' || ROLE === 'ops') {
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && !flag('--any-driver')) {
    driver.icd = findLavapipeIcd();
    if (driver.icd) {
      process.env.VK_ICD_FILENAMES = driver.icd; // must precede the first WebGPU session
      driver.setByUs = true;
    }
  } else {
    driver.icd = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || null;
  }
}

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error(`check-webgpu: cannot load onnxruntime-node (${e.message.split('\n')[0]}). Run npm ci first.`);
  process.exit(2);
}
const { onnx } = require('onnx-proto');

// ------------------------------------------------------------------------------------------ model building
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const ORT_TYPE = { [DT.FLOAT]: 'float32', [DT.DOUBLE]: 'float64', [DT.INT64]: 'int64', [DT.INT32]: 'int32', [DT.BOOL]: 'bool' };
const ARRAY_OF = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array, bool: Uint8Array };

const valueInfo = (name, elemType, dims) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});
function attribute(name, v) {
  if (v && typeof v === 'object' && 'f' in v) return { name, type: AT.FLOAT, f: v.f };
  if (v && typeof v === 'object' && 't' in v) return { name, type: AT.TENSOR, t: v.t };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: AT.INT, i: v } : { name, type: AT.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: AT.STRING, s: Buffer.from(v) };
  if (Array.isArray(v)) return { name, type: AT.INTS, ints: v };
  throw new Error(`attribute ${name}: unsupported value`);
}
const f = (x) => ({ f: x }); // force a FLOAT attribute for integral values (e.g. alpha: f(1))
const nodeProto = (op, inputs, outputs, attrs = {}, name) => ({
  opType: op, input: inputs, output: outputs, name: name || `${op}_${outputs[0]}`,
  attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
});
function tensorProto(name, elemType, dims, values) {
  const arr = new ARRAY_OF[ORT_TYPE[elemType]](values.map((v) => (elemType === DT.INT64 ? BigInt(v) : v)));
  return { name, dataType: elemType, dims, rawData: Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength) };
}
function buildModel({ nodes, inputs, outputs, inits = [], opset = 17 }) {
  const m = onnx.ModelProto.create({
    irVersion: 8, producerName: 'jest-studio-check-webgpu', opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'check', node: nodes, input: inputs, output: outputs, initializer: inits },
  });
  return onnx.ModelProto.encode(m).finish();
}

// ------------------------------------------------------------------------------------------ helpers
function rng(seed) { // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const R = rng(1234);
const randn = (n, scale = 1) => Array.from({ length: n }, () => scale * (R() + R() + R() - 1.5) * 2);
const prod = (dims) => dims.reduce((a, b) => a * b, 1);
const tensor = (type, values, dims) =>
  new ort.Tensor(type, new ARRAY_OF[type](type === 'int64' ? values.map(BigInt) : type === 'bool' ? values.map(Number) : values), dims);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) + ' ms';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function maxRelErr(a, b) { // max |a-b| / max(1, max|b|)
  let num = 0, den = 1;
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (!Number.isNaN(y)) { num = Math.max(num, Math.abs(x - y)); den = Math.max(den, Math.abs(y)); }
  }
  return num / den;
}
const ADAPTER_HELP = [
  'No WebGPU adapter: onnxruntime-node\'s WebGPU EP (Dawn) needs a Vulkan driver that Dawn accepts.',
  '  - install one:   bash scripts/setup-system.sh --vulkan   (Mesa 25 lavapipe from bookworm-backports)',
  '  - check it:      vulkaninfo | grep ArrayDynamicIndexing   (all four shader*ArrayDynamicIndexing = true;',
  '                   bookworm\'s own Mesa 22.3 lavapipe lacks them and Dawn rejects it)',
  '  - VK_ICD_FILENAMES must name an existing ICD JSON and be set before the first WebGPU session.',
].join('\n');
const isAdapterError = (e) => /Failed to get a WebGPU adapter|No supported adapters|RequestAdapter/i.test(String(e && e.message));

const report = { driver, facts: {}, timings: {}, checks: {}, ops: null };
let failures = 0;
function check(name, ok, detail) {
  report.checks[name] = { ok, detail };
  if (!ok) failures++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
}

// ------------------------------------------------------------------------------------------ (i) forward graph
// y = Softmax(Gemm(x, W, b, transB=1) + r, axis=-1); s = ReduceSum(y, axes=[1], keepdims=0)
async function checkForward() {
  const B = 16, K = 64, N = 32;
  const bytes = buildModel({
    nodes: [
      nodeProto('Gemm', ['x', 'W', 'b'], ['g'], { transB: 1, alpha: f(1), beta: f(1) }),
      nodeProto('Add', ['g', 'r'], ['a']),
      nodeProto('Softmax', ['a'], ['y'], { axis: -1 }),
      nodeProto('ReduceSum', ['y', 'axes'], ['s'], { keepdims: 0 }),
    ],
    inputs: [valueInfo('x', DT.FLOAT, [B, K]), valueInfo('W', DT.FLOAT, [N, K]), valueInfo('b', DT.FLOAT, [N]), valueInfo('r', DT.FLOAT, [B, N])],
    outputs: [valueInfo('y', DT.FLOAT, [B, N]), valueInfo('s', DT.FLOAT, [B])],
    inits: [tensorProto('axes', DT.INT64, [1], [1])],
  });
  const feeds = {
    x: tensor('float32', randn(B * K), [B, K]), W: tensor('float32', randn(N * K, 0.2), [N, K]),
    b: tensor('float32', randn(N, 0.1), [N]), r: tensor('float32', randn(B * N), [B, N]),
  };
  const t = {};
  let t0 = now();
  let gpu;
  try {
    gpu = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
  } catch (e) {
    if (isAdapterError(e)) {
      console.error(`FAIL  WebGPU session creation: ${e.message.trim().split('\n').pop()}\n${ADAPTER_HELP}`);
      report.facts.adapterError = e.message.trim();
      if (flag('--json')) console.log(JSON.stringify(report, null, 2));
      process.exit(2);
    }
    throw e;
  }
  t.webgpuCreate = now() - t0;
  t0 = now(); const g = await gpu.run(feeds); t.webgpuFirstRun = now() - t0;
  const later = [];
  for (let i = 0; i < 20; i++) { t0 = now(); await gpu.run(feeds); later.push(now() - t0); }
  t.webgpuLaterRunMedian = median(later);

  t0 = now(); const cpu = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] }); t.cpuCreate = now() - t0;
  t0 = now(); const c = await cpu.run(feeds); t.cpuFirstRun = now() - t0;
  const laterC = [];
  for (let i = 0; i < 20; i++) { t0 = now(); await cpu.run(feeds); laterC.push(now() - t0); }
  t.cpuLaterRunMedian = median(laterC);
  report.timings.forward = t;
  console.log(`      Gemm+Add+Softmax+ReduceSum [${B}x${K}]x[${K}x${N}]: WebGPU create ${fmt(t.webgpuCreate)}, first run ${fmt(t.webgpuFirstRun)}, ` +
    `later runs ${fmt(t.webgpuLaterRunMedian)} | CPU EP create ${fmt(t.cpuCreate)}, first ${fmt(t.cpuFirstRun)}, later ${fmt(t.cpuLaterRunMedian)}`);
  const ey = maxRelErr(g.y.data, c.y.data), es = maxRelErr(g.s.data, c.s.data);
  check('(i) Gemm+Add+Softmax+ReduceSum on WebGPU == CPU EP within 1e-5', ey <= 1e-5 && es <= 1e-5,
    `max err y ${ey.toExponential(2)}, s ${es.toExponential(2)}; output location '${g.y.location}'`);
  await cpu.release();
  return gpu; // keep one WebGPU session alive for the whole run (trap 3)
}

// ------------------------------------------------------------------------------------------ (ii) IO binding ping-pong
async function checkPingPong(steps) {
  const B = 32, D = 128;
  const step = buildModel({
    nodes: [
      nodeProto('MatMul', ['p', 'W'], ['pw']),
      nodeProto('Mul', ['pw', 'lr'], ['d']),
      nodeProto('Sub', ['p', 'd'], ['p_next']),
      nodeProto('ReduceSumSquare', ['p_next'], ['sq'], { keepdims: 0 }), // a small CPU-side metric
    ],
    inputs: [valueInfo('p', DT.FLOAT, [B, D]), valueInfo('W', DT.FLOAT, [D, D])],
    outputs: [valueInfo('p_next', DT.FLOAT, [B, D]), valueInfo('sq', DT.FLOAT, [])],
    inits: [tensorProto('lr', DT.FLOAT, [], [0.01])],
  });
  const ident = (dims) => buildModel({
    nodes: [nodeProto('Identity', ['in'], ['out'])],
    inputs: [valueInfo('in', DT.FLOAT, dims)], outputs: [valueInfo('out', DT.FLOAT, dims)],
  });
  const p0 = randn(B * D), W = randn(D * D, 0.05);
  const t = {};

  // CPU reference loop (CPU EP, same graph)
  const cpu = await ort.InferenceSession.create(step, { executionProviders: ['cpu'] });
  let p = tensor('float32', p0, [B, D]);
  const Wc = tensor('float32', W, [D, D]);
  let t0 = now();
  for (let i = 0; i < steps; i++) p = (await cpu.run({ p, W: Wc })).p_next;
  t.cpuLoop = now() - t0;
  const ref = p.data;

  // WebGPU loop: parameters never leave the GPU
  t0 = now();
  const gpuStep = await ort.InferenceSession.create(step, {
    executionProviders: ['webgpu'],
    preferredOutputLocation: { p_next: 'gpu-buffer', sq: 'cpu' }, // per-output map; a plain 'gpu-buffer' string sets all
  });
  const upload = await ort.InferenceSession.create(ident([D, D]), { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
  const uploadP = await ort.InferenceSession.create(ident([B, D]), { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
  const readback = await ort.InferenceSession.create(ident([B, D]), { executionProviders: ['webgpu'], preferredOutputLocation: 'cpu' });
  t.webgpuCreate4Sessions = now() - t0;

  const Wg = (await upload.run({ in: Wc })).out; // upload once: CPU tensor -> gpu-buffer tensor
  let pg = (await uploadP.run({ in: tensor('float32', p0, [B, D]) })).out;
  report.facts.outputLocation = pg.location;
  report.facts.gpuBufferIsExternal = Object.prototype.toString.call(pg.gpuBuffer);
  let sq;
  const stepTimes = [];
  t0 = now();
  for (let i = 0; i < steps; i++) {
    const s0 = now();
    const r = await gpuStep.run({ p: pg, W: Wg });
    stepTimes.push(now() - s0);
    if (r.p_next.location !== 'gpu-buffer') throw new Error(`p_next came back on '${r.p_next.location}'`);
    pg.dispose(); // frees the previous step's GPU buffer now (location becomes 'none'); never getData() it
    pg = r.p_next;
    sq = r.sq;
  }
  t.webgpuLoop = now() - t0;
  t.webgpuFirstStep = stepTimes[0];
  t.webgpuLaterStepMedian = median(stepTimes.slice(1));
  t0 = now();
  const back = (await readback.run({ in: pg })).out; // the safe readback: a WebGPU session with 'cpu' output
  t.readback = now() - t0;
  report.timings.pingPong = { steps, B, D, ...t };
  const err = maxRelErr(back.data, ref);
  let exact = true;
  for (let i = 0; i < ref.length; i++) if (back.data[i] !== ref[i]) { exact = false; break; }
  // run() with gpu-buffer outputs returns once the work is SUBMITTED; the readback waits for it all.
  t.webgpuLoopPlusReadback = t.webgpuLoop + t.readback;
  console.log(`      ${steps} steps p' = p - 0.01*(p@W), p [${B}x${D}]: WebGPU loop+readback ${fmt(t.webgpuLoopPlusReadback)} ` +
    `(first step ${fmt(t.webgpuFirstStep)}, later steps ${fmt(t.webgpuLaterStepMedian)} to submit, readback ${fmt(t.readback)}) | CPU EP loop ${fmt(t.cpuLoop)}`);
  check(`(ii) gpu-buffer ping-pong, ${steps} steps, == CPU EP loop within 1e-5`, err <= 1e-5 && sq.location === 'cpu',
    `max err ${err.toExponential(2)}${exact ? ' (bit-exact)' : ''}; p_next location 'gpu-buffer', sq location '${sq.location}'`);

  // Tensor.fromGpuBuffer in Node: wraps the binding's external handle; no download/dispose attached
  const wrapped = ort.Tensor.fromGpuBuffer(pg.gpuBuffer, { dataType: 'float32', dims: [B, D] });
  const back2 = (await readback.run({ in: wrapped })).out;
  check('Tensor.fromGpuBuffer(t.gpuBuffer, {dataType, dims}) is usable as a WebGPU input', maxRelErr(back2.data, ref) <= 1e-5,
    `location '${wrapped.location}'`);
  pg.dispose();
  report.facts.locationAfterDispose = pg.location;
  Wg.dispose();

  // graph optimisation level: same loop, 20 steps, disabled vs all
  const opt = {};
  for (const level of ['disabled', 'all']) {
    const s = await ort.InferenceSession.create(step, { executionProviders: ['webgpu'], graphOptimizationLevel: level, preferredOutputLocation: { p_next: 'gpu-buffer', sq: 'cpu' } });
    let q = (await uploadP.run({ in: tensor('float32', p0, [B, D]) })).out;
    const Wq = (await upload.run({ in: Wc })).out;
    await s.run({ p: q, W: Wq });
    const ts = [];
    for (let i = 0; i < 20; i++) { const s0 = now(); const r = await s.run({ p: q, W: Wq }); ts.push(now() - s0); q.dispose(); q = r.p_next; }
    opt[level] = median(ts);
    q.dispose(); Wq.dispose(); await s.release();
  }
  report.timings.graphOptimizationLevel = opt;
  console.log(`      graphOptimizationLevel: disabled ${fmt(opt.disabled)}/step, all ${fmt(opt.all)}/step (submit time, median of 20)`);
  for (const s of [cpu, gpuStep, upload, uploadP]) await s.release();
  return readback;
}

// ------------------------------------------------------------------------------------------ (iii) op placement
// One-op (or few-op) graphs. inputs: [name, type, dims, values?]; values default to randn.
function opCases() {
  const F = DT.FLOAT, I64 = DT.INT64, BOOL = DT.BOOL, I32 = DT.INT32, D = DT.DOUBLE;
  const C = [];
  const add = (name, nodes, inputs, outputs, inits = [], opts = {}) => C.push({ name, nodes, inputs, outputs, inits, ...opts });
  const un = (op, attrs = {}, gen) => add(op, [nodeProto(op, ['x'], ['y'], attrs)], [['x', F, [4, 8], gen]], [['y', F, [4, 8]]]);
  const pos = (n) => Array.from({ length: n }, () => 0.1 + 3 * R());
  add('MatMul', [nodeProto('MatMul', ['a', 'b'], ['y'])], [['a', F, [4, 8]], ['b', F, [8, 5]]], [['y', F, [4, 5]]]);
  add('MatMul (batched 3-D)', [nodeProto('MatMul', ['a', 'b'], ['y'])], [['a', F, [2, 4, 8]], ['b', F, [2, 8, 5]]], [['y', F, [2, 4, 5]]]);
  add('MatMul (3-D x 2-D)', [nodeProto('MatMul', ['a', 'b'], ['y'])], [['a', F, [2, 4, 8]], ['b', F, [8, 5]]], [['y', F, [2, 4, 5]]]);
  add('Gemm (bias, alpha, beta)', [nodeProto('Gemm', ['a', 'b', 'c'], ['y'], { alpha: 0.5, beta: f(2) })], [['a', F, [4, 8]], ['b', F, [8, 5]], ['c', F, [5]]], [['y', F, [4, 5]]]);
  add('Gemm transA=1', [nodeProto('Gemm', ['a', 'b'], ['y'], { transA: 1 })], [['a', F, [8, 4]], ['b', F, [8, 5]]], [['y', F, [4, 5]]]);
  add('Gemm transB=1', [nodeProto('Gemm', ['a', 'b'], ['y'], { transB: 1 })], [['a', F, [4, 8]], ['b', F, [5, 8]]], [['y', F, [4, 5]]]);
  add('Gemm transA=1 transB=1', [nodeProto('Gemm', ['a', 'b'], ['y'], { transA: 1, transB: 1 })], [['a', F, [8, 4]], ['b', F, [5, 8]]], [['y', F, [4, 5]]]);
  add('LayerNormalization (Y, Mean, InvStdDev)', [nodeProto('LayerNormalization', ['x', 's', 'b'], ['y', 'mean', 'inv'], { axis: -1, epsilon: 1e-5 })],
    [['x', F, [4, 8]], ['s', F, [8]], ['b', F, [8]]], [['y', F, [4, 8]], ['mean', F, [4, 1]], ['inv', F, [4, 1]]]);
  add('LayerNormalization (Y only)', [nodeProto('LayerNormalization', ['x', 's', 'b'], ['y'], { axis: -1, epsilon: 1e-5 })],
    [['x', F, [4, 8]], ['s', F, [8]], ['b', F, [8]]], [['y', F, [4, 8]]]);
  un('Erf'); un('Softplus'); un('Sigmoid'); un('Exp'); un('Log', {}, pos); un('Sqrt', {}, pos);
  un('Tanh'); un('Relu'); un('Neg'); un('Abs');
  un('Softmax', { axis: -1 });
  add('ReduceSum (axes input)', [nodeProto('ReduceSum', ['x', 'ax'], ['y'], { keepdims: 1 })], [['x', F, [4, 8]]], [['y', F, [4, 1]]], [tensorProto('ax', I64, [1], [1])]);
  add('ReduceSum (all axes)', [nodeProto('ReduceSum', ['x'], ['y'], { keepdims: 0 })], [['x', F, [4, 8]]], [['y', F, []]]);
  add('ReduceSumSquare (axes attr)', [nodeProto('ReduceSumSquare', ['x'], ['y'], { axes: [1], keepdims: 0 })], [['x', F, [4, 8]]], [['y', F, [4]]]);
  add('ReduceMean (axes attr)', [nodeProto('ReduceMean', ['x'], ['y'], { axes: [-1], keepdims: 1 })], [['x', F, [4, 8]]], [['y', F, [4, 1]]]);
  add('Transpose 2-D', [nodeProto('Transpose', ['x'], ['y'], { perm: [1, 0] })], [['x', F, [4, 8]]], [['y', F, [8, 4]]]);
  add('Transpose 4-D (0,2,1,3)', [nodeProto('Transpose', ['x'], ['y'], { perm: [0, 2, 1, 3] })], [['x', F, [2, 3, 4, 5]]], [['y', F, [2, 4, 3, 5]]]);
  add('Transpose 4-D (0,1,3,2)', [nodeProto('Transpose', ['x'], ['y'], { perm: [0, 1, 3, 2] })], [['x', F, [2, 3, 4, 5]]], [['y', F, [2, 3, 5, 4]]]);
  // attention's q, k, v heads-first ([N, T, 3, H, dh] -> [3, N, H, T, dh]) and back
  add('Transpose 5-D (2,0,3,1,4)', [nodeProto('Transpose', ['x'], ['y'], { perm: [2, 0, 3, 1, 4] })], [['x', F, [2, 4, 3, 2, 5]]], [['y', F, [3, 2, 2, 4, 5]]]);
  add('Transpose 5-D (1,3,0,2,4)', [nodeProto('Transpose', ['x'], ['y'], { perm: [1, 3, 0, 2, 4] })], [['x', F, [3, 2, 2, 4, 5]]], [['y', F, [2, 4, 3, 2, 5]]]);
  add('Reshape', [nodeProto('Reshape', ['x', 'shape'], ['y'])], [['x', F, [4, 6]]], [['y', F, [3, 8]]], [tensorProto('shape', I64, [2], [3, -1])]);
  add('Concat', [nodeProto('Concat', ['a', 'b'], ['y'], { axis: 0 })], [['a', F, [2, 8]], ['b', F, [3, 8]]], [['y', F, [5, 8]]]);
  add('Split (sizes input)', [nodeProto('Split', ['x', 'sp'], ['y1', 'y2'], { axis: 1 })], [['x', F, [4, 8]]], [['y1', F, [4, 3]], ['y2', F, [4, 5]]], [tensorProto('sp', I64, [2], [3, 5])]);
  add('Slice (steps)', [nodeProto('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y'])], [['x', F, [6, 8]]], [['y', F, [4, 3]]],
    [tensorProto('st', I64, [2], [1, 2]), tensorProto('en', I64, [2], [5, 8]), tensorProto('ax', I64, [2], [0, 1]), tensorProto('sp', I64, [2], [1, 2])]);
  add('Gather (int64 indices)', [nodeProto('Gather', ['x', 'i'], ['y'], { axis: 0 })], [['x', F, [10, 4]], ['i', I64, [3, 2], () => [0, 9, 3, 3, 7, 1]]], [['y', F, [3, 2, 4]]]);
  add('ScatterND reduction=add (dup indices)', [nodeProto('ScatterND', ['x', 'i', 'u'], ['y'], { reduction: 'add' })],
    [['x', F, [6, 4]], ['i', I64, [5, 1], () => [0, 2, 2, 5, 0]], ['u', F, [5, 4]]], [['y', F, [6, 4]]]);
  add('Expand', [nodeProto('Expand', ['x', 'shape'], ['y'])], [['x', F, [1, 8]]], [['y', F, [4, 8]]], [tensorProto('shape', I64, [2], [4, 8])]);
  add('Equal (float) + Where', [nodeProto('Equal', ['a', 'b'], ['c']), nodeProto('Where', ['c', 'x', 'z'], ['y'])],
    [['a', F, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(3 * R()))], ['b', F, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(3 * R()))],
      ['x', F, [4, 8]], ['z', F, [4, 8]]], [['y', F, [4, 8]]]);
  add('Equal (int64 tokens) -> bool', [nodeProto('Equal', ['a', 'b'], ['y'])], [['a', I64, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(3 * R()))], ['b', I64, [1], () => [0]]], [['y', BOOL, [4, 8]]], [], { expect: 'cpu' });
  add('Where (bool input)', [nodeProto('Where', ['c', 'x', 'z'], ['y'])], [['c', BOOL, [4, 8], (n) => Array.from({ length: n }, () => R() < 0.5)], ['x', F, [4, 8]], ['z', F, [1]]], [['y', F, [4, 8]]]);
  add('Cast float->int32', [nodeProto('Cast', ['x'], ['y'], { to: I32 })], [['x', F, [4, 8], (n) => randn(n, 10)]], [['y', I32, [4, 8]]]);
  add('Cast int64->float', [nodeProto('Cast', ['x'], ['y'], { to: F })], [['x', I64, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(100 * R()) - 50)]], [['y', F, [4, 8]]], [], { expect: 'cpu' });
  add('Cast bool->float', [nodeProto('Cast', ['x'], ['y'], { to: F })], [['x', BOOL, [4, 8], (n) => Array.from({ length: n }, () => R() < 0.5)]], [['y', F, [4, 8]]]);
  add('Equal (int32) -> bool', [nodeProto('Equal', ['a', 'b'], ['y'])], [['a', I32, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(3 * R()))], ['b', I32, [1], () => [0]]], [['y', BOOL, [4, 8]]]);
  add('Cast int32->float', [nodeProto('Cast', ['x'], ['y'], { to: F })], [['x', I32, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(100 * R()) - 50)]], [['y', F, [4, 8]]]);
  add('Cast float->int64', [nodeProto('Cast', ['x'], ['y'], { to: I64 })], [['x', F, [4, 8], (n) => randn(n, 10)]], [['y', I64, [4, 8]]]);
  add('Gather (int32 indices)', [nodeProto('Gather', ['x', 'i'], ['y'], { axis: 0 })], [['x', F, [10, 4]], ['i', I32, [3, 2], () => [0, 9, 3, 3, 7, 1]]], [['y', F, [3, 2, 4]]]);
  add('mask: Equal(int64) -> Cast -> Mul (mixed)', [nodeProto('Equal', ['tok', 'pad'], ['m']), nodeProto('Cast', ['m'], ['mf'], { to: F }), nodeProto('Mul', ['x', 'mf'], ['y'])],
    [['tok', I64, [4, 8], (n) => Array.from({ length: n }, () => Math.floor(3 * R()))], ['pad', I64, [1], () => [0]], ['x', F, [4, 8]]], [['y', F, [4, 8]]], [], { expect: 'mixed' });
  add('Min', [nodeProto('Min', ['a', 'b'], ['y'])], [['a', F, [4, 8]], ['b', F, [4, 8]]], [['y', F, [4, 8]]]);
  add('Max', [nodeProto('Max', ['a', 'b'], ['y'])], [['a', F, [4, 8]], ['b', F, [1]]], [['y', F, [4, 8]]]);
  add('Pow (exponent 2)', [nodeProto('Pow', ['x', 'e'], ['y'])], [['x', F, [4, 8]]], [['y', F, [4, 8]]], [tensorProto('e', F, [], [2])]);
  add('Pow (exponent 0.5)', [nodeProto('Pow', ['x', 'e'], ['y'])], [['x', F, [4, 8], pos]], [['y', F, [4, 8]]], [tensorProto('e', F, [], [0.5])]);
  add('Div', [nodeProto('Div', ['a', 'b'], ['y'])], [['a', F, [4, 8]], ['b', F, [4, 8], pos]], [['y', F, [4, 8]]]);
  add('Add/Sub/Mul (broadcast)', [nodeProto('Add', ['a', 'b'], ['t']), nodeProto('Sub', ['t', 'a'], ['u']), nodeProto('Mul', ['u', 'b'], ['y'])],
    [['a', F, [4, 8]], ['b', F, [8]]], [['y', F, [4, 8]]]);
  add('Unsqueeze/Squeeze (axes input)', [nodeProto('Unsqueeze', ['x', 'ax'], ['t']), nodeProto('Squeeze', ['t', 'ax'], ['y'])], [['x', F, [4, 8]]], [['y', F, [4, 8]]],
    [tensorProto('ax', I64, [1], [1])]);
  add('OneHot', [nodeProto('OneHot', ['i', 'depth', 'vals'], ['y'], { axis: -1 })], [['i', I64, [6], () => [0, 3, 1, 4, 4, 2]]], [['y', F, [6, 5]]],
    [tensorProto('depth', I64, [], [5]), tensorProto('vals', F, [2], [0, 1])], { expect: 'cpu' });
  add('OneHot (int32 indices)', [nodeProto('OneHot', ['i', 'depth', 'vals'], ['y'], { axis: -1 })], [['i', I32, [6], () => [0, 3, 1, 4, 4, 2]]], [['y', F, [6, 5]]],
    [tensorProto('depth', I32, [], [5]), tensorProto('vals', F, [2], [0, 1])], { expect: 'cpu' });
  add('ConstantOfShape', [nodeProto('ConstantOfShape', ['shape'], ['c'], { value: { t: tensorProto('', F, [1], [0.5]) } }), nodeProto('Add', ['c', 'x'], ['y'])],
    [['x', F, [4, 8]]], [['y', F, [4, 8]]], [tensorProto('shape', I64, [2], [4, 8])]);
  // float64 (the finite-difference-check dtype): no WebGPU kernels; the nodes run on the CPU EP
  add('float64 Add', [nodeProto('Add', ['a', 'b'], ['y'])], [['a', D, [4, 8]], ['b', D, [4, 8]]], [['y', D, [4, 8]]], [], { f64: true, expect: 'cpu' });
  add('float64 MatMul', [nodeProto('MatMul', ['a', 'b'], ['y'])], [['a', D, [4, 8]], ['b', D, [8, 5]]], [['y', D, [4, 5]]], [], { f64: true, expect: 'cpu' });
  add('float64 Softmax', [nodeProto('Softmax', ['x'], ['y'], { axis: -1 })], [['x', D, [4, 8]]], [['y', D, [4, 8]]], [], { f64: true, expect: 'cpu' });
  return C;
}

// Worker: runs every case on WebGPU (verbose log, stderr) and on CPU; stdout: one JSON line per case.
async function opsWorker() {
  for (const c of opCases()) {
    const res = { name: c.name, f64: !!c.f64, expect: c.expect || 'webgpu' };
    try {
      const bytes = buildModel({
        nodes: c.nodes.map((n) => ({ ...n, name: `N_${n.name}` })),
        inputs: c.inputs.map(([n, t, d]) => valueInfo(n, t, d)),
        outputs: c.outputs.map(([n, t, d]) => valueInfo(n, t, d)),
        inits: c.inits,
      });
      const feeds = {};
      for (const [n, t, d, gen] of c.inputs) {
        const vals = gen ? gen(prod(d)) : randn(prod(d));
        feeds[n] = tensor(ORT_TYPE[t], vals, d);
      }
      process.stderr.write(`@@CASE ${c.name}\n`);
      const gpu = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], logSeverityLevel: 0, logVerbosityLevel: 0 });
      process.stderr.write(`@@CREATED ${c.name}\n`);
      const g = await gpu.run(feeds);
      const cpu = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
      const r = await cpu.run(feeds);
      res.err = Math.max(...c.outputs.map(([n]) => maxRelErr(g[n].data, r[n].data)));
      await cpu.release();
      await gpu.release();
    } catch (e) {
      res.error = e.message.trim().split('\n')[0].slice(0, 300);
    }
    process.stderr.write(`@@END ${c.name}\n`);
    process.stdout.write(JSON.stringify(res) + '\n');
  }
}

// Parse ORT's verbose "Node placements" block for each case.
function parsePlacements(stderr) {
  const out = {};
  let cur = null, inBlock = false, ep = null;
  for (const line of stderr.split('\n')) {
    let m;
    if ((m = line.match(/^@@CASE (.*)$/))) { cur = m[1]; out[cur] = {}; inBlock = false; continue; }
    if (line.startsWith('@@')) { inBlock = false; continue; }
    if (!cur) continue;
    if ((m = line.match(/webgpu kernel not found in registries for Op type: (\S+)/))) { (out[cur].__noKernel ||= []).push(m[1]); continue; }
    if (/VerifyEachNodeIsAssignedToAnEp\] Node placements/.test(line)) { inBlock = true; continue; }
    if (!inBlock) continue;
    if ((m = line.match(/All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/))) { out[cur][m[1]] = ['(all)']; continue; }
    if ((m = line.match(/Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/))) { ep = m[1]; out[cur][ep] = []; continue; }
    if ((m = line.match(/VerifyEachNodeIsAssignedToAnEp\]\s+(\S+) \((.*)\)\s*$/)) && ep) { out[cur][ep].push(`${m[1]}`); continue; }
    if (!/VerifyEachNodeIsAssignedToAnEp/.test(line)) inBlock = false;
  }
  return out;
}

async function checkOps() {
  const t0 = now();
  const child = spawnSync(process.execPath, [__filename, '--worker', 'ops'], {
    env: { ...process.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300000,
  });
  const results = child.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const placements = parsePlacements(child.stderr || '');
  const rows = [];
  let bad = 0;
  for (const r of results) {
    const { __noKernel: noKernel = [], ...p } = placements[r.name] || {};
    const eps = Object.keys(p);
    const onCpu = (p.CPUExecutionProvider || []).filter((n) => !/^Memcpy/.test(n));
    const placed = eps.length === 0 ? 'unknown' : eps.length > 1 ? 'mixed'
      : eps[0] === 'WebGpuExecutionProvider' ? 'webgpu' : eps[0] === 'CPUExecutionProvider' ? 'cpu' : eps[0];
    let status;
    if (r.error) status = `ERROR: ${r.error}`;
    else if (placed === 'webgpu') status = 'WebGPU';
    else if (placed === 'cpu') status = 'CPU EP (all nodes)';
    else if (placed === 'mixed') status = `mixed: CPU ${onCpu.join(', ')}; WebGPU ${(p.WebGpuExecutionProvider || []).join(', ')}`;
    else status = 'placement not logged';
    if (noKernel.length) status += ` [no WebGPU kernel for ${[...new Set(noKernel)].join(', ')} with these types]`;
    const okErr = r.err !== undefined && r.err <= 1e-5;
    const ok = !r.error && okErr && placed === r.expect;
    if (!ok) bad++;
    rows.push({ ...r, placement: p, placed, noKernel, status, ok });
    const errStr = r.err === undefined ? '' : ` err ${r.err === 0 ? '0' : r.err.toExponential(1)}`;
    const tag = !ok ? 'FAIL' : r.expect === 'webgpu' ? ' ok ' : 'known';
    console.log(`      ${tag.padEnd(5)} ${r.name.padEnd(42)} ${status}${errStr}${!ok && placed !== r.expect ? ` (expected ${r.expect})` : ''}`);
  }
  if (child.status !== 0 || results.length === 0) {
    console.log(`      ops worker exited with status ${child.status} signal ${child.signal}; stderr tail:\n${(child.stderr || '').slice(-2000)}`);
    bad++;
  }
  report.ops = rows;
  report.timings.opsCheck = now() - t0;
  const gpuCases = rows.filter((r) => r.expect === 'webgpu').length;
  check(`(iii) ${gpuCases} float32 op cases on WebGPU, ${rows.length - gpuCases} known CPU fallbacks as listed, all == CPU EP within 1e-5`,
    bad === 0, bad ? `${bad} case(s) placed differently than expected or failed` : '');
  const f64 = rows.filter((r) => r.f64);
  const f64OnGpu = f64.filter((r) => r.status === 'WebGPU');
  console.log(`      float64: ${f64OnGpu.length ? 'ON WebGPU: ' + f64OnGpu.map((r) => r.name).join(', ') : 'no float64 kernel on WebGPU; nodes fall back to the CPU EP (results still correct)'}`);
  report.facts.float64OnWebGpu = f64OnGpu.length > 0;
}

// ------------------------------------------------------------------------------------------ traps (child processes)
const TRAP_SCRIPTS = {
  // each prints one line; exit code and signal tell the story
  getData: 'const t = await gpuTensor(); console.log("calling getData() on a gpu-buffer tensor"); await t.getData(); console.log("getData returned");',
  releaseAll: 'const t = await gpuTensor(); await S.release(); const r = await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"] }); console.log("released all, re-using tensor"); console.log(Array.from((await r.run({ in: t })).out.data));',
  cpuEp: 'const t = await gpuTensor(); const c = await ort.InferenceSession.create(ident, { executionProviders: ["cpu"] }); const d = (await c.run({ in: t })).out.data; console.log(JSON.stringify({ expected: [1, 2, 3, 4], got: Array.from(d) }));',
  icdAfterRequire: 'process.env.VK_ICD_FILENAMES = "/nonexistent/icd.json"; try { await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"] }); console.log("session OK: env read earlier"); } catch (e) { console.log("session FAILED: env is read at first WebGPU session: " + e.message.trim().split("\\n").pop()); }',
  icdAfterFirstSession: 'await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"] }); process.env.VK_ICD_FILENAMES = "/nonexistent/icd.json"; await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"] }); console.log("second session OK: adapter is cached per process");',
  failedInitSticks: 'process.env.VK_ICD_FILENAMES = "/nonexistent/icd.json"; try { await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"] }); } catch {} process.env.VK_ICD_FILENAMES = process.env.LVP; try { await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"] }); console.log("retry OK"); } catch (e) { console.log("retry after fixing VK_ICD_FILENAMES FAILED: a failed WebGPU init sticks for the process"); }',
  cuda: 'for (const eps of [["cuda"], ["cuda", "cpu"]]) { try { await ort.InferenceSession.create(ident, { executionProviders: eps }); console.log(JSON.stringify(eps) + ": OK"); } catch (e) { console.log(JSON.stringify(eps) + ": " + e.message.trim()); } }',
  webgpuCpuFallbackNoAdapter: 'process.env.VK_ICD_FILENAMES = "/nonexistent/icd.json"; try { await ort.InferenceSession.create(ident, { executionProviders: ["webgpu", "cpu"] }); console.log("[webgpu,cpu] fell back to CPU"); } catch (e) { console.log("[webgpu,cpu] without adapter: " + e.message.trim().split("\\n").pop()); }',
  graphCaptureOption: 'try { await ort.InferenceSession.create(ident, { executionProviders: [{ name: "webgpu", enableGraphCapture: true }] }); console.log("EP option accepted"); } catch (e) { console.log("EP option: " + e.message.trim()); } const s = await ort.InferenceSession.create(ident, { executionProviders: ["webgpu"], enableGraphCapture: true }); console.log("session option enableGraphCapture: accepted (no effect in the Node binding: nothing in the native binding reads it)");',
};
function trapWorker(name) {
  const body = TRAP_SCRIPTS[name];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const ident = buildModel({ nodes: [nodeProto('Identity', ['in'], ['out'])], inputs: [valueInfo('in', DT.FLOAT, [2, 2])], outputs: [valueInfo('out', DT.FLOAT, [2, 2])] });
  const ctx = { S: null };
  const gpuTensor = async () => {
    ctx.S = await ort.InferenceSession.create(ident, { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
    return (await ctx.S.run({ in: tensor('float32', [1, 2, 3, 4], [2, 2]) })).out;
  };
  const fn = new AsyncFunction('ort', 'ident', 'gpuTensor', 'ctx', body.replace(/\bS\.release\(\)/g, 'ctx.S.release()'));
  return fn(ort, ident, gpuTensor, ctx);
}
function runTraps() {
  const lvp = findLavapipeIcd();
  const out = {};
  for (const name of Object.keys(TRAP_SCRIPTS)) {
    const env = { ...process.env, LVP: lvp || '' };
    if (!env.VK_ICD_FILENAMES && lvp && name !== 'icdAfterRequire' && name !== 'failedInitSticks' && name !== 'webgpuCpuFallbackNoAdapter') env.VK_ICD_FILENAMES = lvp;
    if (name === 'icdAfterRequire' || name === 'failedInitSticks' || name === 'webgpuCpuFallbackNoAdapter') delete env.VK_ICD_FILENAMES;
    const r = spawnSync(process.execPath, [__filename, '--worker', `trap:${name}`], { env, encoding: 'utf8', timeout: 60000 });
    const stdout = r.stdout.trim().split('\n').filter(Boolean);
    const stderrTail = (r.stderr || '').split('\n').filter((l) => l && !/^Warning: maxDynamic/.test(l)).slice(-2).join(' | ');
    out[name] = { status: r.status, signal: r.signal, stdout, stderrTail };
    const how = r.signal ? `KILLED by ${r.signal} (process abort)` : `exit ${r.status}`;
    console.log(`      trap ${name.padEnd(26)} ${how}: ${stdout.join(' / ')}${r.signal && stderrTail ? ` [stderr: ${stderrTail}]` : ''}`);
  }
  report.traps = out;
}

// ------------------------------------------------------------------------------------------ main
async function main() {
  if (ROLE === 'ops') return opsWorker();
  if (ROLE.startsWith('trap:')) return trapWorker(ROLE.slice(5));

  console.log(`check-webgpu: onnxruntime-node ${ort.env.versions.node}, Node ${process.version}, ${require('os').cpus().length} CPUs`);
  console.log(`      libvulkan.so.1: ${driver.libvulkan || 'NOT FOUND (apt-get install libvulkan1)'}`);
  if (driver.setByUs) console.log(`      VK_ICD_FILENAMES=${driver.icd} (lavapipe, set by this script)`);
  else if (driver.icd) console.log(`      Vulkan driver from environment: ${driver.icd}`);
  else console.log(`      ${flag('--any-driver') ? '--any-driver: Vulkan loader chooses the driver' : 'lavapipe ICD JSON not found (bash scripts/setup-system.sh --vulkan); the Vulkan loader chooses'}`);

  const keepAlive = await checkForward();
  const readback = await checkPingPong(optNum('--steps', 100));
  if (!flag('--quick')) await checkOps();
  if (flag('--traps')) runTraps();
  await readback.release();
  await keepAlive.release();
  if (flag('--json')) console.log(JSON.stringify(report, null, 2));
  console.log(failures ? `check-webgpu: ${failures} check(s) FAILED` : 'check-webgpu: all checks passed');
  process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
  if (isAdapterError(e)) {
    console.error(`check-webgpu: ${e.message.trim().split('\n').pop()}\n${ADAPTER_HELP}`);
    process.exit(2);
  }
  console.error(`check-webgpu: unexpected error: ${e && e.stack}`);
  process.exit(1);
});
