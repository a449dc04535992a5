/**
 * The row of suggested tags under the page's tag field: chips styled like Stack Overflow's tags with
 * their confidence; click, Enter or Space adds one, arrow keys move between chips. Renders inside a
 * shadow root; all page-derived text goes through preact (escaped), never innerHTML.
 */
import type { JSX } from 'preact';
import { percent, type BarState } from './suggestions';
import { BAR_CSS } from './bar-styles';

export interface SuggestionBarProps {
  state: BarState;
  onAdd(name: string): void;
  onHide(): void;
  /** A short message after an add attempt (e.g. why the page refused it). */
  notice?: string;
}

function moveFocus(e: JSX.TargetedKeyboardEvent<HTMLElement>) {
  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
  const chips = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button.ts-chip')];
  if (chips.length === 0) return;
  const root = e.currentTarget.getRootNode() as Document | ShadowRoot;
  const i = chips.indexOf(root.activeElement as HTMLButtonElement);
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? chips.length - 1 : (i + (e.key === 'ArrowRight' ? 1 : -1) + chips.length) % chips.length;
  chips[next].focus();
  e.preventDefault();
}

function status(state: BarState): string | undefined {
  switch (state.kind) {
    case 'idle':
      return 'Type a title to get tag suggestions.';
    case 'loading':
      return 'Loading the tag model…';
    case 'abstain':
      return state.full ? 'The question has 5 tags.' : state.provisional ? 'No confident suggestion yet; loading the full model…' : 'No confident suggestion yet.';
    case 'chips':
      return state.full ? 'The question has its 5 tags: remove one to add a suggestion.' : state.provisional ? 'Refining…' : undefined;
    default:
      return undefined;
  }
}

export function SuggestionBar({ state, onAdd, onHide, notice }: SuggestionBarProps) {
  const text = status(state);
  return (
    <div class="ts-bar" role="region" aria-label="Suggested tags" data-state={state.kind} data-provisional={'provisional' in state && state.provisional ? 'true' : undefined}>
      <style>{BAR_CSS}</style>
      <span class="ts-label">
        <b>tagsmith</b> suggests
      </span>
      {state.kind === 'chips' && (
        <ul class="ts-chips" role="list" onKeyDown={moveFocus}>
          {state.chips.map((c) => (
            <li key={c.name} role="listitem" style="display:contents">
              <button
                type="button"
                class="ts-chip"
                data-tag={c.name}
                disabled={state.full}
                title={`Add the tag ${c.name} (confidence ${percent(c.score)})`}
                aria-label={`Add tag ${c.name}, confidence ${percent(c.score)}`}
                onClick={() => onAdd(c.name)}
              >
                <span class="ts-plus" aria-hidden="true">
                  +
                </span>
                <span class="ts-name">{c.name}</span>
                <span class="ts-score">{percent(c.score)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <span class={state.kind === 'error' ? 'ts-error' : 'ts-status'} role="status" aria-live="polite">
        {state.kind === 'error' ? `Tag suggestions unavailable: ${state.message}` : (notice ?? text ?? '')}
      </span>
      <button type="button" class="ts-hide" aria-label="Hide tag suggestions" title="Hide tag suggestions (turn them back on in the extension's options)" onClick={onHide}>
        ×
      </button>
    </div>
  );
}
