/** The per-tag objective along a search direction: weighted log-loss, residuals, and the line search. */

/**
 * Weighted mean log-loss at logits `z + a*u` (no penalty), writing residuals
 * r_i = s_i (sigmoid - y_i) / n, and the derivative along u: sum_i r_i u_i.
 */
export function lossAndResidual(
  z: Float64Array,
  u: Float64Array | null,
  a: number,
  y: Uint8Array,
  wPos: number,
  wNeg: number,
  invN: number,
  r: Float64Array,
): { f: number; du: number } {
  let loss = 0;
  let du = 0;
  const n = z.length;
  for (let i = 0; i < n; i++) {
    const zi = u === null ? z[i] : z[i] + a * u[i];
    const pos = y[i] === 1;
    const s = pos ? wPos : wNeg;
    const e = Math.exp(-Math.abs(zi));
    // log(1 + exp(zi)) - y*zi, stably
    loss += s * ((zi > 0 ? zi : 0) + Math.log1p(e) - (pos ? zi : 0));
    const sig = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
    const ri = s * (sig - (pos ? 1 : 0)) * invN;
    r[i] = ri;
    if (u !== null) du += ri * u[i];
  }
  return { f: loss * invN, du };
}

/**
 * Line search on a convex 1-D function φ(α) with φ(0)=f0, φ'(0)=g0<0: finds α meeting the
 * strong Wolfe conditions (c1=1e-4, c2=0.9), trying α=1 first, by bracketing the root of φ'
 * (monotone because φ is convex) with safeguarded secant steps. The last φ evaluated is at the
 * returned α (so residuals written by φ match it). Returns α=0 if no decrease is found.
 */
export function lineSearch(phi: (a: number) => { f: number; df: number }, f0: number, g0: number): { alpha: number; f: number } {
  if (!(g0 < 0)) return { alpha: 0, f: f0 };
  const c1 = 1e-4;
  const c2 = 0.9;
  let lo = 0;
  let dlo = g0;
  let hi = Infinity;
  let dhi = 0;
  let a = 1;
  let best = { alpha: 0, f: f0 };
  for (let it = 0; it < 40; it++) {
    const { f, df } = phi(a);
    if (f < best.f) best = { alpha: a, f };
    const armijo = f <= f0 + c1 * a * g0;
    if (armijo && Math.abs(df) <= c2 * -g0) return { alpha: a, f };
    if (!armijo || df >= 0) {
      hi = a;
      dhi = df;
    } else {
      lo = a;
      dlo = df;
    }
    if (hi === Infinity) {
      a *= 4;
      continue;
    }
    // secant on φ' between lo and hi, kept away from the ends
    let next = Number.isFinite(dhi) && dhi > dlo ? lo - (dlo * (hi - lo)) / (dhi - dlo) : 0.5 * (lo + hi);
    const margin = 0.1 * (hi - lo);
    if (!(next > lo + margin && next < hi - margin)) next = 0.5 * (lo + hi);
    if (hi - lo <= 1e-12 * Math.max(1, hi)) break;
    a = next;
  }
  if (best.alpha > 0) phi(best.alpha); // leave residuals at the returned point
  return best;
}
