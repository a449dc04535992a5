/** Writers of hostile ingestion inputs (huge lines, gzip bombs), shared by tests and the ingest benchmark. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';

/**
 * Writes `head`, then `mib` MiB of the letter 'a', then `tail` to `file` (gzip level 9 when `gzip`),
 * streaming: the huge part is never held in memory.
 */
export async function writeHugeLine(file: string, head: string, mib: number, tail: string, gzip: boolean): Promise<void> {
  const out = createWriteStream(file);
  const sink = gzip ? createGzip({ level: 9 }) : out;
  if (gzip) sink.pipe(out);
  const block = Buffer.alloc(2 ** 20, 'a');
  sink.write(head);
  for (let i = 0; i < mib; i++) if (!sink.write(block)) await once(sink, 'drain');
  sink.end(tail);
  await once(out, 'finish');
}
