/**
 * The one text normalisation of tagsmith.
 *
 * Training reads HTML bodies (exports, API `body`); the extension reads what the author types
 * (markdown in the editor's backing textarea, or plain text from a rich editor); the API receives
 * either. All of them go through `normalizeQuestion`, so the model sees one representation:
 *
 *   <title>\n<prose, inline code kept in place>\n<code blocks, each clipped>
 *
 * - markdown is rendered to HTML by `marked` (GFM), then read by the same HTML reader as bodies;
 * - HTML entities are decoded (htmlparser2 does it for text nodes; titles are decoded here too);
 * - code blocks (`<pre>`, fenced or indented markdown code) are moved after the prose, each clipped
 *   to `maxCodeBlockChars`, all of them to `maxCodeChars`, so a long listing cannot push the question
 *   itself past the encoder's 256 word pieces;
 * - links keep their text (not their URL), images and HTML comments are dropped;
 * - whitespace is folded to single spaces within each part.
 *
 * Hostile input (API requests, odd records in exports) must neither crash nor stall it, so its cost
 * is bounded: bodies are cut at `MAX_BODY_CHARS` (by format) before parsing, emphasis nesting at
 * `MAX_EMPHASIS_NESTING`, markdown container nesting
 * (`>`, list markers) at `MAX_MARKDOWN_NESTING` levels a line, GFM's e-mail autolink scan at an
 * e-mail's longest local part, and a parser failure falls back to reading the body as plain text.
 * All of these sit above what real posts use, so ordinary questions read exactly as before.
 *
 * Pure and browser-safe: htmlparser2, entities and marked have no Node-only imports.
 */
import { Parser } from 'htmlparser2';
import { decodeHTML } from 'entities';
import { Lexer, Marked, Tokenizer } from 'marked';
import type { BodyFormat } from './types';

export interface NormalizeOptions {
  /** Longest code block kept, in characters (the rest of the block is dropped). */
  maxCodeBlockChars: number;
  /** All code blocks together, in characters. */
  maxCodeChars: number;
  /** The whole normalised text, in characters (the encoder truncates far earlier anyway). */
  maxChars: number;
}

export const DEFAULT_NORMALIZE_OPTIONS: Readonly<NormalizeOptions> = Object.freeze({
  maxCodeBlockChars: 300,
  maxCodeChars: 900,
  maxChars: 4000,
});

/** Identifies this normalisation in exported models, so a model is never served with another one. */
export const NORMALIZATION_VERSION = 'tagsmith-normalize-1';

export interface QuestionText {
  title: string;
  body?: string;
  bodyFormat?: BodyFormat;
}

/**
 * HTML tags Stack Overflow keeps in a post (its sanitiser's allow-list). Any other tag an author
 * types in markdown (say `<script>` in a sentence) is removed by the site while its text stays, so
 * markdown is read the same way here, or the HTML and markdown of one post would differ.
 */
const SO_ALLOWED_TAGS = new Set([
  'a', 'b', 'blockquote', 'br', 'code', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'hr', 'i', 'img', 'kbd', 'li', 'ol', 'p', 'pre', 's', 'strike', 'strong', 'sub', 'sup',
  'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 'span',
]);

function sanitizeRawHtml(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:--!?>|$)/g, '')
    .replace(/<\/?([a-zA-Z][\w-]*)\b[^>]*>/g, (tag, name: string) =>
      SO_ALLOWED_TAGS.has(name.toLowerCase()) ? tag : '',
    );
}

/**
 * Longest body read, in characters, by format; the rest is dropped before parsing. Markdown is what
 * an author types, which Stack Overflow caps at 30,000 characters (the longest of the 32,802 real
 * bodies in /work/shared/data: 29,902); markdown parsing has quadratic corners, so its cap stays
 * close. HTML and text are read in linear time (longest real HTML body: 37,942). The model reads
 * ~4,000 normalised characters anyway.
 */
export const MAX_BODY_CHARS: Readonly<Record<BodyFormat, number>> = Object.freeze({ markdown: 40_000, html: 100_000, text: 100_000 });
/**
 * Deepest markdown container nesting kept on a line (`>` quotes, `-`/`*`/`+`/`1.` list markers):
 * marked recurses once per level and overflows the stack past ~2,000. Real posts nest < 25.
 */
export const MAX_MARKDOWN_NESTING = 100;
/**
 * Deepest emphasis (`*`, `_`, `**`) nesting read as emphasis; deeper delimiters stay as text. Each
 * level rescans the rest of its paragraph, so `*a *a ... b* b*` costs seconds per 10 KB without a
 * bound. Real posts nest two or three.
 */
