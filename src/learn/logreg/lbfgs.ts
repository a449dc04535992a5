/** Limited-memory BFGS state per tag, preconditioned by {@link Preconditioner}. */
import { applyPrecond, type Preconditioner } from './precondition';

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Limited-memory BFGS state of one tag (ring buffer of the last `m` (s, y) pairs). */
export class Lbfgs {
  private readonly S: Float64Array[] = [];
  private readonly Yv: Float64Array[] = [];
  private readonly rho: number[] = [];
  private gamma = 1;
  private readonly alpha: Float64Array;
  private readonly scratch: Float64Array;

  constructor(
    private readonly p: number,
    private readonly m: number,
  ) {
    this.alpha = new Float64Array(m);
    this.scratch = new Float64Array(p);
  }

  /** Writes the search direction -H·g into `d` (H: L-BFGS inverse Hessian with H0 = γ·M⁻¹). */
  direction(g: Float64Array, d: Float64Array, P: Preconditioner): void {
    d.set(g);
    const k = this.S.length;
    for (let i = k - 1; i >= 0; i--) {
      const a = this.rho[i] * dot(this.S[i], d);
      this.alpha[i] = a;
      const y = this.Yv[i];
      for (let j = 0; j < this.p; j++) d[j] -= a * y[j];
    }
    applyPrecond(P, d);
    for (let j = 0; j < this.p; j++) d[j] *= this.gamma;
    for (let i = 0; i < k; i++) {
      const b = this.rho[i] * dot(this.Yv[i], d);
      const s = this.S[i];
      const c = this.alpha[i] - b;
      for (let j = 0; j < this.p; j++) d[j] += c * s[j];
    }
    let gd = 0;
    for (let j = 0; j < this.p; j++) {
      d[j] = -d[j];
      gd += g[j] * d[j];
    }
    if (!(gd < 0) && k > 0) {
      // Not a descent direction (rounding): forget the memory, use the preconditioned gradient.
      this.S.length = 0;
      this.Yv.length = 0;
      this.rho.length = 0;
      this.gamma = 1;
      this.direction(g, d, P);
    }
  }

  /** Records s = step·d and y = gNew - gOld (skipped if the curvature sᵀy is not positive). */
  update(d: Float64Array, step: number, gOld: Float64Array, gNew: Float64Array, P: Preconditioner): void {
    // Reuse the oldest pair's buffers once the memory is full (avoids churning p-sized arrays).
    const full = this.S.length === this.m;
    const s = full ? this.S[0] : new Float64Array(this.p);
    const y = full ? this.Yv[0] : new Float64Array(this.p);
    const my = this.scratch;
    for (let j = 0; j < this.p; j++) {
      s[j] = step * d[j];
      y[j] = gNew[j] - gOld[j];
      my[j] = y[j];
    }
    const sy = dot(s, y);
    if (!(sy > 1e-300)) {
      if (full) {
        // the oldest pair's buffers were overwritten: drop that pair
        this.S.shift();
        this.Yv.shift();
        this.rho.shift();
      }
      return;
    }
    applyPrecond(P, my);
    const ymy = dot(y, my);
    if (ymy > 0) this.gamma = sy / ymy;
    if (full) {
      this.S.shift();
      this.Yv.shift();
      this.rho.shift();
    }
    this.S.push(s);
    this.Yv.push(y);
    this.rho.push(1 / sy);
  }
}
