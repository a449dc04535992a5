/** What both adapters decide before touching the page's tag editor. */
import type { AddTagResult } from './types';
import { isValidTagName, normaliseTag } from './dom';

/** Either a final answer (`result`) or the normalised name to add. */
export function precheckTag(raw: string, current: string[], maxTags: number): { result: AddTagResult } | { name: string } {
  const name = normaliseTag(raw);
  if (!isValidTagName(name)) return { result: { accepted: false, reason: `"${raw.trim()}" is not a valid tag name.` } };
  if (current.includes(name)) return { result: { accepted: true } };
  if (current.length >= maxTags) {
    return { result: { accepted: false, reason: `The question already has ${current.length} tags, the most Stack Overflow allows.` } };
  }
  return { name };
}
