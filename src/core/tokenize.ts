/**
 * The TF-IDF tokenizer of tagsmith: lower-case the text, then take every match of ONE regular
 * expression, {@link TOKEN_PATTERN}.
 *
 * The same pattern string is given to scikit-learn as `TfidfVectorizer(token_pattern=...,
 * lowercase=True)` by `scripts/reference/sklearn_fixtures.py`, so the reference model tokenises
 * exactly like this one. It is therefore written in the common subset of JavaScript and Python `re`:
 * no lookbehind, no `\w`/`\b` (Unicode-aware in Python, ASCII-only in JavaScript), no `\p{..}`,
 * no capturing group (sklearn would return the group instead of the match), only BMP `\uXXXX`
 * ranges that exclude surrogates (JavaScript without the `u` flag matches UTF-16 code units,
 * Python matches code points; with BMP-only classes both see the same characters).
 *
 * What a token is:
 * - word characters W = ASCII letters and digits, `_`, Latin-1/Latin Extended letters, combining
 *   accents, Greek and Cyrillic. Other scripts (CJK, Arabic, ...) and emoji are not token characters and
 *   are dropped: the model is trained on English Stack Overflow.
 * - a segment = W+ optionally followed by `#` or `++` and more W: `c#`, `f#`, `c++`, `g++`,
 *   `c++11`, `notepad++`.
 * - segments joined by single `.` or `-` form one token, so tag-like names stay whole:
 *   `asp.net`, `node.js`, `vue.js`, `objective-c`, `python-3.x`, `ruby-on-rails`, `x86-64`,
 *   `asp.net-mvc-3`, version numbers `3.6.4`, `v2.0`. A `.`/`-` not followed by a word character is
 *   not part of the token: `node.js.` -> `node.js`, `e.g.` -> `e.g`, `i.e.,` -> `i.e`.
 *   Trade-off: hyphenated prose (`client-side`) and missing spaces after a full stop (`works.but`)
 *   are single tokens too.
 * - a leading `.` is kept when a letter follows: `.net`, `.htaccess`, `.net-4.0` (`.5` -> `5`
 *   is dropped as a one-character token).
 * - everything else separates tokens and is dropped: spaces, `/`, `,`, `(`, quotes, `'`
 *   (`don't` -> `don`), `$`, `@`, a leading `#` (`#include` -> `include`), a lone `+`.
 * - minimum length 2, EXCEPT the single letters `c` and `r` (the C and R languages are among the
 *   most used tags; `C` alone in a title is almost always the language). All other one-character
 *   tokens (`a`, `i`, `x`, digits) are dropped. `c+` -> `c`.
 *
 * Pure and browser-safe.
 */

/**
 * One word character: ASCII letters/digits, `_`, Latin-1 and Latin Extended letters, combining
 * accents (U+0300-036F, so decomposed `é` and `i̇` from lower-casing `İ` stay inside the word),
 * Greek, Cyrillic. The input is already lower-cased; the upper-case ranges are harmless.
 */
const W = '[a-z0-9_\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f\\u0300-\\u036f\\u0388-\\u03ff\\u0400-\\u04ff]';
/** A segment: word characters, optionally `#` or `++` then more word characters (`c#`, `c++11`). */
const SEGMENT = `${W}+(?:(?:\\+\\+|#)${W}*)?`;
/**
 * Where a token of length >= 2 may start: a `.` followed by a letter (`.net`), or (zero-width) a word
 * character followed by another token character, so that a lone `x` never matches.
 */
const START = `(?:\\.(?=[a-z])|(?=${W}(?:${W}|#|\\+\\+|[.\\-]${W})))`;

/**
 * The token regular expression, as a source string valid in both JavaScript `RegExp` and Python `re`
 * (use it with the global flag / `re.findall` on lower-cased text). No capturing groups.
 */
export const TOKEN_PATTERN = `${START}${SEGMENT}(?:[.\\-]${SEGMENT})*|[cr]`;

/** Identifies this tokenizer in exported models (bump when {@link TOKEN_PATTERN} changes). */
export const TOKENIZER_VERSION = 'tagsmith-tokenize-1';

const TOKEN_RE = new RegExp(TOKEN_PATTERN, 'g');

/** Lower-cases `text` and returns its tokens in order (duplicates kept). */
export function tokenize(text: string): string[] {
  if (typeof text !== 'string') {
    throw new TypeError(`tokenize: expected a string, got ${text === null ? 'null' : typeof text}`);
  }
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}
