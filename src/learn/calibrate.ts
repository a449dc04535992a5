/**
 * Platt scaling with one slope and one offset for all tags: p = sigmoid(a·z + c), fitted on the
 * validation part by Newton's method on the log loss over every (question, tag) pair. Global, so
 * the ranking of tags is unchanged; it turns SVM margins into probabilities the thresholds, the
 * chips ("73 %") and the API can share. Folded into the head's weights by the trainer
 * (a·(w·x + b) + c is still linear). Two parameters: hand-written (no library needed for a 2x2 Newton step).
 */
import { sigmoid } from '../core/head';

export interface Platt {
  a: number;
  c: number;
}

/** Fits `sigmoid(a z + c)` to `labels` (positive tag ids per row) over the margins `z` (rows x tags). */
export function fitPlatt(z: readonly ArrayLike<number>[], labels: readonly (readonly number[])[], maxIter = 50): Platt {
  let a = 1;
  let c = 0;
  const positives = labels.map((ls) => new Set(ls)); // once, not on every pass
  const loss = (a1: number, c1: number): number => {
    let f = 0;
    z.forEach((row, i) => {
      const pos = positives[i];
      for (let t = 0; t < row.length; t++) {
        const s = a1 * row[t] + c1;
        // log(1 + e^{-s}) for positives, log(1 + e^{s}) for negatives, computed stably
        const m = pos.has(t) ? -s : s;
        f += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      }
    });
    return f;
  };
  let f = loss(a, c);
  for (let iter = 0; iter < maxIter; iter++) {
    let ga = 0;
    let gc = 0;
    let haa = 0;
    let hac = 0;
    let hcc = 0;
    z.forEach((row, i) => {
      const pos = positives[i];
      for (let t = 0; t < row.length; t++) {
        const p = sigmoid(a * row[t] + c);
        const r = p - (pos.has(t) ? 1 : 0);
        const h = p * (1 - p);
        ga += r * row[t];
        gc += r;
        haa += h * row[t] * row[t];
        hac += h * row[t];
        hcc += h;
      }
    });
    const det = haa * hcc - hac * hac;
    if (!(det > 0)) break;
    let da = (hcc * ga - hac * gc) / det;
    let dc = (haa * gc - hac * ga) / det;
    // Backtracking keeps every step a decrease.
    let step = 1;
    let next = loss(a - da, c - dc);
    while (next > f && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, c - step * dc);
    }
    if (next > f) break;
    da *= step;
    dc *= step;
    a -= da;
    c -= dc;
    const done = Math.abs(f - next) <= 1e-10 * Math.max(1, Math.abs(f));
    f = next;
    if (done) break;
  }
  if (!(Number.isFinite(a) && Number.isFinite(c))) throw new Error('platt: the fit diverged (are the margins finite?)');
  return { a, c };
}
