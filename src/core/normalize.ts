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
 * Pure and browser-safe: htmlparser2, entities and marked have no Node-only imports.
 */
import { Parser } from 'htmlparser2';
import { decodeHTML } from 'entities';
import { Marked } from 'marked';
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

/** One marked instance, private to tagsmith, so no other code can change its options. */
const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
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
      return readHtml(markdown.parse(body.replace(/--!>/g, '-->')) as string);
    case 'text':
      return { prose: body, code: [] };
    default:
      throw new Error(`normalize: unknown body format "${String(format)}" (expected html, markdown or text)`);
  }
}

/** Normalises a body alone (prose then clipped code blocks), for descriptors and tests. */
export function normalizeBody(
  body: string,
  format: BodyFormat,
  options: NormalizeOptions = DEFAULT_NORMALIZE_OPTIONS,
): { prose: string; code: string } {
  const parts = readBody(body, format);
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
