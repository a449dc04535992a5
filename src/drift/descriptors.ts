/**
 * Simple text descriptors of a question, compared between periods like any numeric column:
 * title length, body length, the share of the body that is code, and the share of the model
 * text's tokens the TF-IDF vocabulary does not know (new words: new frameworks, new APIs).
 * Pure and browser-safe.
 */
import { normalizeBody, normalizeQuestion, type QuestionText } from '../core/normalize';
import { tokenize } from '../core/tokenize';

export interface Descriptors {
  /** Characters of the title (entities decoded, whitespace folded). */
  title_chars: number;
  /** Characters of the body as read (prose + every code block, nothing clipped); 0 without a body. */
  body_chars: number;
  /** Code characters / body characters (0 without a body). */
  code_share: number;
  /** Tokens of the model text outside the TF-IDF vocabulary / all its tokens (0 without tokens). */
  unknown_token_share: number;
}

export const DESCRIPTOR_NAMES: readonly (keyof Descriptors)[] = ['title_chars', 'body_chars', 'code_share', 'unknown_token_share'];

export const DESCRIPTOR_LABELS: Record<keyof Descriptors, string> = {
  title_chars: 'title length (chars)',
  body_chars: 'body length (chars)',
  code_share: 'code share of the body',
  unknown_token_share: 'tokens unknown to the TF-IDF vocabulary',
};

const UNCLIPPED = { maxCodeBlockChars: Infinity, maxCodeChars: Infinity, maxChars: Infinity };

export function describeQuestion(question: QuestionText, modelText: string, vocabulary: ReadonlySet<string>): Descriptors {
  const title = normalizeQuestion({ title: question.title }, UNCLIPPED);
  const { prose, code } = normalizeBody(question.body ?? '', question.bodyFormat ?? 'markdown', UNCLIPPED);
  const bodyChars = prose.length + code.length;
  const tokens = tokenize(modelText);
  let unknown = 0;
  for (const t of tokens) if (!vocabulary.has(t)) unknown++;
  return {
    title_chars: title.length,
    body_chars: bodyChars,
    code_share: bodyChars > 0 ? code.length / bodyChars : 0,
    unknown_token_share: tokens.length > 0 ? unknown / tokens.length : 0,
  };
}
