/**
 * Small numeric helpers shared by the drift statistics: input checks with clear errors,
 * compensated summation, NumPy-compatible rounding and scaling. Browser-safe (no Node imports).
 */

/** A numeric sample: a plain array or any typed array. */
export type Sample = ArrayLike<number>;

/**
 * Throws unless `values` is a non-empty list of finite numbers.
 * `what` names the argument in the message (e.g. `ks2samp: sample "reference"`).
 */
export function assertFiniteSample(values: Sample, what: string): void {
  if (values == null || typeof values.length !== 'number') {
    throw new TypeError(`${what} must be an array of numbers; got ${String(values)}.`);
  }
  if (values.length === 0) {
    throw new RangeError(`${what} is empty; pass at least one value.`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(
        `${what} holds a non-finite value ${String(v)} at index ${i}; drop or impute missing values before calling.`,
      );
    }
  }
}

/** Sorted ascending copy as a Float64Array (numeric order, not string order). */
export function sortedCopy(values: Sample): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

/** Neumaier (improved Kahan) summation: error independent of length, for long sums of mixed terms. */
export class CompensatedSum {
  private sum = 0;
  private comp = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
    else this.comp += x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.comp;
  }
}

/** Compensated sum of an array. */
export function sumOf(values: Sample): number {
  const s = new CompensatedSum();
  for (let i = 0; i < values.length; i++) s.add(values[i]);
  return s.value;
}

/** Arithmetic mean. */
export function mean(values: Sample): number {
  return sumOf(values) / values.length;
}

/** Population standard deviation (ddof = 0, NumPy's `np.std` default), two-pass. */
export function stdPopulation(values: Sample): number {
  const m = mean(values);
  const s = new CompensatedSum();
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    s.add(d * d);
  }
  return Math.sqrt(s.value / values.length);
}

/** `np.round` / Python `round`: round half to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Greatest common divisor of two positive integers. */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** `ldexp(x, e)` = x * 2^e without overflowing intermediate powers of two. */
export function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/** Clip to [0, 1]. */
export function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** Upper bound of `sorted` for `x`: number of elements <= x (`np.searchsorted(side='right')`). */
export function searchRight(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Indices that sort `values` ascending (stable). */
export function sortedOrder(values: Sample): Uint32Array {
  const idx = Uint32Array.from({ length: values.length }, (_, i) => i);
  return idx.sort((a, b) => values[a] - values[b] || a - b);
}
