/**
 * The few special functions the low-cardinality drift tests need: erfc, the normal CDF and the
 * chi-square survival function for 1-4 degrees of freedom. Written out (no package) because
 * they are short and derived from textbook series / continued fractions without magic
 * constants: relative accuracy ~1e-13 or better against SciPy.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Complementary error function erfc(x) = 1 - erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n (2x^2)^n x / (1*3*...*(2n+1)): positive terms.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 0; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 3);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (x > 27.3) return 0; // below the smallest subnormal
  // erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let C = f;
  let D = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    D = x + a * D;
    D = D === 0 ? 1 / tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal CDF, Phi(z) = erfc(-z / sqrt 2) / 2 (`scipy.stats.norm.cdf`). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Chi-square survival function P(X >= stat) for df = 1..4 (`scipy.stats.chi2.sf`), from the
 * closed forms of the regularised upper incomplete gamma Q(df/2, stat/2).
 */
export function chi2Sf(stat: number, df: number): number {
  if (Number.isNaN(stat)) return NaN;
  if (stat === Infinity) return 0;
  if (stat <= 0) return 1;
  const y = stat / 2;
  switch (df) {
    case 1:
      return erfc(Math.sqrt(y));
    case 2:
      return Math.exp(-y);
    case 3:
      return erfc(Math.sqrt(y)) + TWO_OVER_SQRT_PI * Math.sqrt(y) * Math.exp(-y);
    case 4:
      return Math.exp(-y) * (1 + y);
    default:
      throw new RangeError(`chi2Sf: only 1-4 degrees of freedom are supported (low-cardinality columns); got ${df}.`);
  }
}
