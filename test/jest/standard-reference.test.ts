// Pretrained references in the standard layout, on fixtures the repo makes itself: a tiny
// CLIP-architecture and a tiny SigLIP-architecture model written in torch and exported to ONNX by
// scripts/fixtures/make-reference-models.py (no weights can be downloaded here). Through our
// loader (tokenizer.json via @huggingface/tokenizers, our pixel normalisation, onnxruntime) they
// must give torch's embeddings; a broken folder must be refused naming the file and the fix.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { openStandardReference, toPixelValues } from '../../src/jest/standard-reference';
import { openStandardTokenizer, readStandardLayout } from '../../src/jest/standard-layout';
import { dualEncoderFlops } from '../../src/jest/encoder-flops';
import { onnx } from 'onnx-proto';
import { FIXTURES, fixtureImages } from '../helpers/reference-fixtures';
import { tempRoot } from '../train/helpers';

const SCRIPT = path.resolve(__dirname, '../../../scripts/fixtures/make-reference-models.py');
const TORCH = '/usr/bin/python3';

interface Expected {
  captions: string[];
  input_ids: number[][];
  attention_mask: number[][];
  images: { count: number; height: number };
  pixel_values_checksum: number;
  pixel_values_sample: number[];
  image_embeds: number[][];
  text_embeds: number[][];
  logit_scale: number | null;
  logit_bias: number | null;
}

const expected = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;

const normalised = (rows: number[][]) =>
  rows.map((r) => {
    const n = Math.sqrt(r.reduce((s, v) => s + v * v, 0));
    return r.map((v) => v / n);
  });

function maxDiff(a: ArrayLike<number>, b: number[][]): number {
  const flat = b.flat();
  assert.equal(a.length, flat.length);
  let m = 0;
  for (let i = 0; i < flat.length; i++) m = Math.max(m, Math.abs(a[i] - flat[i]));
  return m;
}

for (const name of ['clip-tiny', 'siglip-tiny', 'siglip-tiny-combined']) {
  test(`${name}: tokenizer.json through @huggingface/tokenizers gives the ids and masks the script's own tokenizer gave`, () => {
    const ex = expected(name);
    const t = openStandardTokenizer(readStandardLayout(path.join(FIXTURES, name)));
    const { ids, mask } = t.encodeBatch(ex.captions);
    assert.deepEqual(Array.from(ids), ex.input_ids.flat(), 'ids, padded and truncated to L (end token kept)');
    assert.deepEqual(Array.from(mask), ex.attention_mask.flat());
  });

  test(`${name}: our pixel_values equal the HF processor's normalisation, and the embeddings equal torch's (1e-5)`, async () => {
    const ex = expected(name);
    const folder = path.join(FIXTURES, name);
    const layout = readStandardLayout(folder);
    const S = ex.images.height;
    assert.equal(layout.preprocess.decode.size, S);
    assert.equal(layout.preprocess.decode.fit, name === 'clip-tiny' ? 'cover' : 'fill', 'CLIP crops the centre, SigLIP stretches');
    assert.equal(layout.combined !== null, name === 'siglip-tiny-combined', 'one graph for both towers (Optimum\'s layout)');
    const px = fixtureImages(ex.images.count, S);
    const pv = toPixelValues(px, ex.images.count, S, layout.preprocess);
    const sum = pv.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - ex.pixel_values_checksum) < 1e-2, `checksum ${sum} vs ${ex.pixel_values_checksum}`);
    ex.pixel_values_sample.forEach((v, i) => assert.ok(Math.abs(pv[i] - v) < 1e-6, `pixel_values[${i}] ${pv[i]} vs ${v}`));

    const ref = await openStandardReference(folder, { device: 'cpu', threads: 1, logitScale: null, logitBias: null });
    try {
      const z = await ref.embed(px, ex.captions.slice(0, ex.images.count));
      assert.ok(maxDiff(z.image, normalised(ex.image_embeds)) < 1e-5, `image embeddings differ by ${maxDiff(z.image, normalised(ex.image_embeds))}`);
      const all = await ref.embed(fixtureImages(ex.captions.length, S), ex.captions);
      assert.ok(maxDiff(all.text, normalised(ex.text_embeds)) < 1e-5, `text embeddings differ by ${maxDiff(all.text, normalised(ex.text_embeds))}`);
      assert.equal(ref.embedDim, ex.image_embeds[0].length);
      if (ex.logit_scale === null) {
        assert.equal(ref.scale, null, 'CLIP carries no sigmoid temperature: it is given or fitted');
      } else {
        assert.equal(ref.scale?.source, 'graph');
        // split graphs output t' and b; one graph gives them through its pair logits e^t'·cos + b
        const tol = layout.combined ? 1e-4 : 1e-6;
        assert.ok(Math.abs(ref.scale!.tPrime - ex.logit_scale) < tol && Math.abs(ref.scale!.bias - ex.logit_bias!) < tol, `${ref.scale!.tPrime} ${ref.scale!.bias} (${ref.scale!.detail})`);
      }
      const f = dualEncoderFlops(layout.config, layout.textLength);
      assert.equal(ref.flopsPerExample, f.image + f.text, 'FLOPs per example counted from config.json');
    } finally {
      await ref.release();
    }
  });
}

