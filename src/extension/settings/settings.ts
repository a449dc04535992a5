/**
 * User settings (options page, `storage.sync`): pure shape, defaults and validation. Stored values
 * from older versions or edited by hand are repaired field by field, never trusted.
 */
export interface Settings {
  /** Suggestions on the ask page at all. */
  enabled: boolean;
  /** Show the suggestion row (off: hidden, the model is not run). */
  showPanel: boolean;
  /** Chips shown at most. */
  count: number;
  /** 'auto': each tag's threshold tuned on validation; a number in (0, 1): one score cut for all tags. */
  minConfidence: 'auto' | number;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({ enabled: true, showPanel: true, count: 5, minConfidence: 'auto' });
export const MIN_COUNT = 1;
export const MAX_COUNT = 10;

export function sanitizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof Settings, unknown>>;
  const count = typeof r.count === 'number' && Number.isFinite(r.count) ? Math.min(MAX_COUNT, Math.max(MIN_COUNT, Math.round(r.count))) : DEFAULT_SETTINGS.count;
  const mc = r.minConfidence;
  const minConfidence = mc === 'auto' ? 'auto' : typeof mc === 'number' && mc > 0 && mc < 1 ? mc : DEFAULT_SETTINGS.minConfidence;
  return {
    enabled: typeof r.enabled === 'boolean' ? r.enabled : DEFAULT_SETTINGS.enabled,
    showPanel: typeof r.showPanel === 'boolean' ? r.showPanel : DEFAULT_SETTINGS.showPanel,
    count,
    minConfidence,
  };
}
