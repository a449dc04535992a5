/**
 * Types shared by every part of tagsmith (browser and Node). Pure: no runtime imports.
 */

/** How a question body is written: HTML (exports, API `body`), markdown (what an author types), or plain editor text. */
export type BodyFormat = 'html' | 'markdown' | 'text';

/** One normalised question, whatever file it came from. */
export interface Question {
  /** Question id as published by the site (string, to stay exact for any id size). */
  id: string;
  /** Site host, e.g. `stackoverflow.com`; ids are unique only within a site. */
  site: string;
  /** Title as plain text (HTML entities decoded). */
  title: string;
  /** Body as found in the source ('' when the source has none, e.g. a titles-only export). */
  body: string;
  bodyFormat: BodyFormat;
  /** The same body as markdown when the source also has it (API `body_markdown`, entities decoded). */
  bodyMarkdown?: string;
  /** Tags, lower case, in the source's order. */
  tags: string[];
  /**
   * Creation time, ISO 8601 in UTC (`2018-04-30T12:00:00.000Z`); absent when the source has no date
   * (fine for training; drift analysis counts such questions as "no date").
   */
  created?: string;
  /** Base name of the file the question was read from. */
  source: string;
}

/** A tag with the model's confidence in [0, 1]. */
export interface ScoredTag {
  name: string;
  score: number;
}
