/**
 * The re-ranker of a v2 model (file `rerank.bin`): the head's scores are independent per tag; this
 * looks again at the few tags worth considering, with what the head cannot see. Pure and
 * browser-safe; trained by src/pipeline/rerank-train.ts.
 *
 * 1. Neighbours: the question's embedding is compared with the training questions' (projected to
 *    `d` principal components, int8 per component with one scale each). They are grouped in
 *    k-means lists (an inverted file): only the `probe` lists whose centres are nearest are scanned.
 *    The `k` most similar vote for their tags with weight max(similarity, 0)^power (normalised to
 *    sum 1).
 * 2. Candidates: the head's `headCandidates` best tags and the vote's `neighbourCandidates` best.
 * 3. Each candidate gets the features of RERANK_FEATURES and a probability from gradient-boosted
 *    trees (core/gbdt) trained on validation questions. The candidates' scores are those
 *    probabilities; every other tag keeps its head score times NON_CANDIDATE_SCALE (below any
 *    threshold, in the head's order).
 *
 * Why: on validation a per-tag classifier alone cannot use "similar questions had this tag", the
 * tag's own name in the title, or how far a tag is behind the best one; this step measured
 * +3.9 P@1 on the 2018 bodies (README, "Model v2").
 */
import { GbdtModel, type GbdtJson } from './gbdt';
import { tokenize } from './tokenize';
import { float16BitsToFloat32, float32ToFloat16Bits } from './head';

/** The features of one (question, candidate tag), in this order. */
export const RERANK_FEATURES = [
  'head_logit', // the head's score as log-odds
  'head_rank', // 0 = the head's best tag (capped at RANK_CAP)
  'vote', // the neighbours' vote for the tag (0..1)
  'vote_rank', // 0 = the vote's best tag (RANK_CAP when no neighbour has it)
  'vote_best_sim', // the highest similarity of a neighbour with the tag (0 when none)
  'vote_count', // neighbours with the tag
  'head_logit_gap', // head_logit minus the best tag's
  'prior', // ln(1 + training questions with the tag)
  'name_in_title', // the tag (or its words, '-' read as ' ') appears in the title
  'name_in_body',
  'part_in_title', // one of the tag's '-'-separated parts (3+ characters) is a title token
  'has_body',
] as const;
export const RANK_CAP = 200;
/** Non-candidates keep head score x this: ordered as the head orders them, never confident. */
export const NON_CANDIDATE_SCALE = 1e-4;

export interface RerankSettings {
  headCandidates: number;
  neighbourCandidates: number;
  /** Neighbours that vote. */
  k: number;
  /** Vote weight = max(similarity, 0)^power. */
  power: number;
  /** k-means lists scanned per question (all lists: an exact search). */
  probe: number;
}

/** What the neighbours say about each tag. */
export interface Vote {
  /** Weighted share of the neighbours with the tag (sums to the mean tags per neighbour). */
  vote: Float32Array;
  /** Highest similarity of a neighbour with the tag (0 when none). */
  bestSim: Float32Array;
  /** Neighbours with the tag. */
  count: Uint8Array;
}

/** Training questions' embeddings, compressed, in k-means lists, with their tags (see the file comment, step 1). */
export class NeighbourIndex {
  readonly labelPtr: Uint32Array;

  constructor(
    /** Embedding mean (dim). */
    readonly mean: Float32Array,
    /** Projection, dim x d row-major (component c of embedding e: Σ_j (e_j - mean_j) proj[j*d+c]). */
    readonly proj: Float32Array,
    /** int8 step of each component. */
    readonly scale: Float32Array,
    /** lists x d centres of the k-means lists, in the projected (unit-length) space. */
    readonly centroids: Float32Array,
    /** The items of list l are items listPtr[l] .. listPtr[l+1] (items are stored list after list). */
    readonly listPtr: Uint32Array,
    /** count x d codes. */
    readonly codes: Int8Array,
    /** 1 / |code ⊙ scale| of each item. */
    readonly invNorm: Float32Array,
    /** Tags per item (at most 255). */
    readonly labelCounts: Uint8Array,
    /** The items' tags, item after item. */
    readonly labelIds: Uint16Array,
  ) {
    const d = scale.length;
    const n = invNorm.length;
    const lists = listPtr.length - 1;
    this.labelPtr = new Uint32Array(n + 1);
    for (let i = 0; i < labelCounts.length; i++) this.labelPtr[i + 1] = this.labelPtr[i] + labelCounts[i];
    if (
      proj.length !== mean.length * d || codes.length !== n * d || labelCounts.length !== n || this.labelPtr[n] !== labelIds.length ||
      lists < 1 || centroids.length !== lists * d || listPtr[0] !== 0 || listPtr[lists] !== n || listPtr.some((v, l) => l > 0 && v < listPtr[l - 1])
    ) {
      throw new Error('rerank: the neighbour index arrays do not agree in size');
    }
  }

