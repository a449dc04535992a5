/**
 * Evaluation of gradient-boosted trees (trained by src/learn/gbdt.ts). Pure and browser-safe.
 *
 * Every tree is complete, of depth `depth`: node i (0 = root) sends a row to 2i+1 when
 * `x[feature] <= threshold`, else to 2i+2; after `depth` steps the row is at leaf
 * `node - (2^depth - 1)`. The model's margin is `base + Σ leaf values` (the learning rate is
 * folded into the leaves), its probability the sigmoid of that.
 */
export class GbdtModel {
  constructor(
    /** Log-odds every row starts from (the training positives' rate). */
    readonly base: number,
    readonly depth: number,
    /** Features a row has. */
    readonly features: number,
    /** Split feature of each internal node, tree after tree ((2^depth - 1) per tree). */
    readonly feature: Int16Array,
    /** Split threshold of each internal node (+Infinity: every row goes left). */
    readonly threshold: Float32Array,
    /** Leaf values, tree after tree (2^depth per tree). */
    readonly leaf: Float32Array,
  ) {
    const internal = (1 << depth) - 1;
    const trees = feature.length / internal;
    if (!Number.isInteger(trees) || threshold.length !== feature.length || leaf.length !== trees * (1 << depth)) {
      throw new Error(`gbdt: arrays of ${feature.length} / ${threshold.length} nodes and ${leaf.length} leaves do not make complete trees of depth ${depth}`);
    }
    for (const j of feature) if (j < 0 || j >= features) throw new Error(`gbdt: a split on feature ${j} of ${features}`);
  }

  get trees(): number {
    return this.feature.length / ((1 << this.depth) - 1);
  }

  /** The margin (log-odds) of the row starting at `x[offset]`. */
  margin(x: ArrayLike<number>, offset = 0): number {
    const internal = (1 << this.depth) - 1;
    const leaves = internal + 1;
    let sum = this.base;
    for (let t = 0, n = this.trees; t < n; t++) {
      const o = t * internal;
      let node = 0;
      for (let d = 0; d < this.depth; d++) node = x[offset + this.feature[o + node]] <= this.threshold[o + node] ? 2 * node + 1 : 2 * node + 2;
      sum += this.leaf[t * leaves + node - internal];
    }
    return sum;
  }

  probability(x: ArrayLike<number>, offset = 0): number {
    return 1 / (1 + Math.exp(-this.margin(x, offset)));
  }

  toJSON(): GbdtJson {
    return {
      base: this.base,
      depth: this.depth,
      features: this.features,
      feature: Array.from(this.feature),
      // JSON has no Infinity: an unsplit node is written as null
      threshold: Array.from(this.threshold, (v) => (Number.isFinite(v) ? v : null)),
      leaf: Array.from(this.leaf),
    };
  }

  static fromJSON(j: GbdtJson): GbdtModel {
    if (!j || typeof j !== 'object' || !Array.isArray(j.feature) || !Array.isArray(j.threshold) || !Array.isArray(j.leaf)) {
      throw new Error('gbdt: not a tree model (feature, threshold and leaf arrays expected)');
    }
    if (!Number.isInteger(j.depth) || j.depth < 1 || j.depth > 12 || !Number.isInteger(j.features) || typeof j.base !== 'number') {
      throw new Error('gbdt: base, depth (1..12) and features must be numbers');
    }
    return new GbdtModel(
      j.base,
      j.depth,
      j.features,
      Int16Array.from(j.feature),
      Float32Array.from(j.threshold, (v) => (v === null ? Infinity : v)),
      Float32Array.from(j.leaf),
    );
  }
}

export interface GbdtJson {
  base: number;
  depth: number;
  features: number;
  feature: number[];
  threshold: (number | null)[];
  leaf: number[];
}
