/**
 * The two-sided one-sample Kolmogorov distribution of D_n (SciPy's `kstwo`) and the one-sided
 * Smirnov distribution of D_n+ (SciPy's `scipy.special.smirnov`).
 *
 * Hand-written because no npm package provides them (checked): `ks2samp` needs
 * `kstwo.sf(D, n)` for its asymptotic path. The branch structure follows SciPy 1.17
 * (`scipy/stats/_ksstats.py`, itself Simard & L'Ecuyer 2011), so results agree with SciPy to
 * rounding:
 *  - Ruben-Gambino closed forms for n*x <= 1 and n*x >= n-1;
 *  - 2 * smirnov(n, x) where it is exact (x >= 0.5) or accurate (large n*x^2);
 *  - Durbin's matrix algorithm in the Marsaglia-Tsang-Wang form (small n*x^2);
 *  - Pomeranz's recursion (n <= 140, moderate n*x^2);
 *  - the Pelz-Good asymptotic series (large n, small x).
 * References: Durbin (1968); Pomeranz (1974); Marsaglia, Tsang & Wang, J. Stat. Softw. 8(18)
 * (2003); Pelz & Good, JRSS B 38(2) (1976); Simard & L'Ecuyer, J. Stat. Softw. 39(11) (2011);
 * Birnbaum & Tingey (1951) and van Mulbregt arXiv:1802.06966 for the Smirnov sum.
 * Differences from SciPy: SciPy evaluates a few scaled intermediates in long double and the
 * Smirnov sum in double-double; here everything is float64 (worst relative difference seen on the
 * fixture grid: ~5e-12). Below ~1e-300 SciPy's results depend on where its terms underflow.
 */
