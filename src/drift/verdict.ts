/**
 * The verdict of a period: stable, watch or retrain, with the reasons that fired. The rules are
 * explicit thresholds (exported, shown in every report) so a user can see why:
 *
 * retrain when any of
 *   - P@1 on unseen questions fell by >= 0.10 from the reference (and by more than 3 standard errors);
 *   - tag coverage (gold tags the vocabulary knows) fell by >= 0.10 (and by more than 3 standard errors):
 *     the model cannot name the new tags, only retraining on new data fixes that;
 *   - the embeddings drifted (dataset drift, >= 50 % of PCA components) AND the domain classifier
 *     separates the periods well (ROC AUC >= 0.75): the questions are of another kind, UNLESS P@1
 *     on unseen questions can be compared and neither it nor tag coverage fell (then only watch:
 *     labels beat proxies).
 * watch when any of
 *   - P@1 fell by >= 0.05 (and > 2 SE); coverage fell by >= 0.05 (and > 2 SE);
 *   - dataset drift of the embeddings; domain classifier ROC AUC > 0.55 (Evidently's rule) and more
 *     than 2 null standard errors above 0.5 (small periods).
 * stable otherwise.
 * The standard-error guard keeps small periods (tens of unseen questions) from crying wolf.
 * Pure and browser-safe.
 */

export type VerdictLevel = 'stable' | 'watch' | 'retrain';

export const VERDICT_RULES = {
  p1DropWatch: 0.05,
  p1DropRetrain: 0.1,
  coverageDropWatch: 0.05,
  coverageDropRetrain: 0.1,
  domainAucWatch: 0.55,
  domainAucRetrain: 0.75,
  /** Unseen questions a period (and the reference) needs before P@1 is compared. */
  minSupervised: 30,
  /** A drop counts only when larger than this many standard errors of the difference. */
  seMultiple: 2,
  /** ... and a retrain-sized drop needs this many (11 monthly periods are 11 tests; 2 SE alone fires too often by chance). */
  seMultipleRetrain: 3,
} as const;

export interface RateSample {
  /** The rate (P@1, coverage). */
  value: number;
  /** Trials it was measured on (questions for P@1, gold tag assignments for coverage). */
  n: number;
}

export interface VerdictInput {
  /** P@1 on unseen questions of the reference and of the period (omitted when either has none). */
  p1?: { reference: RateSample; current: RateSample };
  coverage: { reference: RateSample; current: RateSample };
  /** Share of PCA components that drifted, and whether that is dataset drift (>= 50 %). */
  embeddingDrift: { share: number; drifted: boolean };
  /** Domain classifier ROC AUC and its drift decision (AUC > 0.55 and > 2 null SE above 0.5); omitted when not computed. */
  domain?: { auc: number; drifted: boolean };
}

export interface Verdict {
  level: VerdictLevel;
  reasons: string[];
}

