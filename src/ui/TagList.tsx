/** Suggested tags as rows: name, a confidence bar and the score in percent. Browser-safe. */
import type { SuggestedTag } from './types';

export function TagList({ tags }: { tags: SuggestedTag[] }) {
  if (tags.length === 0) return <p class="ts-empty">No tags.</p>;
  return (
    <ol class="ts-tags" aria-label="Suggested tags">
      {tags.map((t) => {
        const pct = Math.round(Math.max(0, Math.min(1, t.score)) * 1000) / 10;
        const dim = t.confident === false;
        return (
          <li key={t.name} class={dim ? 'ts-tag ts-tag-unsure' : 'ts-tag'} title={dim ? 'below the threshold tuned for this tag' : undefined}>
            <span class="ts-tag-name">{t.name}</span>
            <span class="ts-bar" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <span class="ts-bar-fill" style={{ width: `${pct}%` }} />
            </span>
            <span class="ts-tag-score">{pct.toFixed(1)}%</span>
          </li>
        );
      })}
    </ol>
  );
}