export const MAX_EMPHASIS_NESTING = 16;
/**
 * Emphasis delimiters (`*`, `_`) that all emphasis openers of one body may scan past. marked scans
 * from each opener to the last possible closer, so openers without a closer cost (openers x
 * delimiters): `* **` repeated over 40 KB took minutes. Once the budget is spent, the remaining
 * delimiters stay as text. Counted as the delimiters ahead of every `*`/`_` marked tries: the most
 * any of the 32,802 real bodies needs is 209,621 (the next 25,665); the budget costs < 1 s at worst.
 */
export const EMPHASIS_SCAN_BUDGET = 1_000_000;

/** A line's run of container markers (unambiguous: each marker owns the spaces after it). */
const CONTAINER_PREFIX = /^(?:[ \t]*(?:>|[*+-][ \t]|\d{1,9}[.)][ \t]))+/gm;
const CONTAINER_MARKER = /[ \t]*(?:>|[*+-][ \t]|\d{1,9}[.)][ \t])/g;

function capNesting(md: string): string {
  return md.replace(CONTAINER_PREFIX, (prefix) => {
    const markers = prefix.match(CONTAINER_MARKER)!;
    return markers.length > MAX_MARKDOWN_NESTING ? markers.slice(0, MAX_MARKDOWN_NESTING).join('') : prefix;
  });
}

/**
 * GFM's e-mail autolink rules scan a whole run of `[A-Za-z0-9._+-]` for an `@` at every token, which
 * is quadratic on runs like `_a_a_a...` (60 KB: seconds). An e-mail's local part is at most 64
 * characters (RFC 5321), so the scan stops there; an autolink's text is the address itself, so the
 * text read is the same either way.
 */
const boundedEmail = (rule: RegExp) =>
  new RegExp(rule.source.replaceAll('[A-Za-z0-9._+-]+(@)', '[A-Za-z0-9._+-]{1,64}(@)').replaceAll(']+@)', ']{1,64}@)'), rule.flags);
const BOUNDED_INLINE = { url: boundedEmail(Lexer.rules.inline.gfm.url), text: boundedEmail(Lexer.rules.inline.gfm.text) };

/** The current parse's emphasis state (parsing is synchronous: one state serves every parse). */
let emphasisDepth = 0;
let emphasisBudget = EMPHASIS_SCAN_BUDGET;
/** For each inline source marked scans: the number of `*`/`_` before each position. */
const delimiterCounts = new Map<string, Uint32Array>();

/** `*` and `_` in maskedSrc from `src` (its tail) on: what an opener there may scan. */
function delimitersAhead(src: string, maskedSrc: string): number {
  let counts = delimiterCounts.get(maskedSrc);
  if (!counts) {
    counts = new Uint32Array(maskedSrc.length + 1);
    for (let i = 0; i < maskedSrc.length; i++) {
      const c = maskedSrc.charCodeAt(i);
      counts[i + 1] = counts[i] + (c === 42 || c === 95 ? 1 : 0);
    }
    delimiterCounts.set(maskedSrc, counts);
  }
  return counts[maskedSrc.length] - counts[Math.max(0, maskedSrc.length - src.length)];
}

/** One marked instance, private to tagsmith, so no other code can change its options. */
const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  hooks: {
    provideLexer: () => (src, options) => {
      emphasisDepth = 0;
      emphasisBudget = EMPHASIS_SCAN_BUDGET;
      delimiterCounts.clear();
      const lexer = new Lexer(options); // sets options.tokenizer and its rules for this parse
      const { rules } = options!.tokenizer!;
      rules.inline = { ...rules.inline, ...BOUNDED_INLINE };
      try {
        return lexer.lex(src);
      } finally {
        delimiterCounts.clear();
      }
    },
  },
  tokenizer: {
    emStrong(src, maskedSrc, prevChar) {
      if (emphasisDepth >= MAX_EMPHASIS_NESTING) return undefined;
      emphasisBudget -= delimitersAhead(src, maskedSrc);
      if (emphasisBudget < 0) return undefined;
      emphasisDepth++;
      try {
        return Tokenizer.prototype.emStrong.call(this, src, maskedSrc, prevChar);
      } finally {
        emphasisDepth--;
      }
    },
  },
  renderer: {
    html(token) {
      return sanitizeRawHtml(token.text);
    },
  },
});

/** Elements whose content is never text a reader sees. */
const SKIPPED = new Set(['script', 'style', 'img', 'svg', 'head', 'title', 'noscript', 'template']);
/** Elements that end a line of prose. */
const BLOCK = new Set([
  'p', 'div', 'br', 'li', 'ul', 'ol', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'tr', 'table', 'hr', 'dd', 'dt', 'section', 'article', 'details', 'summary',
]);

