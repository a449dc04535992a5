/** The ask-page adapters: detect the page, then read it, watch it and add tags through it. */
export type { AddTagResult, AskPageAdapter, AskPageText, AskPageVariant } from './types';
export { detectAskPage } from './detect';
export { ClassicAskPage } from './classic';
export { WizardAskPage } from './wizard';
export { CLASSIC, WIZARD } from './selectors';
export { MAX_TAGS, blockText, chipName, isValidTagName, normaliseTag } from './dom';