test('a given logitScale / logitBias wins over the model files, and says so', async () => {
  const ref = await openStandardReference(path.join(FIXTURES, 'siglip-tiny'), { device: 'cpu', threads: 1, logitScale: 3, logitBias: -5 });
  assert.deepEqual({ t: ref.scale?.tPrime, b: ref.scale?.bias, s: ref.scale?.source }, { t: 3, b: -5, s: 'given' });
  await ref.release();
});

/** A copy of a fixture to break. */
async function copyFixture(name: string): Promise<string> {
  const dir = path.join(await tempRoot('std-layout'), name);
  await fs.cp(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

test('broken folders are refused naming the file and the fix', async () => {
  let dir = await copyFixture('clip-tiny');
  await fs.rm(path.join(dir, 'tokenizer.json'));
  assert.throws(() => readStandardLayout(dir), (e: Error) => e.message.includes(path.join(dir, 'tokenizer.json')) && /Copy tokenizer\.json/.test(e.message));

  dir = await copyFixture('clip-tiny');
  await fs.copyFile(path.join(dir, 'onnx/text_model.onnx'), path.join(dir, 'onnx/vision_model.onnx'));
  assert.throws(() => readStandardLayout(dir), /vision_model\.onnx has inputs input_ids, attention_mask, not pixel_values/);

  dir = await copyFixture('siglip-tiny');
  await fs.rm(path.join(dir, 'onnx/text_model.onnx'));
  assert.throws(() => readStandardLayout(dir), /has no text graph \(looked for onnx\/text_model\.onnx, text_model\.onnx, and onnx\/model\.onnx with both towers\)/);

  dir = await copyFixture('clip-tiny');
  const cfg = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  cfg.text_config.vocab_size = 100;
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(cfg));
  assert.throws(() => openStandardTokenizer(readStandardLayout(dir)), /tokenizer\.json has 614 token ids but .*config\.json says text_config\.vocab_size 100: this tokenizer is not the model's/);

  // an fp16 export (transformers.js ships vision_model_fp16.onnx beside the fp32 one)
  dir = await copyFixture('siglip-tiny');
  const vision = onnx.ModelProto.decode(await fs.readFile(path.join(dir, 'onnx/vision_model.onnx')));
  vision.graph!.input![0].type!.tensorType!.elemType = 10;
  await fs.writeFile(path.join(dir, 'onnx/vision_model.onnx'), onnx.ModelProto.encode(vision).finish());
  assert.throws(() => readStandardLayout(dir), /vision_model\.onnx takes float16 pixel_values; JEST Studio feeds float32: use the fp32 export/);

  dir = await copyFixture('siglip-tiny');
  await fs.writeFile(path.join(dir, 'preprocessor_config.json'), '{ "size": ');
  assert.throws(() => readStandardLayout(dir), /preprocessor_config\.json is not valid JSON/);

  dir = await copyFixture('siglip-tiny');
  const pre = JSON.parse(await fs.readFile(path.join(dir, 'preprocessor_config.json'), 'utf8'));
  pre.size = { height: 256, width: 256 };
  await fs.writeFile(path.join(dir, 'preprocessor_config.json'), JSON.stringify(pre));
  assert.throws(() => readStandardLayout(dir), /makes 256 px images but config\.json's vision_config\.image_size is 224/);
});

test('the committed fixtures are what the script makes (torch rebuilds them byte for byte)', { skip: !existsSync(TORCH) || process.env.JEST_SKIP_TORCH === '1' ? 'no Debian python3 here' : false }, async (t) => {
  try {
    execFileSync(TORCH, ['-c', 'import torch, onnx'], { stdio: 'ignore' });
  } catch {
    if (process.env.CI) throw new Error('CI must have torch (bash scripts/setup-system.sh --torch)');
    t.skip('torch is not installed (bash scripts/setup-system.sh --torch)');
    return;
  }
  const out = await tempRoot('fixtures');
  execFileSync(TORCH, [SCRIPT, '--out', out], { stdio: 'pipe', timeout: 120_000 });
  for (const name of ['clip-tiny', 'siglip-tiny', 'siglip-tiny-combined']) {
    const graphs = name.endsWith('combined') ? ['onnx/model.onnx'] : ['onnx/vision_model.onnx', 'onnx/text_model.onnx'];
    for (const f of ['expected.json', 'tokenizer.json', 'config.json', 'preprocessor_config.json', ...graphs]) {
      const a = await fs.readFile(path.join(out, name, f));
      const b = await fs.readFile(path.join(FIXTURES, name, f));
      assert.ok(a.equals(b), `${name}/${f} differs from the script's output: run /usr/bin/python3 scripts/fixtures/make-reference-models.py and commit`);
    }
  }
});
