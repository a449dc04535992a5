/** The tag vocabulary: the N most frequent tags of the training questions, and how much it covers. */

export interface TagVocabulary {
  tags: string[];
  /** Training frequency of each vocabulary tag (same order as `tags`). */
  counts: number[];
  coverage: {
    /** Share of all tag assignments (question, tag) whose tag is in the vocabulary. */
    assignments: number;
    /** Share of questions with at least one vocabulary tag. */
    questions: number;
    /** Distinct tags seen in training. */
    distinctTags: number;
  };
}

/** Top `n` tags by frequency; ties broken by name so the result does not depend on input order. */
export function buildVocabulary(tagLists: readonly (readonly string[])[], n: number): TagVocabulary {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--tags must be a positive integer (got ${n})`);
  const freq = new Map<string, number>();
  for (const tags of tagLists) for (const t of tags) freq.set(t, (freq.get(t) ?? 0) + 1);
  const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = ranked.slice(0, n);
  const inVocab = new Set(top.map(([t]) => t));
  let assignments = 0;
  let covered = 0;
  let questionsCovered = 0;
  for (const tags of tagLists) {
    assignments += tags.length;
    const c = tags.filter((t) => inVocab.has(t)).length;
    covered += c;
    if (c > 0) questionsCovered++;
  }
  return {
    tags: top.map(([t]) => t),
    counts: top.map(([, c]) => c),
    coverage: {
      assignments: assignments ? covered / assignments : 0,
      questions: tagLists.length ? questionsCovered / tagLists.length : 0,
      distinctTags: freq.size,
    },
  };
}

/** Label indices of a question's tags within the vocabulary (tags outside it are dropped). */
export function labelIndices(tags: readonly string[], index: ReadonlyMap<string, number>): number[] {
  const out: number[] = [];
  for (const t of tags) {
    const i = index.get(t);
    if (i !== undefined && !out.includes(i)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}
