/** Real questions as their authors typed them, for the speed benchmarks (bench:browser, bench:scoring). */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { decodeHTML } from 'entities';
import { SHARED_DATA } from '../../src/node/paths';

export interface Typed {
  title: string;
  body: string;
}

/** The first `n` questions of the 2018 API file with a title and a markdown body. */
export async function typedQuestions(n: number): Promise<Typed[]> {
  const file = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const out: Typed[] = [];
  for await (const line of rl) {
    if (!line.trim()) continue;
    const item = JSON.parse(line) as { title?: string; body_markdown?: string };
    if (!item.title || !item.body_markdown) continue;
    out.push({ title: decodeHTML(item.title), body: decodeHTML(item.body_markdown) });
    if (out.length === n) {
      rl.close();
      break;
    }
  }
  if (out.length < n) throw new Error(`${file}: only ${out.length} questions with a markdown body, ${n} wanted`);
  return out;
}
