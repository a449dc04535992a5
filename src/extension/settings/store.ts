/** Settings persisted in `storage.sync` (WXT storage), always read through {@link sanitizeSettings}. */
import { storage } from 'wxt/utils/storage';
import { DEFAULT_SETTINGS, sanitizeSettings, type Settings } from './settings';

export const settingsItem = storage.defineItem<Settings>('sync:settings', { fallback: { ...DEFAULT_SETTINGS } });

export async function loadSettings(): Promise<Settings> {
  return sanitizeSettings(await settingsItem.getValue());
}

export async function saveSettings(settings: Settings): Promise<void> {
  await settingsItem.setValue(sanitizeSettings(settings));
}

export function watchSettings(cb: (s: Settings) => void): () => void {
  return settingsItem.watch((v) => cb(sanitizeSettings(v)));
}
