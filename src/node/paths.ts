/** Well-known locations, resolved from the package root so the CLI works from any directory. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Where the shipped model lives: the encoder and the trained tag head. */
export const DEFAULT_MODEL_DIR = resolve(PACKAGE_ROOT, 'models');
/** Real Stack Overflow data beside the repository (override with TAGSMITH_SHARED_DATA). */
export const SHARED_DATA = process.env.TAGSMITH_SHARED_DATA ?? resolve(PACKAGE_ROOT, '../shared/data');
/** Default training data: the 2018 API questions and the 2009-2011 titles (the 2022 file is kept for drift and evaluation). */
export const DEFAULT_TRAINING_DATA = [
  resolve(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz'),
  resolve(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv'),
];
