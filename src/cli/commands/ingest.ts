import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { dirname, basename, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { formatReport, ingestStream } from '../../pipeline/ingest';
import { checkFiles } from '../../pipeline/load-data';
import { startProgress } from '../../node/progress';

/** `tagsmith ingest`: streams every file, de-duplicates, optionally writes JSON lines (atomically). */
export async function runIngest(opts: { data: string[]; out?: string; json?: boolean }): Promise<void> {
  checkFiles(opts.data);
  const total = opts.data.reduce((s, f) => s + statSync(f).size, 0);
  const bar = startProgress('Reading data', Math.round(total / 1024), 'KiB');
  const { questions, report } = ingestStream(opts.data, { onProgress: (read) => bar.update(Math.round(read / 1024)) });
  try {
    if (opts.out) {
      mkdirSync(dirname(opts.out), { recursive: true });
      const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${process.pid}.tmp`);
      const lines = Readable.from(
        (async function* () {
          for await (const q of questions) yield `${JSON.stringify(q)}\n`;
        })(),
      );
      try {
        if (opts.out.endsWith('.gz')) await pipeline(lines, createGzip(), createWriteStream(tmp));
        else await pipeline(lines, createWriteStream(tmp));
        renameSync(tmp, opts.out);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
    } else {
      for await (const _ of questions) void _;
    }
  } finally {
    bar.stop();
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`${formatReport(report)}\n`);
    if (opts.out) process.stdout.write(`wrote ${report.kept.toLocaleString('en-US')} questions to ${opts.out}\n`);
  }
}