/** Standard error of the difference of two independent proportions. */
export function diffStandardError(a: RateSample, b: RateSample): number {
  const v = (s: RateSample) => (s.n > 0 ? (s.value * (1 - s.value)) / s.n : 0);
  return Math.sqrt(v(a) + v(b));
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function dropLevel(name: string, pair: { reference: RateSample; current: RateSample }, watch: number, retrain: number, rules: typeof VERDICT_RULES): { level: VerdictLevel; reason?: string } {
  const drop = pair.reference.value - pair.current.value;
  const se = diffStandardError(pair.reference, pair.current);
  const text = `${name} fell from ${pct(pair.reference.value)} to ${pct(pair.current.value)} (−${(drop * 100).toFixed(1)} points, SE ${(se * 100).toFixed(1)})`;
  if (drop >= retrain && drop > rules.seMultipleRetrain * se) return { level: 'retrain', reason: `${text}: ≥ ${retrain * 100} points and > ${rules.seMultipleRetrain} SE` };
  if (drop >= watch && drop > rules.seMultiple * se) return { level: 'watch', reason: `${text}: ≥ ${watch * 100} points and > ${rules.seMultiple} SE` };
  return { level: 'stable' };
}

const RANK: Record<VerdictLevel, number> = { stable: 0, watch: 1, retrain: 2 };

export function decideVerdict(input: VerdictInput, rules: typeof VERDICT_RULES = VERDICT_RULES): Verdict {
  const found: { level: VerdictLevel; reason: string }[] = [];
  const p1Usable = input.p1 && input.p1.reference.n >= rules.minSupervised && input.p1.current.n >= rules.minSupervised;
  if (input.p1 && p1Usable) {
    const r = dropLevel('P@1 on unseen questions', input.p1, rules.p1DropWatch, rules.p1DropRetrain, rules);
    if (r.reason) found.push({ level: r.level, reason: r.reason });
  }
  const c = dropLevel('tag coverage', input.coverage, rules.coverageDropWatch, rules.coverageDropRetrain, rules);
  if (c.reason) found.push({ level: c.level, reason: `${c.reason}: questions use tags the vocabulary does not know` });
  const auc = input.domain?.auc;
  if (input.embeddingDrift.drifted && auc !== undefined && auc >= rules.domainAucRetrain) {
    const changed = `the questions changed: ${pct(input.embeddingDrift.share)} of the embedding's PCA components drifted and a classifier tells the periods apart (ROC AUC ${auc.toFixed(3)} ≥ ${rules.domainAucRetrain})`;
    // Labels beat proxies: when P@1 on unseen questions can be compared and did not drop, the
    // model copes with the new text for now (watch); without labels, strong input drift is the
    // best evidence there is (retrain).
    const p1Fell = found.some((f) => f.reason.startsWith('P@1'));
    const coverageFell = found.some((f) => f.reason.startsWith('tag coverage'));
    if (p1Usable && !p1Fell && !coverageFell) {
      found.push({
        level: 'watch',
        reason: `${changed}, but P@1 on unseen questions (${pct(input.p1!.current.value)} vs ${pct(input.p1!.reference.value)}) and tag coverage held: the model copes for now`,
      });
    } else {
      const why = [p1Fell ? 'P@1 on unseen questions fell' : '', coverageFell ? 'tag coverage fell (new tags)' : ''].filter(Boolean).join(' and ');
      found.push({ level: 'retrain', reason: why ? `${changed}, and ${why}` : `${changed}; too few unseen labelled questions to check the model's quality` });
    }
  } else {
    if (input.embeddingDrift.drifted) found.push({ level: 'watch', reason: `${pct(input.embeddingDrift.share)} of the embedding's PCA components drifted (≥ 50 %: dataset drift)` });
    if (auc !== undefined && input.domain!.drifted) found.push({ level: 'watch', reason: `a classifier tells the period from the reference (ROC AUC ${auc.toFixed(3)} > ${rules.domainAucWatch}, above chance)` });
  }
  const level = found.reduce<VerdictLevel>((l, f) => (RANK[f.level] > RANK[l] ? f.level : l), 'stable');
  if (found.length === 0) {
    const parts = [
      input.p1 && p1Usable ? `P@1 ${pct(input.p1.current.value)} vs ${pct(input.p1.reference.value)}` : `P@1 not compared (fewer than ${rules.minSupervised} unseen questions)`,
      `coverage ${pct(input.coverage.current.value)} vs ${pct(input.coverage.reference.value)}`,
      `${pct(input.embeddingDrift.share)} of PCA components drifted`,
      auc !== undefined ? `domain ROC AUC ${auc.toFixed(3)}` : 'no domain classifier',
    ];
    return { level, reasons: [`no rule fired: ${parts.join(', ')}`] };
  }
  return { level, reasons: found.sort((a, b) => RANK[b.level] - RANK[a.level]).map((f) => f.reason) };
}
