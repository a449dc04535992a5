/**
 * The popup: the same question form as the API's demo page, answered by the extension's own model
 * worker (through the background), with the model's version, load time and inference time.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { QuestionForm } from '../../ui/QuestionForm';
import { QUESTION_FORM_CSS } from '../../ui/styles';
import type { SuggestFn } from '../../ui/types';
import { newInstanceId, unwrapReply, type BackgroundMessage, type ModelStatus, type Reply, type SuggestResponse } from '../protocol';

export type Send = <T>(msg: BackgroundMessage) => Promise<Reply<T>>;

export function popupSuggest(send: Send, k = 8): SuggestFn {
  const instance = newInstanceId(); // this popup's own sequence: a reopened popup starts afresh
  let seq = 0;
  return async (title, body) => {
    const value = unwrapReply(await send<SuggestResponse>({ target: 'background', type: 'suggest', instance, seq: ++seq, request: { title, body, bodyFormat: 'markdown', k } }));
    return { tags: value.tags.map((t) => ({ name: t.name, score: t.score, confident: t.confident })), model: value.model, took_ms: value.tookMs };
  };
}

function describe(status: ModelStatus | undefined): string {
  if (!status) return 'model: asking…';
  switch (status.state) {
    case 'ready':
      return `model ${status.version} (${status.vectorizer}, ${status.tags} tags) · loaded in ${status.loadMs} ms${status.runtime ? ` · ${status.runtime}` : ''}${status.headEngine ? ` · head ${status.headEngine}` : ''}`;
    case 'loading':
      return 'model: loading…';
    case 'idle':
      return 'model: not loaded yet';
    case 'failed':
      return `model failed to load: ${status.error}`;
  }
}

export function Popup({ send }: { send: Send }) {
  const [status, setStatus] = useState<ModelStatus | undefined>();
  useEffect(() => {
    // Warm up now: the model loads while the user types.
    send<ModelStatus>({ target: 'background', type: 'warmup' })
      .then((r) => setStatus(unwrapReply(r)))
      .catch((err: Error) => setStatus({ state: 'failed', error: err.message }));
  }, [send]);
  // One suggest function (one instance id and sequence counter) for the popup's life: a new one per
  // render would make every render a new instance and waste a request on each.
  const suggest = useMemo(() => popupSuggest(send), [send]);
  return (
    <main class="ts-popup">
      <style>{`${QUESTION_FORM_CSS}
.ts-popup { width: 460px; padding: 12px 14px; font: 14px/1.4 system-ui, sans-serif; }
.ts-popup h1 { font-size: 16px; margin: 0 0 2px; }
.ts-status { color: #656d76; font-size: 12px; margin: 0 0 10px; }
.ts-tag { grid-template-columns: 9rem 1fr 3.5rem; }`}</style>
      <h1>tagsmith</h1>
      <p class="ts-status" data-testid="model-status" data-state={status?.state ?? 'unknown'}>
        {describe(status)}
      </p>
      <QuestionForm suggest={async (t, b) => {
        const r = await suggest(t, b);
        if (status?.state !== 'ready') send<ModelStatus>({ target: 'background', type: 'status' }).then((s) => setStatus(unwrapReply(s))).catch(() => undefined);
        return r;
      }} />
    </main>
  );
}
