/**
 * Block weights by kind of question (issue #11): a hybrid model may weigh its embedding block
 * differently when the question has a body (`bodyBlockWeights`). The Suggester applies them on
 * every path (suggest, scoreTexts), and only to texts with a body (core/normalize `hasBody`).
 * The scores are checked against the head's formula computed here by hand.
 */
import { describe, expect, it } from 'vitest';
import { Head, sigmoid } from '../src/core/head';
import { hasBody, normalizeQuestion } from '../src/core/normalize';
import { blockScale, Suggester } from '../src/core/suggester';
import { TfidfVectorizer } from '../src/core/tfidf';
import type { ModelManifest } from '../src/core/model';

const TAGS = ['python', 'java', 'sql'];
const DIM = 4;
const tfidf = new TfidfVectorizer({ minDf: 1, maxFeatures: 100, sublinearTf: true }).fit([
  'python list dict comprehension',
  'java class interface spring',
  'sql select join table',
]);
// A fixed "encoder": the text's length and vowel counts, unit length.
const embed = async (texts: string[]) =>
  texts.map((t) => {
    const v = Float32Array.from([t.length, (t.match(/a/g) ?? []).length, (t.match(/e/g) ?? []).length + 1, (t.match(/o/g) ?? []).length]);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
const dense = Float32Array.from({ length: DIM * TAGS.length }, (_, k) => Math.sin(k + 1));
const perFeature = Array.from({ length: tfidf.size }, (_, f) => f % TAGS.length);
const sparse = {
  ptr: Int32Array.from({ length: tfidf.size + 1 }, (_, f) => f),
  tags: Uint16Array.from(perFeature),
  values: Float32Array.from(perFeature, (_, f) => 0.5 + (f % 5) / 4),
};
const bias = Float32Array.of(-0.5, 0.1, -0.2);
const TITLE_W: [number, number] = [0.5, 1];
const BODY_W: [number, number] = [0.25, 1];
const head = new Head({ denseDim: DIM, sparseDim: tfidf.size, denseWeight: TITLE_W[0], sparseWeight: TITLE_W[1] }, TAGS.length, dense, sparse, bias, { tags: TAGS });

function manifest(body?: [number, number]): ModelManifest {
  return {
    format: 'tagsmith-model',
    formatVersion: 1,
    version: '000000000000',
    createdAt: '',
    vectorizer: 'hybrid',
    normalization: { version: 'x', options: { maxCodeBlockChars: 1000, maxCodeChars: 2000, maxChars: 5000 } },
    blockWeights: TITLE_W,
    ...(body ? { bodyBlockWeights: body } : {}),
    tags: TAGS,
    thresholds: [0.5, 0.5, 0.5],
    head: { file: 'head.bin', sha256: '0'.repeat(64), bytes: 1, dim: DIM + tfidf.size },
    training: {},
    metrics: {},
  } as unknown as ModelManifest;
}

/** sigmoid(w_dense · x·W + w_sparse · tfidf·V + b), written out. */
async function byHand(text: string, [wd, ws]: [number, number]): Promise<number[]> {
  const [x] = await embed([text]);
  const s = tfidf.transformOne(text);
  return TAGS.map((_, t) => {
    let z = bias[t];
    for (let j = 0; j < DIM; j++) z += wd * x[j] * dense[j * TAGS.length + t];
    s.indices.forEach((f, k) => {
      if (perFeature[f] === t) z += ws * s.values[k] * sparse.values[f];
    });
    return sigmoid(z);
  });
}

describe('bodyBlockWeights', () => {
  const withBody = { title: 'python dict or java class', body: 'I join a table in sql and a list in python' };
  const titleOnly = { title: 'python dict or java class', body: '' };

  it('hasBody: more than one line of normalised text', () => {
    expect(hasBody(normalizeQuestion(withBody))).toBe(true);
    expect(hasBody(normalizeQuestion(titleOnly))).toBe(false);
    expect(hasBody(normalizeQuestion({ title: 'only a title', body: '   \n\n ' }))).toBe(false);
  });

  it('scores a question with a body with bodyBlockWeights and a title alone with blockWeights, on every path', async () => {
    const s = new Suggester(manifest(BODY_W), head, tfidf, embed);
    const [tb, tt] = [s.textOf(withBody), s.textOf(titleOnly)];
    const [sb, st] = await s.scoreTexts([tb, tt]);
    const [hb, ht] = [await byHand(tb, BODY_W), await byHand(tt, TITLE_W)];
    hb.forEach((v, t) => expect(sb[t]).toBeCloseTo(v, 6));
    ht.forEach((v, t) => expect(st[t]).toBeCloseTo(v, 6));
    // the body's weights really differ from the title's: the same text scored both ways differs
    const other = await byHand(tb, TITLE_W);
    expect(Math.max(...hb.map((v, t) => Math.abs(v - other[t])))).toBeGreaterThan(1e-3);
    const top = await s.suggest(withBody, { k: 3 });
    expect(top.map((x) => x.score).sort()).toEqual([...sb].sort());
  });

  it('leaves every question on blockWeights when the model has no bodyBlockWeights', async () => {
    const s = new Suggester(manifest(), head, tfidf, embed);
    const tb = s.textOf(withBody);
    const [sb] = await s.scoreTexts([tb]);
    (await byHand(tb, TITLE_W)).forEach((v, t) => expect(sb[t]).toBeCloseTo(v, 6));
    expect(blockScale(manifest(), tb)).toEqual([1, 1]);
    expect(blockScale(manifest(BODY_W), tb)).toEqual([0.5, 1]);
  });
});
