/**
 * Which ask page this is, decided by which title field exists. Cheap (two id lookups) and returns
 * null until a title field has mounted, so the content script can call it on every DOM change.
 */
import type { AskPageAdapter } from './types';
import { CLASSIC, WIZARD } from './selectors';
import { ClassicAskPage } from './classic';
import { WizardAskPage } from './wizard';

const cache = new WeakMap<Document, AskPageAdapter>();

export function detectAskPage(doc: Document): AskPageAdapter | null {
  const variant = doc.querySelector(WIZARD.title) ? 'wizard' : doc.querySelector(CLASSIC.title) ? 'classic' : null;
  if (!variant) return null;
  const known = cache.get(doc);
  if (known?.variant === variant) return known;
  const adapter = variant === 'wizard' ? new WizardAskPage(doc) : new ClassicAskPage(doc);
  cache.set(doc, adapter);
  return adapter;
}
