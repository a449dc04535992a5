/**
 * The encoder's pooling (src/runtime/encoder.ts `meanPoolNormalize`) against transformers.js 2's
 * own `mean_pooling(...).normalize(2, -1)`, which computed every vector before the encoder moved to
 * onnxruntime 1.30 (its Tensor cannot wrap 1.30's tensors): bit for bit on random batches with
 * padding, so the cached embeddings and the new ones come from the same arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { mean_pooling, Tensor } from '@xenova/transformers';
import seedrandom from 'seedrandom';
import { meanPoolNormalize } from '../src/runtime/encoder';

describe('meanPoolNormalize', () => {
  it('equals transformers.js mean_pooling + normalize bit for bit', () => {
    const rng = seedrandom('pool');
    for (const [batch, seq, dim] of [[1, 7, 384], [3, 12, 384], [4, 5, 16]]) {
      const hidden = Float32Array.from({ length: batch * seq * dim }, () => (rng() - 0.5) * 4);
      const mask = new BigInt64Array(batch * seq);
      for (let b = 0; b < batch; b++) {
        const len = 1 + Math.floor(rng() * seq); // right padding, as the encoder pads
        for (let j = 0; j < len; j++) mask[b * seq + j] = 1n;
      }
      const ref = mean_pooling(new Tensor('float32', hidden, [batch, seq, dim]), new Tensor('int64', mask, [batch, seq])).normalize(2, -1).data as Float32Array;
      const ours = meanPoolNormalize(hidden, mask, batch, seq, dim);
      expect(ours).toHaveLength(batch);
      ours.forEach((v, b) => expect(Array.from(v)).toEqual(Array.from(ref.subarray(b * dim, (b + 1) * dim))));
    }
  });

  it('refuses mismatched shapes', () => {
    expect(() => meanPoolNormalize(new Float32Array(10), new BigInt64Array(2), 1, 2, 4)).toThrow(/10 hidden values and 2 mask values/);
  });
});