import { clip01, ldexp } from './numeric';

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const MIN_LOG = -708;
/** cephes MINLOG with denormals, log(2^-1075) (xsf const.h). */
const CEPHES_MINLOG = -7.451332191019412076235e2;
/** Above this n, `smirnov` uses a closed-form approximation (as SciPy). */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
/** Stirling series coefficients B_{2j}/(2j(2j-1)), j = 8..1 (highest order first). */
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function assertN(n: number, fn: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${fn}: n must be a positive integer (sample size); got ${n}.`);
  }
}

/** log(n! / n^n) by Stirling's series, with n*log(n) removed up front. */
function logNFactorialOverNPowN(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * Survival function of the one-sided Smirnov statistic: P(D_n+ >= x), as
 * `scipy.special.smirnov(n, x)`. Uses the Birnbaum-Tingey sum (all terms positive).
 */
export function smirnovSf(n: number, x: number): number {
  assertN(n, 'smirnovSf');
  if (Number.isNaN(x)) return NaN;
  if (x < 0 || x > 1) throw new RangeError(`smirnovSf: x must lie in [0, 1]; got ${x}.`);
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  const [nxFloor, alpha] = floorProduct(n, x);
  // x <= 1/n: closed form.
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    const cdf = x * Math.exp((n - 1) * Math.log1p(x));
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  // x >= 1 - 1/n: closed form.
  if (nxFloor >= n - 1) return clip01(Math.exp(n * Math.log1p(-x)));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // p ~ exp(-(6nx+1)^2 / 18n)
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  // Lower Birnbaum-Tingey sum: sf = x * sum_{v=0}^{n - floor(nx) - 1} A_v with
  // A_v = C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1). Terms are evaluated in the log domain and
  // summed relative to the largest log seen so far (so neither overflow nor underflow loses
  // terms); C(n, v) is carried as mantissa * 2^exponent.
  const nTerms = n - nxFloor;
  let scale = -Infinity; // log of the current reference magnitude
  let sum = 0; // sum of A_v / exp(scale), Neumaier-compensated
  let comp = 0;
  let cMan = 1;
  let cExp = 0;
  for (let v = 0; v < nTerms; v++) {
    const logA =
      Math.log(cMan) + cExp * Math.LN2 + (n - v) * Math.log((n - v) / n - x) + (v - 1) * Math.log(v / n + x);
    if (logA > scale) {
      const f = Math.exp(scale - logA);
      sum *= f;
      comp *= f;
      scale = logA;
    }
    const a = Math.exp(logA - scale);
    const t = sum + a;
    comp += Math.abs(sum) >= a ? sum - t + a : a - t + sum;
    sum = t;
    // Stop once the remaining terms cannot matter (SciPy's criterion).
    if (4 * (nTerms - v) * a < Number.EPSILON * (sum + comp) && v !== nTerms - 1) break;
    // C(n, v+1) = C(n, v) * (n - v) / (v + 1), renormalised by an exact power of two.
    cMan *= (n - v) / (v + 1);
    if (cMan > 2 ** 512) {
      cMan *= 2 ** -512;
      cExp += 512;
    } else if (cMan < 2 ** -512) {
      cMan *= 2 ** 512;
      cExp -= 512;
    }
  }
  return clip01(Math.exp(scale + Math.log(sum + comp) + Math.log(x)));
}

/** Exact floor(n*x) and fractional part for integer n (error-free product, Dekker/Veltkamp). */
function floorProduct(n: number, x: number): [number, number] {
  const p = n * x;
  const err = twoProductError(n, x, p);
  let fl = Math.floor(p);
  if (fl === p && err < 0) fl -= 1;
  const alpha = p - fl + err;
  return alpha >= 1 ? [fl + 1, 0] : [fl, alpha];
}

function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}

function twoProductError(a: number, b: number, p: number): number {
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

/**
 * Survival function of the two-sided one-sample Kolmogorov-Smirnov statistic,
 * P(D_n >= x) = `scipy.stats.kstwo.sf(x, n)`.
 */
export function kolmogorovSf(n: number, x: number): number {
  return kolmogorovProb(n, x, false);
}

/** CDF of the two-sided one-sample statistic, P(D_n <= x) = `scipy.stats.kstwo.cdf(x, n)`. */
export function kolmogorovCdf(n: number, x: number): number {
  return kolmogorovProb(n, x, true);
}

function kolmogorovProb(n: number, x: number, cdf: boolean): number {
  assertN(n, cdf ? 'kolmogorovCdf' : 'kolmogorovSf');
  if (Number.isNaN(x)) return NaN;
  // Support of kstwo is [1/(2n), 1] (SciPy's rv_continuous handles these ends).
  if (x <= 0.5 / n) return cdf ? 0 : 1;
  if (x >= 1) return cdf ? 1 : 0;
  const pick = (cdfProb: number): number => clip01(cdf ? cdfProb : 1 - cdfProb);

  const t = n * x;
  if (t <= 1) {
    // Ruben-Gambino: 1/2n <= x <= 1/n
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialOverNPowN(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob);
  }
  if (t >= n - 1) {
    // Ruben-Gambino
    const sf = 2 * (1 - x) ** n;
    return clip01(cdf ? 1 - sf : sf);
  }
  if (x >= 0.5) {
    const sf = 2 * smirnovSf(n, x);
    return clip01(cdf ? 1 - sf : sf);
  }
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return pick(durbinMTW(n, x));
    if (nxSquared <= 4) return pick(pomeranz(n, x));
    const sf = 2 * smirnovSf(n, x);
    return clip01(cdf ? 1 - sf : sf);
  }
  if (!cdf) {
    if (nxSquared >= 370) return 0;
    if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  }
  let cdfProb: number;
  if (nxSquared >= 18) cdfProb = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdfProb = durbinMTW(n, x);
  else cdfProb = pelzGood(n, x);
  return pick(cdfProb);
}

/** Square matrix product (row-major, size m). */
function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += ail * b[l * m + j];
    }
  }
  return out;
}

/** P(D_n <= d): Durbin's matrix algorithm, Marsaglia-Tsang-Wang variant (k-th diagonal of H^n). */
function durbinMTW(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  // v[j] = (1 - h^(j+1)) / (j+1)!, w[j] = 1/j!
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;

  let H = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  let Hpwr = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] /= EP128;
      Hexpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = Hpwr[(k - 1) * m + (k - 1)];
  // Multiply by n!/n^n, rescaling to stay in range.
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

/** Interval of non-zero entries of row i in Pomeranz's recursion. */
function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n <= x) by Pomeranz's recursion (only used for n <= 140). */
function pomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!: Poisson probabilities without the normaliser.
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let expnt = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const start = k1 - V0s;
      const aLen = Math.min(ln2, npwrs - start);
      const bLen = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      // entries convStart .. convStart+convLen-1 of the full convolution (np.convolve) of
      // V0[start .. start+aLen) and pwrs[0 .. bLen)
      let maxV = 0;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c;
        let s = 0;
        const lo = Math.max(0, idx - (bLen - 1));
        const hi = Math.min(idx, aLen - 1);
        for (let a = lo; a <= hi; a++) s += V0[start + a] * pwrs[idx - a];
        V1[c] = s;
        if (s > maxV) maxV = s;
      }
      if (maxV > 0 && maxV < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c] *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}

/**
 * Pelz-Good approximation of P(D_n <= x): the Li-Chien/Korolyuk expansion
 * K0(z) + K1(z)/sqrt(n) + K2(z)/n + K3(z)/n^1.5 (z = x sqrt(n)), transformed with Jacobi theta
 * identities so it converges for small z.
 */
function pelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);

  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;

  const K = [0, 0, 0, 0];
  // Horner scheme for sum c_i q^(i^2) over odd i.
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const denom = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT_2PI) / denom[i];

  // Remaining sums over all integers k for K2 and K3.
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qp;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K[2] += k2extra * ((PI2 * SQRT_2PI) / (-36 * z3));
  K[3] += k3extra * ((PI2 * SQRT_2PI) / (216 * z6));
  let total = 0;
  for (let i = 0; i < 4; i++) total += K[i] / n ** (i / 2);
  return total;
}
