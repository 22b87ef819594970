// A reference the selection needs is checked before any work starts: `validate` and `train` name
// a missing reference run (and the stamped runs of that name beside it), a run without exported
// encoders (and how to get them), and a file that is not a reference encoder, and `train` then
// leaves no run folder behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const CLI = path.resolve(__dirname, '../../src/cli.js');

function experiment(reference: unknown): string {
  return JSON.stringify({
    name: 'needs-ref',
    data: { train: { kind: 'synthetic', n: 200, seed: 1 }, curated: null, eval: [] },
    model: { imageSize: 16, patchSizes: [4], width: 32, depth: 1, heads: 2, mlpRatio: 2, embedDim: 16, vocabSize: 64, seqLen: 4 },
    training: { batchSize: 16, steps: 4, seed: 1 },
    selection: { method: 'jest', score: 'learnability', filterRatio: 0.5, chunks: 4 },
    reference,
    runtime: { device: 'cpu', threads: 1 },
  });
}

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, JEST_STUDIO_CACHE: path.join(cwd, 'cache') } });
  return { code: r.status, out: r.stdout + r.stderr };
}

function workspace(reference: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-refcheck-'));
  fs.mkdirSync(path.join(dir, 'examples'));
  fs.writeFileSync(path.join(dir, 'examples', 'x.jest.json'), experiment(reference));
  return dir;
}

test('a missing reference run: validate and train name it, resolved from the file, and train writes nothing', () => {
  const dir = workspace({ run: '../runs/reference-emoji' });
  const v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  const where = path.join(dir, 'runs', 'reference-emoji');
  assert.ok(v.out.includes(`reference.run: reference.run ${where} does not exist (relative paths are from the experiment file's folder). Train the reference first`), v.out);
  const t = cli(dir, 'train', 'examples/x.jest.json');
  assert.equal(t.code, 1);
  assert.ok(t.out.includes(`${where} does not exist`), t.out);
  assert.equal(fs.existsSync(path.join(dir, 'runs')), false, 'no run folder was created');
  assert.equal(fs.existsSync(path.join(dir, 'cache')), false, 'no data was prepared');
});

test('a reference trained without --run-dir: the stamped runs of that name are offered', () => {
  const dir = workspace({ run: '../runs/reference-emoji' });
  const stamped = path.join(dir, 'runs', 'reference-emoji-20261208-010203');
  fs.mkdirSync(stamped, { recursive: true });
  fs.writeFileSync(path.join(stamped, 'run.json'), '{}');
  const v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.match(v.out, /has reference-emoji-20261208-010203: point reference\.run at one of them/);
});

test('a reference run with no exported encoders: its status, and resume or export', () => {
  const dir = workspace({ run: '../runs/ref' });
  const ref = path.join(dir, 'runs', 'ref');
  fs.mkdirSync(path.join(ref, 'models'), { recursive: true });
  fs.writeFileSync(path.join(ref, 'run.json'), '{}');
  fs.writeFileSync(path.join(ref, 'status.json'), JSON.stringify({ status: 'stopped', step: 40, totalSteps: 100 }));
  const v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.ok(v.out.includes(`has no exported encoders (models/image_encoder.onnx, text_encoder.onnx); its status is stopped at step 40 of 100: let it finish (jest-studio resume ${ref}), or export its latest checkpoint now: jest-studio export ${ref}`), v.out);
});

test('encoders that are not reference encoders: validate and train say so before any work', () => {
  const dir = workspace({ run: null, encoders: { image: 'i.onnx', text: 't.onnx' } });
  fs.writeFileSync(path.join(dir, 'examples', 'i.onnx'), 'not onnx');
  const missing = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(missing.code, 1);
  assert.ok(missing.out.includes(`reference.encoders.text: the reference's text encoder ${path.join(dir, 'examples', 't.onnx')} does not exist`), missing.out);
  fs.writeFileSync(path.join(dir, 'examples', 't.onnx'), 'not onnx either');
  const bad = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /reference text encoder .*t\.onnx is not a readable ONNX model/);
  const t = cli(dir, 'train', 'examples/x.jest.json');
  assert.equal(t.code, 1);
  assert.match(t.out, /reference text encoder .*t\.onnx is not a readable ONNX model/);
  assert.equal(fs.existsSync(path.join(dir, 'runs')), false);
});

test('a pretrained model folder: validate passes a good one, and names the file and the fix for a missing file, wrong input names, a foreign tokenizer, no temperature to fit', () => {
  const fixtures = path.resolve(__dirname, '../../../test/fixtures/reference-models');
  const copy = (name: string) => {
    const dir = workspace({ folder: `../models/${name}` });
    fs.cpSync(path.join(fixtures, name), path.join(dir, 'models', name), { recursive: true });
    return { dir, model: path.join(dir, 'models', name) };
  };
  let { dir, model } = copy('siglip-tiny');
  let v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 0, v.out); // SigLIP carries its t' and b as graph outputs

  ({ dir, model } = copy('siglip-tiny'));
  fs.rmSync(path.join(model, 'preprocessor_config.json'));
  v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.ok(v.out.includes(`${path.join(model, 'preprocessor_config.json')} is missing`) && v.out.includes("Copy preprocessor_config.json from the model's export"), v.out);

  ({ dir, model } = copy('siglip-tiny'));
  fs.copyFileSync(path.join(model, 'onnx', 'vision_model.onnx'), path.join(model, 'onnx', 'text_model.onnx'));
  v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.match(v.out, /text_model\.onnx has inputs pixel_values, not input_ids: it is not a text encoder/);

  ({ dir, model } = copy('siglip-tiny'));
  fs.copyFileSync(path.join(fixtures, 'clip-tiny', 'tokenizer.json'), path.join(model, 'tokenizer.json'));
  v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.match(v.out, /tokenizer\.json: no pad token \(tokenizer_config\.json's pad_token "<pad>" is not in the vocabulary\)/);
  fs.copyFileSync(path.join(fixtures, 'clip-tiny', 'tokenizer_config.json'), path.join(model, 'tokenizer_config.json'));
  v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.match(v.out, /tokenizer\.json has 614 token ids but .* text_config\.vocab_size 91: this tokenizer is not the model's/);

  ({ dir, model } = copy('clip-tiny')); // CLIP has no sigmoid t' and b, and this experiment has no curated set
  v = cli(dir, 'validate', 'examples/x.jest.json');
  assert.equal(v.code, 1);
  assert.match(v.out, /carries no sigmoid temperature and bias .*set reference\.logitScale and reference\.logitBias, or set data\.curated/);
  const t = cli(dir, 'train', 'examples/x.jest.json');
  assert.equal(t.code, 1);
  assert.equal(fs.existsSync(path.join(dir, 'runs')), false, 'train refused before making a run folder');
});
