/** Well-known locations, resolved from the package root so the CLI works from any directory. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Where the shipped model lives: the encoder and the trained tag head. */
export const DEFAULT_MODEL_DIR = resolve(PACKAGE_ROOT, 'models');
/** Real Stack Overflow data beside the repository (override with TAGSMITH_SHARED_DATA). */
export const SHARED_DATA = process.env.TAGSMITH_SHARED_DATA ?? resolve(PACKAGE_ROOT, '../shared/data');
/**
 * Default training data: every Stack Overflow file of ../shared/data (bodies from the 2018 API file
 * and the mixed 2008-2023 file, titles only from 2009-2011 and 2020, the 2022 data-science export).
 * The fixtures/ folder is left out: small test files, one of them another site.
 */
export const DEFAULT_TRAINING_DATA = [
  resolve(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz'),
  resolve(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv'),
  resolve(SHARED_DATA, 'stackoverflow-sede-2020-titles.csv'),
  resolve(SHARED_DATA, 'stackoverflow-api-mixed-2008-2023.jsonl.gz'),
  resolve(SHARED_DATA, 'stackoverflow-sede-2022-data-science.csv'),
];
/** The 200-tag model's training data (2018 API file + 2009-2011 titles), for comparisons and fast tests. */
export const V1_TRAINING_DATA = DEFAULT_TRAINING_DATA.slice(0, 2);
/** Default vocabulary size of `tagsmith train`. */
export const DEFAULT_TAGS = 2000;
