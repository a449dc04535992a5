/**
 * The v2 re-ranker (src/core/rerank.ts, trained by src/learn/rerank-train.ts): the neighbour vote
 * against a plain re-computation, the candidates' features on hand-made questions, the file
 * format, and that training it on a problem where the neighbours know better than the head moves
 * the right tags up (with cross-fitted validation scores).
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { GbdtModel } from '../src/core/gbdt';
import { candidateRows, NON_CANDIDATE_SCALE, RANK_CAP, RERANK_FEATURES, Reranker, tagWords, topIndices } from '../src/core/rerank';
import { buildNeighbourIndex, trainReranker } from '../src/learn/rerank-train';

const DIM = 16;
function unit(v: Float32Array): Float32Array {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}
/** `n` embeddings around `clusters` random centres; question i belongs to cluster i % clusters. */
function clustered(n: number, clusters: number, rng: () => number, noise = 0.35) {
  const gauss = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: clusters }, () => unit(Float32Array.from({ length: DIM }, gauss)));
  const emb = Array.from({ length: n }, (_, i) => unit(centres[i % clusters].map((c) => c + noise * gauss())));
  return { centres, emb, cluster: (i: number) => i % clusters };
}

describe('neighbour vote', () => {
  const rng = seedrandom('vote');
  const { emb } = clustered(600, 12, rng);
  const labels = emb.map((_, i) => [i % 12, 12 + (i % 3)]);
  const { index, explainedVariance } = buildNeighbourIndex(emb, labels, 8);

  it('equals a plain re-computation from the stored codes and norms (top k by cosine, weights sim^power summing to 1)', () => {
    const k = 7;
    const power = 3;
    for (const q of [emb[5], emb[77], unit(Float32Array.from({ length: DIM }, () => rng() - 0.5))]) {
      const d = index.components;
      const proj = Array.from({ length: d }, (_, c) => q.reduce((s, v, j) => s + (v - index.mean[j]) * index.proj[j * d + c], 0));
      const sims = emb.map((_, i) => {
        const x = Array.from({ length: d }, (_, c) => index.codes[i * d + c] * index.scale[c]);
        const dot = x.reduce((s, v, c) => s + v * proj[c], 0);
        // the stored norm (float16, within 1e-3 of |x|)
        expect(index.invNorm[i] * Math.hypot(...x)).toBeCloseTo(1, 3);
        return (dot * index.invNorm[i]) / Math.hypot(...proj);
      });
      const top = sims.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0]).slice(0, k);
      const w = top.map(([s]) => Math.max(s, 0) ** power);
      const total = w.reduce((s, v) => s + v, 0);
      const expected = new Float64Array(16);
      top.forEach(([, i], r) => labels[i].forEach((t) => (expected[t] += w[r] / total)));
      const got = index.vote(q, 16, k, power);
      expected.forEach((v, t) => expect(got.vote[t]).toBeCloseTo(v, 5));
      expect(got.vote.reduce((s, v) => s + v, 0)).toBeCloseTo(2, 5); // two tags per neighbour
      // the best similarity and the count of neighbours with each tag
      for (let t = 0; t < 16; t++) {
        const withTag = top.filter(([, i]) => labels[i].includes(t));
        expect(got.count[t]).toBe(withTag.length);
        expect(got.bestSim[t]).toBeCloseTo(withTag.length ? Math.max(withTag[0][0], 0) : 0, 5);
      }
    }
  });

  it('in k-means lists: probing every list finds what the exact scan finds; probing a few, nearly always the same best neighbour', () => {
    const ivf = buildNeighbourIndex(emb, labels, 8, 16).index;
    expect(ivf.lists).toBe(16);
    expect(ivf.listPtr[16]).toBe(emb.length);
    let sameTop = 0;
    const queries = emb.slice(0, 100).map((e) => unit(e.map((v) => v + 0.1 * (rng() - 0.5))));
    for (const q of queries) {
      const exact = index.search(q, 5, 1);
      const all = ivf.search(q, 5, 16);
      // same neighbours (items are stored in another order: compare their similarities)
      all.sims.forEach((s, r) => expect(s).toBeCloseTo(exact.sims[r], 6));
      const few = ivf.search(q, 5, 3);
      few.sims.forEach((s, r) => expect(s).toBeLessThanOrEqual(all.sims[r] + 1e-9));
      if (Math.abs(few.sims[0] - all.sims[0]) < 1e-9) sameTop++;
    }
    expect(sameTop).toBeGreaterThanOrEqual(90);
  });

  it('keeps the projection: a training question is its own nearest neighbour', () => {
    expect(explainedVariance).toBeGreaterThan(0.3);
    expect(explainedVariance).toBeLessThanOrEqual(1);
    const v = index.vote(emb[10], 16, 1, 1).vote;
    expect(v[10 % 12]).toBe(1);
    expect(v[12 + (10 % 3)]).toBe(1);
  });

  it('refuses an embedding of the wrong width', () => {
    expect(() => index.vote(new Float32Array(3), 16, 5, 1)).toThrow(/an embedding of 3 values, the index has 16/);
  });
});

