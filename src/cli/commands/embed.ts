import { embedJob } from '../../pipeline/scale/embed-job';
import { parseShard } from '../../pipeline/scale/shard';

/** `tagsmith embed`: fills the embedding cache for the data (or one shard of it); prints what it did. */
export async function runEmbedCommand(opts: { data: string[]; shard?: string; cache: string; workers: number; json?: boolean }): Promise<void> {
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const report = await embedJob({ data: opts.data, shard, cacheDir: opts.cache, workers: opts.workers, log: (line) => process.stderr.write(`${line}\n`) });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `embed${report.shard ? ` shard ${report.shard}` : ''}: ${report.inShard.toLocaleString('en-US')} of ${report.questions.toLocaleString('en-US')} questions, ` +
      `${report.texts.toLocaleString('en-US')} distinct texts: ${report.cached.toLocaleString('en-US')} already cached, ${report.embedded.toLocaleString('en-US')} embedded ` +
      `in ${report.seconds} s with ${report.workers} worker${report.workers === 1 ? '' : 's'} (started in ${report.startSeconds} s)${report.embedded ? ` (${report.textsPerSecond} texts/s)` : ''}; ` +
      `${report.skippedRows ? `${report.skippedRows} bad rows skipped (see the report above); ` : ''}vectors in ${report.cache.folder}/${report.cache.segment}\n`,
  );
}
