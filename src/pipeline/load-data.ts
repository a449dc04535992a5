/** Loads training/evaluation questions from files with a progress bar and the ingestion report. */
import { statSync } from 'node:fs';
import { formatReport, ingest, type IngestReport } from './ingest';
import { startProgress } from '../node/progress';
import { UsageError } from '../node/errors';
import type { Question } from '../core/types';

export function checkFiles(files: readonly string[]): void {
  if (files.length === 0) throw new UsageError('no input files: pass --data FILE...');
  for (const f of files) {
    let ok = false;
    try {
      ok = statSync(f).isFile();
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--data ${f}: no such file (give a Data Explorer CSV, a Posts.xml or an API JSON file)`);
  }
}

export async function loadQuestions(files: readonly string[]): Promise<{ questions: Question[]; report: IngestReport }> {
  checkFiles(files);
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const bar = startProgress('Reading data', Math.round(total / 1024), 'KiB');
  try {
    const result = await ingest([...files], { onProgress: (read) => bar.update(Math.round(read / 1024)) });
    bar.update(Math.round(total / 1024));
    return result;
  } finally {
    bar.stop();
  }
}

export { formatReport };