  get dim(): number {
    return this.mean.length;
  }
  get components(): number {
    return this.scale.length;
  }
  get count(): number {
    return this.invNorm.length;
  }
  get lists(): number {
    return this.listPtr.length - 1;
  }

  /** The unit-length projection of an embedding. */
  project(embedding: Float32Array): Float64Array {
    const { mean, proj } = this;
    const dim = mean.length;
    const d = this.scale.length;
    if (embedding.length !== dim) throw new Error(`rerank: an embedding of ${embedding.length} values, the index has ${dim}`);
    const q = new Float64Array(d);
    for (let j = 0; j < dim; j++) {
      const v = embedding[j] - mean[j];
      if (v === 0) continue;
      const o = j * d;
      for (let c = 0; c < d; c++) q[c] += v * proj[o + c];
    }
    let norm = 0;
    for (let c = 0; c < d; c++) norm += q[c] * q[c];
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < d; c++) q[c] /= norm;
    return q;
  }

  /** The `probe` lists whose centres are nearest to the unit vector `q` (Euclidean, as k-means assigned them). */
  nearestLists(q: Float64Array, probe: number): number[] {
    const d = this.scale.length;
    const dist = new Float64Array(this.lists);
    for (let l = 0; l < dist.length; l++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (q[c] - this.centroids[l * d + c]) ** 2;
      dist[l] = -s;
    }
    return topIndices(dist, Math.min(probe, dist.length));
  }

  /** The `k` nearest items (by cosine to their codes) in the `probe` nearest lists, best first. */
  search(embedding: Float32Array, k: number, probe: number): { ids: Int32Array; sims: Float64Array } {
    const { scale, codes, invNorm, listPtr } = this;
    const d = scale.length;
    const q = this.project(embedding);
    // float32-rounded like the stored scales' products, held as float64 (no conversion per read)
    const qs = new Float64Array(d);
    for (let c = 0; c < d; c++) qs[c] = Math.fround(q[c] * scale[c]);
    const sims = new Float64Array(k).fill(-Infinity);
    const ids = new Int32Array(k).fill(-1);
    const d4 = d - (d % 4);
    for (const l of this.nearestLists(q, probe)) {
      for (let i = listPtr[l], o = listPtr[l] * d, end = listPtr[l + 1]; i < end; i++, o += d) {
        // four interleaved partial sums (components c ≡ 0..3 mod 4): the vote took 0.57 instead of
        // 0.73 ms p50 in Node with one sum (scratch timing of the 250 bench:browser questions)
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let c = 0;
        for (; c < d4; c += 4) {
          s0 += qs[c] * codes[o + c];
          s1 += qs[c + 1] * codes[o + c + 1];
          s2 += qs[c + 2] * codes[o + c + 2];
          s3 += qs[c + 3] * codes[o + c + 3];
        }
        for (; c < d; c++) s0 += qs[c] * codes[o + c];
        const s = (s0 + s1 + (s2 + s3)) * invNorm[i];
        if (s <= sims[k - 1]) continue;
        let at = k - 1;
        while (at > 0 && s > sims[at - 1]) {
          sims[at] = sims[at - 1];
          ids[at] = ids[at - 1];
          at--;
        }
        sims[at] = s;
        ids[at] = i;
      }
    }
    return { ids, sims };
  }

  /** The tag vote of the `k` nearest items (weights max(sim,0)^power, summing to 1). */
  vote(embedding: Float32Array, numTags: number, k: number, power: number, probe = this.lists): Vote {
    const { ids, sims } = this.search(embedding, k, probe);
    const { labelPtr, labelIds } = this;
    const out: Vote = { vote: new Float32Array(numTags), bestSim: new Float32Array(numTags), count: new Uint8Array(numTags) };
    let total = 0;
    const w = new Float64Array(k);
    for (let r = 0; r < k; r++) {
      if (ids[r] < 0) continue;
      w[r] = Math.max(sims[r], 0) ** power;
      total += w[r];
    }
    for (let r = 0; r < k; r++) {
      if (ids[r] < 0) continue;
      for (let p = labelPtr[ids[r]], e = labelPtr[ids[r] + 1]; p < e; p++) {
        const t = labelIds[p];
        if (total > 0) out.vote[t] += w[r] / total;
        if (out.count[t] === 0) out.bestSim[t] = Math.max(sims[r], 0); // neighbours come best first
        out.count[t]++;
      }
    }
    return out;
  }
}

