/**
 * Distances between distributions and between embedding centroids, matching SciPy 1.17:
 * `scipy.stats.wasserstein_distance`, `scipy.spatial.distance.jensenshannon`,
 * `scipy.spatial.distance.cosine`. Each is a few lines over sorted arrays / sums, so they are
 * written here rather than pulled from a package.
 */
import { assertFiniteSample, CompensatedSum, sortedOrder, stdPopulation, sumOf, type Sample } from './numeric';

/**
 * First Wasserstein (earth mover's) distance between two 1-D empirical distributions,
 * = `scipy.stats.wasserstein_distance(u, v, uWeights, vWeights)`: the integral of
 * |U(x) - V(x)| dx between the two (optionally weighted) ECDFs.
 * Weights, when given, must be finite, >= 0, one per value, with a positive total.
 */
export function wassersteinDistance(u: Sample, v: Sample, uWeights?: Sample, vWeights?: Sample): number {
  assertFiniteSample(u, 'wassersteinDistance: sample "u"');
  assertFiniteSample(v, 'wassersteinDistance: sample "v"');
  const uc = ecdfSteps(u, uWeights, 'u');
  const vc = ecdfSteps(v, vWeights, 'v');

  // Walk the merged sorted values; between consecutive values both ECDFs are constant.
  const all = new Float64Array(u.length + v.length);
  all.set(uc.values);
  all.set(vc.values, u.length);
  all.sort();
  const total = new CompensatedSum();
  let iu = 0;
  let iv = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (iu < uc.values.length && uc.values[iu] <= x) iu++;
    while (iv < vc.values.length && vc.values[iv] <= x) iv++;
    const delta = all[k + 1] - x;
    if (delta !== 0) total.add(Math.abs(uc.cdfAt(iu) - vc.cdfAt(iv)) * delta);
  }
  return total.value;
}

/** Sorted values plus the ECDF value after the first `count` of them (SciPy's cumweights / total). */
function ecdfSteps(
  values: Sample,
  weights: Sample | undefined,
  name: string,
): { values: Float64Array; cdfAt: (count: number) => number } {
  if (weights === undefined) {
    const sorted = Float64Array.from(values as ArrayLike<number>).sort();
    const n = sorted.length;
    return { values: sorted, cdfAt: (count) => count / n };
  }
  if (weights.length !== values.length) {
    throw new RangeError(
      `wassersteinDistance: ${name}Weights has ${weights.length} entries but "${name}" has ${values.length}; pass one weight per value.`,
    );
  }
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!Number.isFinite(w) || w < 0) {
      throw new RangeError(`wassersteinDistance: ${name}Weights[${i}] = ${w}; weights must be finite and >= 0.`);
    }
  }
  const order = sortedOrder(values);
  const sorted = new Float64Array(order.length);
  const cum = new Float64Array(order.length + 1);
  for (let i = 0; i < order.length; i++) {
    sorted[i] = values[order[i]];
    cum[i + 1] = cum[i] + weights[order[i]];
  }
  const totalWeight = cum[order.length];
  if (!(totalWeight > 0)) {
    throw new RangeError(`wassersteinDistance: ${name}Weights sum to ${totalWeight}; at least one weight must be positive.`);
  }
  return { values: sorted, cdfAt: (count) => cum[count] / totalWeight };
}

/** Floor on the reference standard deviation in the normed Wasserstein distance (Evidently's 0.001). */
export const WASSERSTEIN_NORM_MIN_STD = 0.001;

/**
 * Evidently's normed Wasserstein distance (stattest "wasserstein", Evidently 0.4-0.5
 * `_wasserstein_distance_norm`): `wasserstein_distance(reference, current) / max(np.std(reference), 0.001)`.
 * `np.std` there has NumPy's default ddof = 0 (population standard deviation); Evidently passes a
 * pandas Series, and `np.std(series)` forwards ddof=0 explicitly, so it is *not* pandas' ddof=1.
 */
export function wassersteinNormed(reference: Sample, current: Sample): number {
  const wd = wassersteinDistance(reference, current);
  return wd / Math.max(stdPopulation(reference), WASSERSTEIN_NORM_MIN_STD);
}

/**
 * Jensen-Shannon *distance* (square root of the divergence), = `scipy.spatial.distance.jensenshannon(p, q, base)`.
 * `p` and `q` are non-negative weight vectors of equal length; each is normalised to sum 1, so raw
 * counts are fine. Zero entries contribute 0 (0 log 0 = 0).
 * Base 2 by default (as Evidently's "jensenshannon" stattest): the distance then lies in [0, 1].
 * Pass `Math.E` for SciPy's default natural-log version (in [0, sqrt(ln 2)]).
 * Unlike SciPy, a divergence that rounds to a tiny negative number yields 0 instead of NaN.
 */
