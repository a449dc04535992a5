/**
 * Times ingestion on hostile inputs (issue #12 item 5): one huge record in each format, skipped as
 * `too-large`, and a gzip bomb (a ~600 KB file expanding to one 600 MB line). Before the fix, the
 * 100 MB JSON line took 16 s / 861 MB and the bomb ran past 120 s.
 *
 *   npx tsx scripts/bench/ingest-hostile.ts      (writes bench/results/ingest-hostile.json)
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readQuestions } from '../../src/pipeline/ingest';
import { newFileReport } from '../../src/pipeline/ingest/report';
import { PACKAGE_ROOT } from '../../src/node/paths';
import { writeHugeLine } from '../lib/huge-input';

const MIB = 2 ** 20;
const item = (id: number) => JSON.stringify({ question_id: id, title: `t${id}`, tags: ['java'], creation_date: 1525132800 });

const CASES: { name: string; file: string; write: (f: string) => Promise<void> }[] = [
  { name: '100 MB JSON line', file: 'line.jsonl', write: (f) => writeHugeLine(f, '{"question_id": 1, "title": "', 100, `"}\n${item(2)}\n`, false) },
  { name: 'gzip bomb: one 600 MB JSON line', file: 'bomb.jsonl.gz', write: (f) => writeHugeLine(f, '{"question_id": 1, "title": "', 600, `"}\n${item(2)}\n`, true) },
  {
    name: '100 MB CSV field',
    file: 'field.csv',
    write: (f) => writeHugeLine(f, 'Id,Title,Tags,CreationDate,Body\n1,t,<a>,2020-01-01,"', 100, '"\n2,t,<b>,2020-01-01,x\n', false),
  },
  {
    name: '100 MB Posts.xml attribute',
    file: 'attr.xml',
    write: (f) => writeHugeLine(f, '<posts>\n<row Id="1" PostTypeId="1" Title="t" Tags="&lt;a&gt;" Body="', 100, '"/>\n<row Id="2" PostTypeId="1" Title="t" Tags="&lt;b&gt;"/>\n</posts>\n', false),
  },
];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tagsmith-bench-ingest-'));
  const runs = [];
  try {
    for (const c of CASES) {
      const file = join(dir, c.file);
      await c.write(file);
      const rep = newFileReport(file, 'api-json');
      let kept = 0;
      const t0 = performance.now();
      for await (const _ of readQuestions(file, rep)) kept++;
      const seconds = (performance.now() - t0) / 1000;
      // RSS after the case: the process rarely gives memory back, so it is the high-water mark so far.
      const run = { name: c.name, file_bytes: (await stat(file)).size, seconds: Math.round(seconds * 100) / 100, rss_mib_after: Math.round(process.memoryUsage().rss / MIB), kept, skipped: rep.skipped };
      console.log(JSON.stringify(run));
      runs.push(run);
      await rm(file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const out = join(PACKAGE_ROOT, 'bench/results/ingest-hostile.json');
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg_1m_5m_15m: loadavg().map((x) => Math.round(x * 100) / 100) };
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), machine, runs }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

await main();
