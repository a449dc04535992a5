import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Real Stack Overflow data: `../shared/data` beside the clone (as on developer machines and in CI). */
export const SHARED_DATA = process.env.TAGSMITH_SHARED_DATA ?? resolve(REPO, '../shared/data');