/** Candidates of one question and their features (row-major, RERANK_FEATURES.length per candidate). */
export interface CandidateRows {
  tags: number[];
  x: Float32Array;
}

const logit = (p: number) => {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q));
};

/** How many entries of `a` rank before tag `t` (higher, or equal with a lower index), capped. */
function rankOf(a: ArrayLike<number>, t: number, cap: number): number {
  const v = a[t];
  let r = 0;
  for (let i = 0; i < a.length && r < cap; i++) if (a[i] > v || (a[i] === v && i < t)) r++;
  return r;
}

/** Indices of the `n` largest entries of `a` that are > `above`, best first (ties: lower index first). */
export function topIndices(a: ArrayLike<number>, n: number, above = -Infinity): number[] {
  const out: number[] = [];
  for (let t = 0; t < a.length; t++) {
    const v = a[t];
    if (!(v > above)) continue;
    if (out.length === n && !(v > a[out[n - 1]])) continue;
    let at = out.length === n ? n - 1 : out.length;
    while (at > 0 && v > a[out[at - 1]]) at--;
    out.splice(at, 0, t);
    if (out.length > n) out.pop();
  }
  return out;
}

/**
 * The candidates of one question and their feature rows (training and inference both call this).
 * `text` is the normalised question (title on the first line), `tagWords` each tag's name and its
 * words (see `tagWords`).
 */
export function candidateRows(
  headScores: ArrayLike<number>,
  votes: Vote,
  text: string,
  settings: RerankSettings,
  priors: Float32Array,
  words: TagWords[],
): CandidateRows {
  const { vote, bestSim, count } = votes;
  const headTop = topIndices(headScores, settings.headCandidates);
  const voteTop = topIndices(vote, settings.neighbourCandidates, 0);
  const tags = [...new Set([...headTop, ...voteTop])];
  const nl = text.indexOf('\n');
  const titleText = (nl < 0 ? text : text.slice(0, nl)).toLowerCase();
  const bodyText = nl < 0 ? '' : text.slice(nl + 1).toLowerCase();
  const titleTokens = new Set(tokenize(titleText));
  const bodyTokens = new Set(tokenize(bodyText));
  const f = RERANK_FEATURES.length;
  const x = new Float32Array(tags.length * f);
  const top = logit(headScores[headTop[0]] ?? 0);
  const voteRankOf = new Map(topIndices(vote, RANK_CAP, 0).map((t, r) => [t, r]));
  tags.forEach((t, r) => {
    const w = words[t];
    const z = logit(headScores[t]);
    const o = r * f;
    x[o] = z;
    // the head's own candidates know their rank (topIndices orders ties as rankOf counts them)
    const h = r < headTop.length ? r : -1;
    x[o + 1] = h >= 0 ? h : rankOf(headScores, t, RANK_CAP);
    x[o + 2] = vote[t];
    x[o + 3] = voteRankOf.get(t) ?? RANK_CAP;
    x[o + 4] = bestSim[t];
    x[o + 5] = count[t];
    x[o + 6] = z - top;
    x[o + 7] = priors[t];
    x[o + 8] = titleTokens.has(w.name) || (w.spaced !== undefined && titleText.includes(w.spaced)) ? 1 : 0;
    x[o + 9] = bodyTokens.has(w.name) || (w.spaced !== undefined && bodyText.includes(w.spaced)) ? 1 : 0;
    x[o + 10] = w.parts.some((p) => titleTokens.has(p)) ? 1 : 0;
    x[o + 11] = nl < 0 ? 0 : 1;
  });
  return { tags, x };
}

/** A tag's name as the features match it. */
export interface TagWords {
  name: string;
  /** The name with '-' read as ' ' (absent when it has no '-'). */
  spaced?: string;
  /** Its '-'-separated parts of 3+ characters. */
  parts: string[];
}

export function tagWords(tag: string): TagWords {
  const name = tag.toLowerCase();
  const spaced = name.includes('-') ? name.replaceAll('-', ' ') : undefined;
  return { name, ...(spaced ? { spaced } : {}), parts: name.split('-').filter((p) => p.length > 2) };
}

