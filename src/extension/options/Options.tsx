/** The options page: on/off, the suggestion row's visibility, how many chips, which confidence. */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_SETTINGS, MAX_COUNT, MIN_COUNT, sanitizeSettings, type Settings } from '../settings/settings';

export interface OptionsProps {
  load(): Promise<Settings>;
  save(s: Settings): Promise<void>;
}

export function Options({ load, save }: OptionsProps) {
  const [s, setS] = useState<Settings | undefined>();
  const [saved, setSaved] = useState('');
  useEffect(() => {
    load().then(setS, () => setS({ ...DEFAULT_SETTINGS }));
  }, [load]);
  if (!s) return <p>Loading…</p>;
  const update = (patch: Partial<Settings>) => {
    const next = sanitizeSettings({ ...s, ...patch });
    setS(next);
    save(next).then(
      () => setSaved('Saved.'),
      (err: Error) => setSaved(`Not saved: ${err.message}`),
    );
  };
  const auto = s.minConfidence === 'auto';
  return (
    <main class="ts-options">
      <style>{`.ts-options { font: 14px/1.5 system-ui, sans-serif; max-width: 520px; padding: 16px; color: #1f2328; }
.ts-options label { display: block; margin: 10px 0; }
.ts-options small { color: #656d76; display: block; margin-left: 1.6em; }
.ts-saved { color: #1a7f37; min-height: 1.5em; }`}</style>
      <h1>tagsmith options</h1>
      <label>
        <input type="checkbox" name="enabled" checked={s.enabled} onChange={(e) => update({ enabled: e.currentTarget.checked })} /> Suggest tags on the ask page
      </label>
      <label>
        <input type="checkbox" name="showPanel" checked={s.showPanel} onChange={(e) => update({ showPanel: e.currentTarget.checked })} /> Show the suggestion row
        <small>Its × button hides it; tick this to bring it back.</small>
      </label>
      <label>
        Suggestions shown at most{' '}
        <input type="number" name="count" min={MIN_COUNT} max={MAX_COUNT} value={s.count} onChange={(e) => update({ count: Number(e.currentTarget.value) })} />
      </label>
      <label>
        <input type="checkbox" name="auto" checked={auto} onChange={(e) => update({ minConfidence: e.currentTarget.checked ? 'auto' : 0.5 })} /> Use each tag's tuned confidence threshold
        <small>Off: one minimum confidence for every tag.</small>
      </label>
      {!auto && (
        <label>
          Minimum confidence{' '}
          <input type="range" name="minConfidence" min={0.05} max={0.95} step={0.05} value={s.minConfidence as number} onChange={(e) => update({ minConfidence: Number(e.currentTarget.value) })} />{' '}
          {Math.round((s.minConfidence as number) * 100)}%
        </label>
      )}
      <p class="ts-saved" role="status">
        {saved}
      </p>
    </main>
  );
}
