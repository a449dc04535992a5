/**
 * Per-tag decision thresholds tuned on the validation part.
 *
 * First one global threshold maximising micro-F1 over all tags; then, for each tag with enough
 * validation positives to say something, the threshold maximising that tag's F1. Tags with few
 * positives keep the global one (a threshold fitted on 2 examples is noise).
 */
export interface ThresholdOptions {
  /** Candidate thresholds. */
  grid?: number[];
  /** Validation positives a tag needs for its own threshold. */
  minPositives?: number;
}

const DEFAULT_GRID = Array.from({ length: 19 }, (_, i) => Number((0.05 * (i + 1)).toFixed(2)));

export function tuneThresholds(
  scores: readonly ArrayLike<number>[],
  labels: readonly (readonly number[])[],
  numTags: number,
  opts: ThresholdOptions = {},
): { thresholds: number[]; global: number; perTag: number } {
  const grid = opts.grid ?? DEFAULT_GRID;
  const minPositives = opts.minPositives ?? 8;
  // counts[t][g] = true positives / predicted positives of tag t at grid[g]
  const tp = Array.from({ length: numTags }, () => new Float64Array(grid.length));
  const pp = Array.from({ length: numTags }, () => new Float64Array(grid.length));
  const pos = new Float64Array(numTags);
  for (let i = 0; i < scores.length; i++) {
    const truth = new Set(labels[i]);
    for (const t of truth) pos[t]++;
    for (let t = 0; t < numTags; t++) {
      const s = scores[i][t];
      const isTrue = truth.has(t);
      for (let g = 0; g < grid.length; g++) {
        if (s >= grid[g]) {
          pp[t][g]++;
          if (isTrue) tp[t][g]++;
        }
      }
    }
  }
  const f1 = (tpv: number, ppv: number, posv: number) => (ppv + posv > 0 ? (2 * tpv) / (ppv + posv) : 0);
  let bestG = 0;
  let bestF = -1;
  const totalPos = pos.reduce((a, b) => a + b, 0);
  for (let g = 0; g < grid.length; g++) {
    let sTp = 0;
    let sPp = 0;
    for (let t = 0; t < numTags; t++) {
      sTp += tp[t][g];
      sPp += pp[t][g];
    }
    const f = f1(sTp, sPp, totalPos);
    if (f > bestF) {
      bestF = f;
      bestG = g;
    }
  }
  const global = grid[bestG];
  let perTag = 0;
  const thresholds = Array.from({ length: numTags }, (_, t) => {
    if (pos[t] < minPositives) return global;
    let bg = bestG;
    let bf = f1(tp[t][bestG], pp[t][bestG], pos[t]);
    for (let g = 0; g < grid.length; g++) {
      const f = f1(tp[t][g], pp[t][g], pos[t]);
      if (f > bf + 1e-12) {
        bf = f;
        bg = g;
      }
    }
    perTag++;
    return grid[bg];
  });
  return { thresholds, global, perTag };
}