/** The JSON part of `rerank.bin` (the arrays follow it in binary; see `serialize`). */
export interface RerankInfo {
  settings: RerankSettings;
  features: string[];
  gbdt: { base: number; depth: number; features: number };
}

export class Reranker {
  private readonly words: TagWords[];
  readonly priors: Float32Array;

  constructor(
    readonly settings: RerankSettings,
    priors: ArrayLike<number>,
    readonly gbdt: GbdtModel,
    readonly index: NeighbourIndex,
    tags: readonly string[],
  ) {
    if (priors.length !== tags.length) throw new Error(`rerank: ${priors.length} priors for ${tags.length} tags`);
    if (gbdt.features !== RERANK_FEATURES.length) throw new Error(`rerank: trees over ${gbdt.features} features, this build computes ${RERANK_FEATURES.length}`);
    this.priors = Float32Array.from(priors);
    this.words = tags.map(tagWords);
  }

  get numTags(): number {
    return this.priors.length;
  }

  vote(embedding: Float32Array): Vote {
    return this.index.vote(embedding, this.numTags, this.settings.k, this.settings.power, this.settings.probe);
  }

  candidates(headScores: ArrayLike<number>, votes: Vote, text: string): CandidateRows {
    return candidateRows(headScores, votes, text, this.settings, this.priors, this.words);
  }

  /** Final scores of every tag (see the file comment, step 3). */
  apply(headScores: Float32Array, embedding: Float32Array, text: string): Float32Array {
    return this.applyVote(headScores, this.vote(embedding), text);
  }

  /** `apply` with the neighbours' vote already taken. */
  applyVote(headScores: Float32Array, votes: Vote, text: string): Float32Array {
    const { tags, x } = this.candidates(headScores, votes, text);
    const out = headScores.map((s) => s * NON_CANDIDATE_SCALE);
    const f = RERANK_FEATURES.length;
    tags.forEach((t, r) => (out[t] = this.gbdt.probability(x, r * f)));
    return out;
  }

  /**
   * The file: a header of 10 u32 (magic "TSRR", format, JSON length, embedding dim, components d,
   * items n, stored tag ids, lists, trees, tags), the JSON `RerankInfo`, padding to 4 bytes, then
   * little-endian arrays: f32 mean (dim), projection (dim x d), scales (d), list centres (lists x d);
   * u32 list offsets (lists + 1); f32 tag priors (tags), tree thresholds (trees x (2^depth - 1)),
   * leaf values (trees x 2^depth); u16 item norms (float16, n), split features (trees x
   * (2^depth - 1)), tag ids; u8 tags per item (n), codes (n x d, int8).
   */
  serialize(): Uint8Array {
    const g = this.gbdt;
    const info: RerankInfo = { settings: this.settings, features: [...RERANK_FEATURES], gbdt: { base: g.base, depth: g.depth, features: g.features } };
    const { mean, proj, scale, centroids, listPtr, codes, invNorm, labelCounts, labelIds } = this.index;
    const json = new TextEncoder().encode(JSON.stringify(info));
    const header = [RERANK_MAGIC, RERANK_FORMAT_VERSION, json.length, mean.length, scale.length, invNorm.length, labelIds.length, listPtr.length - 1, g.trees, this.priors.length];
    const w = new ByteWriter();
    for (const v of header) w.u32(v);
    w.bytes(json);
    w.align(4);
    for (const a of [mean, proj, scale, centroids]) for (const v of a) w.f32(v);
    for (const v of listPtr) w.u32(v);
    for (const a of [this.priors, g.threshold, g.leaf]) for (const v of a) w.f32(v);
    for (const v of invNorm) w.u16(float32ToFloat16Bits(v));
    for (const v of g.feature) w.u16(v);
    for (const v of labelIds) w.u16(v);
    w.bytes(labelCounts);
    w.bytes(new Uint8Array(codes.buffer, codes.byteOffset, codes.length));
    return w.result();
  }