/** Folds every run of whitespace (incl. non-breaking and zero-width spaces) into one space. */
export function foldWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b\u200c\u200d\ufeff]+/g, ' ').trim();
}

interface BodyParts {
  prose: string;
  code: string[];
}

/** Reads an HTML fragment into prose (with inline code) and its code blocks. */
function readHtml(html: string): BodyParts {
  const prose: string[] = [];
  const code: string[] = [];
  let skipDepth = 0;
  let preDepth = 0;
  let block = '';

  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED.has(name)) skipDepth++;
        else if (name === 'pre') {
          if (preDepth === 0) block = '';
          preDepth++;
        } else if (BLOCK.has(name) && preDepth === 0) prose.push('\n');
      },
      ontext(text) {
        if (skipDepth > 0) return;
        if (preDepth > 0) block += text;
        else prose.push(text);
      },
      onclosetag(name, isImplied) {
        if (SKIPPED.has(name)) {
          // Void elements such as <img> open and close at once.
          skipDepth = Math.max(0, skipDepth - 1);
        } else if (name === 'pre') {
          preDepth = Math.max(0, preDepth - 1);
          if (preDepth === 0 && block.trim()) code.push(block);
        } else if (BLOCK.has(name) && preDepth === 0 && !isImplied) prose.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  if (preDepth > 0 && block.trim()) code.push(block); // unclosed <pre>
  return { prose: prose.join(''), code };
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Cut at the last space before the limit so a word piece is not split in two.
  const cut = text.lastIndexOf(' ', max);
  return text.slice(0, cut > max * 0.6 ? cut : max);
}

/** Turns a body in any of the three formats into prose and code blocks. */
function readBody(body: string, format: BodyFormat): BodyParts {
  if (!body) return { prose: '', code: [] };
  switch (format) {
    case 'html':
      return readHtml(body);
    case 'markdown':
      // `--!>` ends a comment for browsers (and Stack Overflow) but not for CommonMark.
      return readHtml(markdown.parse(capNesting(body).replace(/--!>/g, '-->')) as string);
    case 'text':
      return { prose: body, code: [] };
    default:
      throw new Error(`normalize: unknown body format "${String(format)}" (expected html, markdown or text)`);
  }
}

/** `readBody` on at most MAX_BODY_CHARS; should a parser still fail, the body is read as plain text. */
function readBodySafely(body: string, format: BodyFormat): BodyParts {
  const max = MAX_BODY_CHARS[format] ?? MAX_BODY_CHARS.text;
  const bounded = body.length > max ? body.slice(0, max) : body;
  if (format !== 'html' && format !== 'markdown') return readBody(bounded, format); // 'text', or the unknown-format error
  try {
    return readBody(bounded, format);
  } catch {
    return readBody(bounded, 'text');
  }
}

/** Normalises a body alone (prose then clipped code blocks), for descriptors and tests. */
export function normalizeBody(
  body: string,
  format: BodyFormat,
  options: NormalizeOptions = DEFAULT_NORMALIZE_OPTIONS,
): { prose: string; code: string } {
  const parts = readBodySafely(body, format);
  const blocks: string[] = [];
  let budget = options.maxCodeChars;
  for (const block of parts.code) {
    if (budget <= 0) break;
    const folded = clip(foldWhitespace(block), Math.min(options.maxCodeBlockChars, budget));
    if (!folded) continue;
    blocks.push(folded);
    budget -= folded.length;
  }
  return { prose: foldWhitespace(parts.prose), code: blocks.join(' ') };
}

/**
 * Whether a normalised text (`normalizeQuestion`) carries more than its first line: a title with a
 * body (prose or code), or a body with code. The title alone, or a body of one prose line with no
 * title, is one line. Models may weigh their feature blocks differently for the two
 * (`ModelManifest.bodyBlockWeights`): titles and full questions favour different evidence.
 */
export function hasBody(text: string): boolean {
  return text.includes('\n');
}

/**
 * The text the model sees for a question: title, prose, code, one per line.
 * Titles may carry HTML entities (the API's do); they are decoded here.
 */
export function normalizeQuestion(
  question: QuestionText,
  options: NormalizeOptions = DEFAULT_NORMALIZE_OPTIONS,
): string {
  const title = foldWhitespace(decodeHTML(question.title ?? ''));
  const { prose, code } = normalizeBody(question.body ?? '', question.bodyFormat ?? 'markdown', options);
  const text = [title, prose, code].filter(Boolean).join('\n');
  return clip(text, options.maxChars);
}
