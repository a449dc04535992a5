/**
 * The encoder in models/ is the real all-MiniLM-L6-v2, run the way sentence-transformers runs it.
 * Reference vectors: tests/fixtures/encoder-reference.json, made by scripts/model/reference_embeddings.py
 * (sentence-transformers on the original float weights, and onnxruntime on our int8 file).
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEncoder, DEFAULT_ENCODER_ID, EMBEDDING_DIM, stripAccentsLikeHf, type Encoder } from '../src/runtime/encoder';
import { REPO } from './helpers/paths';
import { nodeOnnxRuntime } from '../src/pipeline/encoder-node';

const RT = nodeOnnxRuntime();

interface Reference {
  model: string;
  onnx_file: string;
  onnx_sha256: string;
  max_seq_length: number;
  sentences: string[];
  token_ids: number[][];
  embeddings: number[][];
  onnx_int8_embeddings: number[][];
  truncation: {
    text: string;
    word_pieces_untruncated: number;
    prefix_text: string;
    embedding_256: number[];
    embedding_prefix: number[];
    embedding_512: number[];
  };
}

const ref = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/encoder-reference.json'), 'utf8')) as Reference;
const MODELS = resolve(REPO, 'models') + '/';

/** Both vectors are unit length (checked separately), so the dot product is the cosine. */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

let encoder: Encoder;
beforeAll(async () => {
  encoder = await createEncoder({ runtime: RT, localModelPath: MODELS });
});
afterAll(async () => {
  await encoder?.dispose();
});

describe('encoder model files', () => {
  it('the fixture was made from the committed int8 file', () => {
    const sha = createHash('sha256').update(readFileSync(resolve(REPO, ref.onnx_file))).digest('hex');
    expect(sha, 'models/ changed: rerun scripts/model/reference_embeddings.py').toBe(ref.onnx_sha256);
  });

  it('exposes the model id, width and truncation length', () => {
    expect(encoder.modelId).toBe(DEFAULT_ENCODER_ID);
    expect(encoder.dim).toBe(EMBEDDING_DIM);
    expect(encoder.maxLength).toBe(ref.max_seq_length);
    expect(encoder.runBatchSize).toBe(1);
  });
});

describe('tokenisation matches Hugging Face', () => {
  it('gives the word-piece ids of the Python tokenizer for every reference text', () => {
    expect(encoder.tokenize(ref.sentences)).toEqual(ref.token_ids);
  });

  it('strips every nonspacing mark like HF BertNormalizer (transformers.js alone keeps Devanagari signs)', () => {
    expect(stripAccentsLikeHf('café')).toBe('cafe');
    expect(stripAccentsLikeHf('नमस्ते')).toBe('नमसत');
  });
});

describe('embeddings match sentence-transformers', () => {
  it('returns unit-length 384-d vectors, one per text, in order', async () => {
    const out = await encoder.embed(['b', 'a longer second text', '']);
    expect(out).toHaveLength(3);
    for (const v of out) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(EMBEDDING_DIM);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(cosine(out[0], out[1])).toBeLessThan(0.9);
    expect(await encoder.embed([])).toEqual([]);
  });

  /** Each reference text embedded alone (no padding, so no batch effect). */
  let single: Float32Array[];
  beforeAll(async () => {
    single = [];
    for (const s of ref.sentences) single.push((await encoder.embed([s]))[0]);
  });
  const stats = (cos: number[]) => ({ min: Math.min(...cos), mean: cos.reduce((a, b) => a + b, 0) / cos.length });

  it('matches onnxruntime (Python) on the same int8 file: cosine >= 0.995 each, mean >= 0.999', () => {
    // Same file, same ids (checked above), same pooling; what is left is int8 arithmetic of
    // onnxruntime-node 1.14 (transformers.js 2.17.2) vs onnxruntime 1.32: most texts agree to
    // 1e-4, a few to 0.996 (measured min 0.9957).
    const cos = single.map((v, i) => cosine(v, ref.onnx_int8_embeddings[i]));
    const { min, mean } = stats(cos);
    console.info(`encoder vs Python int8 ONNX: min cosine ${min.toFixed(5)}, mean ${mean.toFixed(5)}`);
    cos.forEach((c, i) => expect(c, JSON.stringify(ref.sentences[i])).toBeGreaterThanOrEqual(0.995));
    expect(mean).toBeGreaterThanOrEqual(0.999);
  });

  it('is close to the original float model: cosine >= 0.98 each, mean >= 0.99', () => {
    // Dynamic int8 quantisation (transformers.js' own scheme) costs ~0.008 cosine on average;
    // the worst are near-empty texts ('' 0.984, 'x' 0.988). See models/README.md.
    const cos = single.map((v, i) => cosine(v, ref.embeddings[i]));
    const { min, mean } = stats(cos);
    console.info(`encoder vs float sentence-transformers (one text a run): min cosine ${min.toFixed(5)}, mean ${mean.toFixed(5)}`);
    cos.forEach((c, i) => expect(c, JSON.stringify(ref.sentences[i])).toBeGreaterThanOrEqual(0.98));
    expect(mean).toBeGreaterThanOrEqual(0.99);
  });

  it('gives each text the same vector whatever else is in the call (one text per run)', async () => {
    const out = await encoder.embed(ref.sentences);
    out.forEach((v, i) => expect(Array.from(v), JSON.stringify(ref.sentences[i])).toEqual(Array.from(single[i])));
  });

  it('stays close to the float model when run as one padded batch (runBatchSize 32)', async () => {
    // Dynamic quantisation takes its activation scale from the whole batch, padding included, so
    // a text's vector moves a little with its batch-mates ('' 0.975 in this batch).
    const batched = await createEncoder({ runtime: RT, localModelPath: MODELS, runBatchSize: 32 });
    try {
      const out = await batched.embed(ref.sentences);
      const cos = out.map((v, i) => cosine(v, ref.embeddings[i]));
      const { min, mean } = stats(cos);
      console.info(`encoder vs float sentence-transformers (one batch): min cosine ${min.toFixed(5)}, mean ${mean.toFixed(5)}`);
      cos.forEach((c, i) => expect(c, JSON.stringify(ref.sentences[i])).toBeGreaterThanOrEqual(0.97));
      expect(mean).toBeGreaterThanOrEqual(0.985);
      expect(Math.min(...out.map((v, i) => cosine(v, single[i])))).toBeLessThan(0.999); // the batch effect is real
    } finally {
      await batched.dispose();
    }
  });

  it('gives different texts clearly different vectors (the comparisons above can fail)', () => {
    expect(cosine(single[0], ref.embeddings[1])).toBeLessThan(0.8);
  });
});

