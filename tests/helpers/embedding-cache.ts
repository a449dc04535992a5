/** What the scale-out tests compare: every vector of a cache folder, all segments, bit for bit. */
import { expect } from 'vitest';
import { EmbeddingCache } from '../../src/pipeline/embed-cache';
import { DEFAULT_ENCODER_ID, EMBEDDING_DIM } from '../../src/runtime/encoder';

/** Every vector in a cache folder (all segments), as bytes by the sha256 of its text. */
export function vectorsOf(dir: string): Map<string, Buffer> {
  const c = new EmbeddingCache(dir, DEFAULT_ENCODER_ID, EMBEDDING_DIM, 'reader.bin');
  const out = new Map<string, Buffer>();
  for (const [k, v] of c.entries()) out.set(k, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  c.close();
  return out;
}

/** The same texts, and for each the same 384 floats to the bit. */
export function expectSameVectors(a: Map<string, Buffer>, b: Map<string, Buffer>, atLeast = 1): void {
  expect(b.size).toBeGreaterThanOrEqual(atLeast);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  expect([...a].filter(([k, v]) => !v.equals(b.get(k)!)).length, 'vectors that differ in any bit').toBe(0);
}