export function jensenShannon(p: Sample, q: Sample, base = 2): number {
  checkWeights(p, 'jensenShannon: "p"');
  checkWeights(q, 'jensenShannon: "q"');
  if (p.length !== q.length) {
    throw new RangeError(
      `jensenShannon: "p" has ${p.length} entries and "q" has ${q.length}; align both on the same categories first (see tagCountJensenShannon).`,
    );
  }
  if (!(base > 0) || base === 1 || !Number.isFinite(base)) {
    throw new RangeError(`jensenShannon: base must be a positive number other than 1; got ${base}.`);
  }
  const ps = sumOf(p);
  const qs = sumOf(q);
  const left = new CompensatedSum();
  const right = new CompensatedSum();
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / ps;
    const qi = q[i] / qs;
    const mi = (pi + qi) / 2;
    if (pi > 0) left.add(pi * Math.log(pi / mi));
    if (qi > 0) right.add(qi * Math.log(qi / mi));
  }
  let js = left.value + right.value;
  js /= Math.log(base);
  return Math.sqrt(Math.max(js / 2, 0));
}

function checkWeights(w: Sample, what: string): void {
  assertFiniteSample(w, what);
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] < 0) throw new RangeError(`${what}[${i}] = ${w[i]}; probabilities / counts must be >= 0.`);
    total += w[i];
  }
  if (!(total > 0)) throw new RangeError(`${what} sums to 0; it needs at least one positive entry.`);
}

/** Counts per key, e.g. how many questions carry each tag. */
export type CountMap = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

export interface CountComparison {
  /** Jensen-Shannon distance (base as requested, default 2). */
  distance: number;
  /** Union of keys, sorted; `reference` / `current` are aligned to it (missing keys count 0). */
  keys: string[];
  reference: Float64Array;
  current: Float64Array;
}

/**
 * Jensen-Shannon distance between two count maps (e.g. tag frequencies of the reference window
 * and the current window) over the union of their keys; a key absent from one side counts 0.
 */
export function tagCountJensenShannon(reference: CountMap, current: CountMap, base = 2): CountComparison {
  const ref = toMap(reference, 'reference');
  const cur = toMap(current, 'current');
  const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort();
  if (keys.length === 0) throw new RangeError('tagCountJensenShannon: both count maps are empty.');
  const r = Float64Array.from(keys, (k) => ref.get(k) ?? 0);
  const c = Float64Array.from(keys, (k) => cur.get(k) ?? 0);
  return {
    distance: jensenShannon(r, c, base),
    keys,
    reference: r,
    current: c,
  };
}

function toMap(counts: CountMap, name: string): ReadonlyMap<string, number> {
  const map = counts instanceof Map ? counts : new Map(Object.entries(counts as Record<string, number>));
  for (const [k, v] of map) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`tagCountJensenShannon: ${name} count for "${k}" is ${String(v)}; counts must be finite and >= 0.`);
    }
  }
  return map;
}

/**
 * Cosine distance 1 - u.v / (|u| |v|), = `scipy.spatial.distance.cosine(u, v)` (clipped to [0, 2]).
 * @throws RangeError when lengths differ or a vector is all zeros (the distance is undefined).
 */
export function cosineDistance(u: Sample, v: Sample): number {
  assertFiniteSample(u, 'cosineDistance: "u"');
  assertFiniteSample(v, 'cosineDistance: "v"');
  if (u.length !== v.length) {
    throw new RangeError(`cosineDistance: vectors differ in length (${u.length} vs ${v.length}).`);
  }
  let uv = 0;
  let uu = 0;
  let vv = 0;
  for (let i = 0; i < u.length; i++) {
    uv += u[i] * v[i];
    uu += u[i] * u[i];
    vv += v[i] * v[i];
  }
  if (uu === 0 || vv === 0) {
    throw new RangeError(`cosineDistance: "${uu === 0 ? 'u' : 'v'}" is the zero vector; cosine distance is undefined.`);
  }
  const dist = 1 - uv / Math.sqrt(uu * vv);
  return Math.min(Math.max(dist, 0), 2);
}

/** Column means of a set of equal-length rows (e.g. the centroid of a window of embeddings). */
export function centroid(rows: readonly Sample[]): Float64Array {
  if (rows.length === 0) throw new RangeError('centroid: no rows given; pass at least one vector.');
  const d = rows[0].length;
  const acc = new Float64Array(d);
  rows.forEach((row, r) => {
    if (row.length !== d) {
      throw new RangeError(`centroid: row ${r} has ${row.length} values, expected ${d} (same as row 0).`);
    }
    for (let j = 0; j < d; j++) {
      const x = row[j];
      if (!Number.isFinite(x)) throw new RangeError(`centroid: row ${r}, column ${j} is ${x}; values must be finite.`);
      acc[j] += x;
    }
  });
  for (let j = 0; j < d; j++) acc[j] /= rows.length;
  return acc;
}
