/** Loads training/evaluation questions from files with a progress bar and the ingestion report. */
import { statSync, type Stats } from 'node:fs';
import { formatReport, ingest, type IngestReport } from './ingest';
import { startProgress } from '../node/progress';
import { UsageError } from '../node/errors';
import type { Question } from '../core/types';

export function checkFiles(files: readonly string[]): void {
  if (files.length === 0) throw new UsageError('no input files: pass --data FILE...');
  const formats = 'a Data Explorer CSV, a Posts.xml or an API JSON file, gzip or not';
  for (const f of files) {
    let stat: Stats;
    try {
      stat = statSync(f);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UsageError(`--data ${f}: no such file (give ${formats})`);
      throw new UsageError(`--data ${f}: cannot read it (${(err as Error).message})`);
    }
    if (stat.isDirectory()) throw new UsageError(`--data ${f}: is a directory; pass the data files in it instead (e.g. --data ${f}/*.csv), each ${formats}`);
    if (!stat.isFile()) throw new UsageError(`--data ${f}: not a regular file (give ${formats})`);
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