describe('truncation at 256 word pieces', () => {
  const t = ref.truncation;

  it('cuts a 600-word text to 256 ids ending with [SEP], as Python does', () => {
    expect(t.word_pieces_untruncated).toBeGreaterThan(512);
    const [ids] = encoder.tokenize([t.text]);
    expect(ids).toHaveLength(256);
    expect(ids[0]).toBe(101);
    expect(ids[255]).toBe(102);
    expect(ids).toEqual(encoder.tokenize([t.prefix_text])[0]);
  });

  it('embeds it as its first 254 words, and as Python truncated at 256', async () => {
    const [long, prefix] = await encoder.embed([t.text, t.prefix_text]);
    expect(cosine(long, prefix)).toBeGreaterThan(0.99999);
    expect(cosine(long, t.embedding_256)).toBeGreaterThanOrEqual(0.98);
    // Without the cut the second half (another topic) would pull the vector far away.
    expect(cosine(t.embedding_256, t.embedding_512)).toBeLessThan(0.8);
    expect(cosine(long, t.embedding_512)).toBeLessThan(0.8);
  });

  it('honours a smaller maxLength', async () => {
    const short = await createEncoder({ runtime: RT, localModelPath: MODELS, maxLength: 16 });
    try {
      expect(short.tokenize([t.text])[0]).toHaveLength(16);
    } finally {
      await short.dispose();
    }
  });
});

describe('bad input', () => {
  it('names a missing model directory and how to make it', async () => {
    await expect(createEncoder({ runtime: RT, localModelPath: resolve(REPO, 'no-such-dir') + '/' })).rejects.toThrow(
      /no-such-dir\/all-MiniLM-L6-v2\/.*build-encoder\.sh/,
    );
  });

  it('rejects non-string texts and bad options', async () => {
    await expect(encoder.embed(['ok', 3 as unknown as string])).rejects.toThrow(/texts\[1\] is number/);
    await expect(createEncoder({ runtime: RT, localModelPath: '' })).rejects.toThrow(/localModelPath is required/);
    await expect(createEncoder({ runtime: RT, localModelPath: MODELS, maxLength: 1000 })).rejects.toThrow(/maxLength/);
    await expect(createEncoder({ runtime: RT, localModelPath: MODELS, runBatchSize: 0 })).rejects.toThrow(/runBatchSize/);
  });
});

describe('createEncoder load order (the extension: tokenizer after the head files)', () => {
  it('asks the runtime for the ONNX session at once, and is ready only after tokenizerAfter has settled', async () => {
    let sessionAsked = false;
    const stub = {
      name: 'stub',
      createSession: async () => {
        sessionAsked = true;
        return { run: async () => ({ data: new Float32Array(384), dims: [1, 1, 384] }), release: async () => undefined };
      },
    };
    let release!: () => void;
    const headIn = new Promise<void>((r) => (release = r));
    let ready = false;
    const loading = createEncoder({ runtime: stub, localModelPath: MODELS, tokenizerAfter: headIn }).then((e) => ((ready = true), e));
    await new Promise((r) => setTimeout(r, 300)); // the tokenizer alone loads in ~70 ms
    expect(sessionAsked).toBe(true);
    expect(ready).toBe(false);
    release();
    const enc = await loading;
    expect(enc.tokenize(['hello'])[0][0]).toBe(101); // [CLS]
  });

  it('frees the ONNX session when the tokenizer fails to load (a failed load keeps nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-enc-'));
    try {
      mkdirSync(join(dir, DEFAULT_ENCODER_ID));
      let created = 0;
      let released = 0;
      const stub = {
        name: 'stub',
        createSession: async () => {
          created++;
          return { run: async () => ({ data: new Float32Array(384), dims: [1, 1, 384] }), release: async () => void released++ };
        },
      };
      await expect(createEncoder({ runtime: stub, localModelPath: `${dir}/` })).rejects.toThrow(/cannot load model/);
      expect({ created, released }).toEqual({ created: 1, released: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tokenizerAfter that rejects only delays the tokenizer (the load goes on)', async () => {
    const stub = { name: 'stub', createSession: async () => ({ run: async () => ({ data: new Float32Array(384), dims: [1, 1, 384] }), release: async () => undefined }) };
    const enc = await createEncoder({ runtime: stub, localModelPath: MODELS, tokenizerAfter: Promise.reject(new Error('head failed')) });
    expect(enc.tokenize(['hello'])[0][0]).toBe(101);
  });
});
