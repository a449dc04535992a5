/** Plain-text rendering of evaluations for the terminal. */
import type { Evaluation } from '../learn/evaluation';

const pct = (x: number) => (x * 100).toFixed(1).padStart(5);

export function formatEvaluation(e: Omit<Evaluation, 'per_tag'>, title = 'evaluation'): string {
  const lines = [
    `${title}: ${e.n.toLocaleString('en-US')} questions`,
    '        k=1    k=2    k=3    k=4    k=5',
    `P@k   ${e.p_at_k.map(pct).join('  ')}`,
    `R@k   ${e.r_at_k.map(pct).join('  ')}`,
    `F1@k  ${e.f1_at_k.map(pct).join('  ')}`,
    `at the tuned thresholds: micro-F1 ${pct(e.micro_f1)} (P ${pct(e.micro_precision)}, R ${pct(e.micro_recall)}), ` +
      `macro-F1 ${pct(e.macro_f1)}, samples-F1 ${pct(e.samples_f1)}, abstains on ${pct(e.abstain_rate)} % of questions (${pct(e.abstain_rate_in_vocabulary)} % of those with a gold tag in the vocabulary)`,
    `tag coverage: ${pct(e.coverage)} % of gold tag assignments are in the vocabulary; ` +
      `${pct(e.vocabulary_predicted_share)} % of vocabulary tags are ever predicted`,
  ];
  return lines.join('\n');
}