  /** Reads `rerank.bin` for a model with `tags`; says what is wrong with a damaged file. */
  static deserialize(bytes: Uint8Array, tags: readonly string[]): Reranker {
    const fail = (what: string): never => {
      throw new Error(`not a tagsmith re-ranker file: ${what}`);
    };
    if (bytes.length < HEADER_BYTES) fail(`${bytes.length} bytes`);
    const r = new ByteReader(bytes, fail);
    const [magic, version, jsonLen, dim, d, n, labels, lists, trees, numTags] = Array.from({ length: HEADER_BYTES / 4 }, () => r.u32());
    if (magic !== RERANK_MAGIC) fail('wrong magic number');
    if (version !== RERANK_FORMAT_VERSION) fail(`format ${version}, this build reads ${RERANK_FORMAT_VERSION}`);
    if (numTags !== tags.length) fail(`made for ${numTags} tags, the model has ${tags.length}`);
    let info: RerankInfo;
    try {
      info = JSON.parse(new TextDecoder().decode(r.bytes(jsonLen))) as RerankInfo;
    } catch (err) {
      return fail(`header is not JSON (${(err as Error).message})`);
    }
    const depth = info.gbdt?.depth;
    if (!Number.isInteger(depth) || depth < 1 || depth > 12) fail(`tree depth ${depth} (1..12 expected)`);
    const internal = trees * ((1 << depth) - 1);
    const leaves = trees * (1 << depth);
    const head = HEADER_BYTES + jsonLen;
    // 4-byte arrays first, then 2-byte, then bytes: no padding after the JSON's
    const need = head + ((4 - (head % 4)) % 4) + (dim + dim * d + d + lists * d + lists + 1 + numTags + internal + leaves) * 4 + (n + internal + labels) * 2 + n + n * d;
    if (bytes.length !== need) fail(`${bytes.length} bytes where the header promises ${need}: ${bytes.length < need ? 'truncated' : 'damaged'}`);
    r.align(4);
    const mean = r.f32(dim);
    const proj = r.f32(dim * d);
    const scale = r.f32(d);
    const centroids = r.f32(lists * d);
    const listPtr = Uint32Array.from({ length: lists + 1 }, () => r.u32());
    const priors = r.f32(numTags);
    const threshold = r.f32(internal);
    const leaf = r.f32(leaves);
    const invNorm = Float32Array.from({ length: n }, () => float16BitsToFloat32(r.u16()));
    const feature = Int16Array.from({ length: internal }, () => r.u16());
    const labelIds = Uint16Array.from({ length: labels }, () => r.u16());
    // copies, not views: a Node Buffer's slice() shares its memory (and its whole .buffer)
    const labelCounts = Uint8Array.from(r.bytes(n));
    const raw = r.bytes(n * d);
    const codes = new Int8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    for (const id of labelIds) if (id >= tags.length) fail(`a neighbour has tag ${id} of ${tags.length}`);
    const names = info.features ?? [];
    if (names.join(',') !== RERANK_FEATURES.join(',')) fail(`features [${names.join(', ')}], this build computes [${RERANK_FEATURES.join(', ')}]`);
    const s = info.settings;
    if (!s || ![s.headCandidates, s.neighbourCandidates, s.k, s.probe].every((v) => Number.isInteger(v) && v > 0) || !(s.power > 0)) {
      fail('settings need positive headCandidates, neighbourCandidates, k, probe and power');
    }
    try {
      const gbdt = new GbdtModel(info.gbdt.base, depth, info.gbdt.features, feature, threshold, leaf);
      const index = new NeighbourIndex(mean, proj, scale, centroids, listPtr, codes, invNorm, labelCounts, labelIds);
      return new Reranker(s, priors, gbdt, index, tags);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
}

const HEADER_BYTES = 40;

/** Little-endian writes into a growing buffer. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private at = 0;
  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u32(v: number) {
    this.room(4);
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }
  u16(v: number) {
    this.room(2);
    this.view.setUint16(this.at, v, true);
    this.at += 2;
  }
  f32(v: number) {
    this.room(4);
    this.view.setFloat32(this.at, v, true);
    this.at += 4;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  align(n: number) {
    while (this.at % n) this.bytes(new Uint8Array(1));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

/** Little-endian reads that fail (through `fail`) past the end instead of returning undefined. */
class ByteReader {
  private readonly view: DataView;
  private at = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly fail: (what: string) => never,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number) {
    if (this.at + n > this.buf.length) this.fail(`truncated: ${this.buf.length} bytes`);
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at, true);
    this.at += 2;
    return v;
  }
  f32(n: number): Float32Array {
    this.need(n * 4);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++, this.at += 4) a[i] = this.view.getFloat32(this.at, true);
    return a;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  align(n: number) {
    this.at += (n - (this.at % n)) % n;
  }
}

export const RERANK_MAGIC = 0x52525354; // 'T','S','R','R' little-endian
export const RERANK_FORMAT_VERSION = 1;