describe('candidates and their features', () => {
  const tags = ['javascript', 'google-chrome', 'reactjs', 'python', 'css'];
  const words = tags.map(tagWords);
  const priors = Float32Array.from([5, 3, 4, 6, 2]);
  const settings = { headCandidates: 2, neighbourCandidates: 2, k: 5, power: 1, probe: 1 };
  const votes = (vote: number[], best: number[] = vote.map((v) => (v > 0 ? 0.9 : 0)), count: number[] = vote.map((v) => (v > 0 ? 2 : 0))) => ({
    vote: Float32Array.from(vote),
    bestSim: Float32Array.from(best),
    count: Uint8Array.from(count),
  });

  it('takes the head\'s best and the vote\'s best, and computes each feature as documented', () => {
    const head = Float32Array.from([0.9, 0.2, 0.6, 0.1, 0.05]);
    const vote = votes([0.5, 0, 0, 0.3, 0.2], [0.8, 0, 0, 0.7, 0.6], [3, 0, 0, 2, 1]);
    const text = 'Why does Google Chrome block my script?\nThe javascript console says css failed';
    const { tags: cand, x } = candidateRows(head, vote, text, settings, priors, words);
    expect(cand).toEqual([0, 2, 3]); // head: javascript, reactjs; vote: javascript, python
    const f = RERANK_FEATURES.length;
    const row = (t: number) => Array.from(x.subarray(cand.indexOf(t) * f, cand.indexOf(t) * f + f));
    const logit = (p: number) => Math.log(p / (1 - p));
    const js = row(0);
    expect(js[0]).toBeCloseTo(logit(0.9), 5);
    expect(js[1]).toBe(0);
    expect(js[2]).toBeCloseTo(0.5, 6);
    expect(js[3]).toBe(0);
    expect(js[4]).toBeCloseTo(0.8, 6);
    expect(js[5]).toBe(3);
    expect(js[6]).toBe(0);
    expect(js.slice(7)).toEqual([5, 0, 1, 0, 1]); // prior; not in the title, in the body; no part; has a body
    const py = row(3);
    expect(py[1]).toBe(3); // fourth by the head
    expect(py[3]).toBe(1); // second by the vote
    expect(py[5]).toBe(2);
    expect(py[6]).toBeCloseTo(logit(0.1) - logit(0.9), 5);
    // 'google-chrome' is not a candidate here; as one it matches "google chrome" in the title
    const wide = candidateRows(head, vote, text, { ...settings, headCandidates: 5 }, priors, words);
    const gc = Array.from(wide.x.subarray(wide.tags.indexOf(1) * f, wide.tags.indexOf(1) * f + f));
    expect(gc.slice(8, 12)).toEqual([1, 0, 1, 1]);
    // a tag nobody voted for gets the capped vote rank
    expect(gc[3]).toBe(RANK_CAP);
  });

  it('a title alone has no body feature', () => {
    const { x } = candidateRows(Float32Array.from([0.9, 0.2, 0.6, 0.1, 0.05]), votes([0, 0, 0, 0, 0]), 'reactjs hooks', settings, priors, words);
    expect(x[11]).toBe(0);
    expect(x[RERANK_FEATURES.length + 8]).toBe(1); // reactjs in the title
  });

  it('topIndices: best first, ties to the lower index, only above the floor', () => {
    expect(topIndices([0.2, 0.5, 0.5, 0.1], 3)).toEqual([1, 2, 0]);
    expect(topIndices([0, 0.3, 0, 0.1], 5, 0)).toEqual([1, 3]);
  });
});

