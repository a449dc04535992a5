/**
 * The question form shared by the API's demo page and the extension's popup: a title, a markdown
 * body, and the suggested tags with confidence bars and latency. Where the tags come from is the
 * caller's business (`suggest`: the HTTP API, or the extension's worker). Browser-safe.
 */
import { useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { TagList } from './TagList';
import type { SuggestFn, SuggestResult } from './types';

export interface QuestionExample {
  label: string;
  title: string;
  body: string;
}

export interface QuestionFormProps {
  suggest: SuggestFn;
  initialTitle?: string;
  initialBody?: string;
  /** Buttons that fill the form with a sample question. */
  examples?: QuestionExample[];
}

interface Outcome {
  result: SuggestResult;
  /** Round trip seen by the page, in ms. */
  elapsedMs: number;
}

export function QuestionForm({ suggest, initialTitle = '', initialBody = '', examples = [] }: QuestionFormProps) {
  const [title, setTitle] = useState(initialTitle);
  const [body, setBody] = useState(initialBody);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const canSubmit = !busy && title.trim() !== '';

  async function submit(e?: Event) {
    e?.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(undefined);
    const t0 = performance.now();
    try {
      const result = await suggest(title, body);
      setOutcome({ result, elapsedMs: performance.now() - t0 });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
  };

  return (
    <form class="ts-form" onSubmit={submit} onKeyDown={onKeyDown}>
      <label class="ts-label">
        Title
        <input
          class="ts-input"
          name="title"
          value={title}
          required
          placeholder="How do I parse a JSON file in Python?"
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </label>
      <label class="ts-label">
        <span>
          Body <span class="ts-hint">(markdown)</span>
        </span>
        <textarea class="ts-input ts-body" name="body" rows={8} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </label>
      <div class="ts-actions">
        <button class="ts-button" type="submit" disabled={!canSubmit}>
          {busy ? 'Suggesting…' : 'Suggest tags'}
        </button>
        {examples.map((ex) => (
          <button
            key={ex.label}
            class="ts-button ts-secondary"
            type="button"
            onClick={() => {
              setTitle(ex.title);
              setBody(ex.body);
            }}
          >
            {ex.label}
          </button>
        ))}
      </div>
      {error && (
        <p class="ts-error" role="alert">
          {error}
        </p>
      )}
      {outcome && !error && (
        <section class="ts-result" aria-live="polite">
          <TagList tags={outcome.result.tags} />
          <p class="ts-meta">
            {Math.round(outcome.elapsedMs)} ms round trip
            {outcome.result.took_ms !== undefined && ` · ${outcome.result.took_ms.toFixed(1)} ms computing`}
            {` · model ${outcome.result.model.version}`}
          </p>
        </section>
      )}
    </form>
  );
}
