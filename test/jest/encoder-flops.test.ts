// FLOPs of a pretrained dual encoder from its config.json: checked against the published size of
// CLIP ViT-B/32 (about 4.4 GMACs per image, 2.9 GMACs per 77-token caption), so a ledger charging
// a real CLIP reference uses believable numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dualEncoderFlops, layerFlops } from '../../src/jest/encoder-flops';
import { withConfigDefaults } from '../../src/jest/standard-layout';

const clipB32 = {
  model_type: 'clip',
  projection_dim: 512,
  vision_config: { image_size: 224, patch_size: 32, hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12 },
  text_config: { hidden_size: 512, intermediate_size: 2048, num_hidden_layers: 12, max_position_embeddings: 77 },
};

test('CLIP ViT-B/32: about 8.8 GFLOPs per image and 5.8 GFLOPs per 77-token caption', () => {
  const f = dualEncoderFlops(clipB32, 77);
  assert.ok(Math.abs(f.image / 8.8e9 - 1) < 0.03, `image ${f.image / 1e9} GFLOPs`);
  assert.ok(Math.abs(f.text / 5.8e9 - 1) < 0.05, `text ${f.text / 1e9} GFLOPs`);
});

test('a layer is its projections, attention and MLP; shorter captions cost less; SigLIP has no class token but a pooling head', () => {
  assert.equal(layerFlops({ tokens: 2, width: 3, mlp: 5, layers: 1 }), 2 * (4 * 2 * 9 + 2 * 4 * 3 + 2 * 2 * 3 * 5));
  assert.ok(dualEncoderFlops(clipB32, 16).text < dualEncoderFlops(clipB32, 77).text);
  const siglip = { ...clipB32, model_type: 'siglip' };
  assert.ok(dualEncoderFlops(siglip, 77).image > 0);
  assert.throws(() => dualEncoderFlops({ model_type: 'clip', vision_config: {}, text_config: {} }, 16), /config.json lacks image_size/);
});

test('SigLIP B/16 at 224 px: about 35 GFLOPs per image (196 patches, no class token, the pooling head); a diff-saved config.json counts the same', () => {
  const full = {
    model_type: 'siglip',
    vision_config: { image_size: 224, patch_size: 16, hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12 },
    text_config: { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, max_position_embeddings: 64 },
  };
  const f = dualEncoderFlops(full, 64);
  assert.ok(Math.abs(f.image / 35.2e9 - 1) < 0.03, `image ${f.image / 1e9} GFLOPs`);
  // 12 layers of 196 tokens (no class token) plus a pooling head smaller than a layer; CLIP's
  // layout of the same sizes is 12 layers of 197 tokens (its class token) plus a projection
  const patchEmbed = 2 * 196 * 3 * 16 * 16 * 768;
  const layer = (T: number) => layerFlops({ tokens: T, width: 768, mlp: 3072, layers: 1 });
  const layers = (f.image - patchEmbed) / layer(196);
  assert.ok(layers > 12 && layers < 13, `${layers} layers' worth`);
  const clip = dualEncoderFlops({ ...full, model_type: 'clip', projection_dim: 512 }, 64);
  assert.equal(clip.image, patchEmbed + 12 * layer(197) + 2 * 768 * 512);
  // transformers writes only what differs from its defaults: google/siglip-base-patch16-224's config is nearly empty
  const { config } = withConfigDefaults({ model_type: 'siglip', text_config: {}, vision_config: {} });
  assert.deepEqual(dualEncoderFlops(config, 64), f);
});