describe('training and the file', () => {
  // 30 tags; a question's true tag is its cluster; the head is noisy (the true tag is its best only
  // half of the time), the neighbours know the cluster
  const rng = seedrandom('train');
  const T = 30;
  const n = 3000;
  const { emb } = clustered(n, T, rng, 0.3);
  const tags = Array.from({ length: T }, (_, t) => `tag-${t}`);
  const labels = emb.map((_, i) => [i % T]);
  const headOf = (i: number) => {
    const s = Float32Array.from({ length: T }, () => 0.05 + 0.3 * rng());
    s[i % T] += rng() < 0.5 ? 0.35 : 0;
    return s;
  };
  const train = [...Array(2000).keys()];
  const val = Array.from({ length: 600 }, (_, k) => 2000 + k);
  const test = Array.from({ length: 400 }, (_, k) => 2600 + k);
  const textOf = (i: number) => `question ${i}\nsome body`;
  const result = trainReranker(
    {
      tags,
      tagCounts: tags.map(() => 2000 / T),
      trainEmbeddings: train.map((i) => emb[i]),
      trainLabels: train.map((i) => labels[i]),
      validationEmbeddings: val.map((i) => emb[i]),
      validationHeadScores: val.map(headOf),
      validationTexts: val.map(textOf),
      validationLabels: val.map((i) => labels[i]),
    },
    { components: 12, lists: 8, probe: 3, k: 10, power: 2, headCandidates: 3, neighbourCandidates: 3, gbdt: { trees: 40 } },
  );

  it('moves the right tag to the top far more often than the head alone', () => {
    let head = 0;
    let reranked = 0;
    for (const i of test) {
      const s = headOf(i);
      const r = result.reranker.apply(s, emb[i], textOf(i));
      const best = (a: Float32Array) => a.indexOf(Math.max(...a));
      head += best(s) === i % T ? 1 : 0;
      reranked += best(r) === i % T ? 1 : 0;
    }
    expect(head / test.length).toBeLessThan(0.7);
    expect(reranked / test.length).toBeGreaterThan(head / test.length + 0.2);
    expect(result.candidateRecall).toBeGreaterThan(0.9);
  });

  it('cross-fits the validation scores: candidates get probabilities, other tags their head score x NON_CANDIDATE_SCALE', () => {
    expect(result.validationScores).toHaveLength(val.length);
    const s = result.validationScores[0];
    const candidates = [...s].filter((v) => v > 0.05 * NON_CANDIDATE_SCALE * 100);
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    expect(candidates.length).toBeLessThanOrEqual(6);
    for (const v of s) expect(v).toBeLessThanOrEqual(1);
    // not the shipped trees' output on the same question (those saw it)
    const shipped = result.reranker.apply(headOf(val[0]), emb[val[0]], textOf(val[0]));
    expect(shipped).not.toEqual(s);
  });

  it('reads back what it wrote, bit for bit, and says what is wrong with a damaged file', () => {
    const bytes = result.reranker.serialize();
    const back = Reranker.deserialize(bytes, tags);
    // what Node's loader passes: a Buffer (its slice() is a view of a larger pool)
    const pooled = Buffer.concat([Buffer.from('padding'), Buffer.from(bytes)]).subarray(7);
    const fromBuffer = Reranker.deserialize(pooled, tags);
    expect(fromBuffer.index.codes).toEqual(result.reranker.index.codes);
    expect(fromBuffer.index.labelCounts).toEqual(result.reranker.index.labelCounts);
    for (const i of test.slice(0, 50)) {
      const s = headOf(i);
      expect(back.apply(s, emb[i], textOf(i))).toEqual(result.reranker.apply(s, emb[i], textOf(i)));
    }
    const bad = bytes.slice();
    bad[0] ^= 0xff;
    expect(() => Reranker.deserialize(bad, tags)).toThrow(/wrong magic number/);
    expect(() => Reranker.deserialize(bytes.subarray(0, bytes.length - 10), tags)).toThrow(/truncated/);
    expect(() => Reranker.deserialize(bytes.subarray(0, 40), tags)).toThrow(/truncated/);
    expect(() => Reranker.deserialize(bytes, tags.slice(0, 5))).toThrow(/made for 30 tags, the model has 5/);
    expect(() => new Reranker(result.reranker.settings, new Float32Array(T), new GbdtModel(0, 1, 3, new Int16Array(1), new Float32Array(1), new Float32Array(2)), result.reranker.index, tags)).toThrow(
      /trees over 3 features/,
    );
  });
});
