/**
 * `npm run bench:scale`: how embedding scales out (issue 16). On this machine, the same real
 * questions (title + body, 1,000 spread over stackoverflow-api-2018.jsonl.gz) embedded by `tagsmith embed`'s job
 * with 1 and with 2 worker threads, alternating, `--rounds` times each, into empty caches: median
 * throughput and the 2-vs-1 ratio of the same run. Also how fast a shard job reads a Posts.xml
 * (every job streams the whole file and keeps its shard: the cardano.stackexchange.com fixture,
 * answers mixed in as in the dump). From these, the projected wall time for the full Stack Overflow
 * dump (`--dump-questions`, default 24M) on 1, 8 and 64 machines like this one:
 *   time(M) = read the whole file + dump / (M x per-machine embedding rate),
 * for one shard per machine (each shard job reads the whole file: k shards per machine read it k
 * times) and machines like this one.
 * Writes bench/results/scale.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingest } from '../../src/pipeline/ingest';
import { embedJob } from '../../src/pipeline/scale/embed-job';
import { SHARED_DATA } from '../../src/node/paths';
import { writeFileAtomic } from '../../src/node/fs-atomic';

const { values: args } = parseArgs({
  options: {
    questions: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    'dump-questions': { type: 'string', default: '24000000' },
    out: { type: 'string', default: join('bench', 'results', 'scale.json') },
  },
});
const N = Number(args.questions);
const ROUNDS = Number(args.rounds);
const DUMP = Number(args['dump-questions']);
for (const [k, v] of [['--questions', N], ['--rounds', ROUNDS], ['--dump-questions', DUMP]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer`);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const hours = (s: number) => Math.round((s / 3600) * 10) / 10;

async function main() {
  const file = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
  const all = (await ingest([file])).questions.filter((q) => q.body !== '');
  if (all.length < N) throw new Error(`${file}: only ${all.length} questions with a body, ${N} wanted`);
  // spread over the whole file (its order is by time), not its first questions
  const questions = Array.from({ length: N }, (_, i) => all[Math.floor((i * all.length) / N)]);
  // warm-up, not measured: the one-worker encoder stays loaded in this process across rounds (a
  // pool's threads start afresh each time, and their first texts are counted: this favours 1 worker)
  const warm = mkdtempSync(join(tmpdir(), 'tagsmith-bench-scale-'));
  await embedJob({ data: [file], questions: all.slice(-50), cacheDir: warm, workers: 1, progress: false });
  rmSync(warm, { recursive: true, force: true });
  console.log(`bench:scale: ${N} real questions with bodies, workers 1 and 2 alternating, ${ROUNDS} rounds; ${cpus().length} CPUs (${availableParallelism()} usable), load ${loadavg()[0].toFixed(2)}`);

  const rates: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of [1, 2] as const) {
      const cacheDir = mkdtempSync(join(tmpdir(), 'tagsmith-bench-scale-'));
      try {
        const r = await embedJob({ data: [file], questions, cacheDir, workers, progress: false });
        rates[workers].push(r.textsPerSecond);
        console.log(`  round ${round + 1}, ${workers} worker${workers === 1 ? '' : 's'}: ${r.embedded} texts in ${r.seconds} s = ${r.textsPerSecond} texts/s (start ${r.startSeconds} s)`);
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    }
  }
  const one = median(rates[1]);
  const two = median(rates[2]);
  const perMachine = Math.max(one, two);

  // reading: a shard job streams the whole file and keeps its shard's questions
  const posts = join(SHARED_DATA, 'fixtures', 'cardano.stackexchange.com', 'Posts.xml');
  const reads: number[] = [];
  let kept = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    kept = (await ingest([posts])).questions.length;
    reads.push(kept / ((performance.now() - t0) / 1000));
  }
  const readRate = median(reads);

  const projection = [1, 8, 64].map((machines) => {
    const readSeconds = DUMP / readRate;
    const embedSeconds = DUMP / (perMachine * machines);
    return { machines, readHours: hours(readSeconds), embedHours: hours(embedSeconds), totalHours: hours(readSeconds + embedSeconds), totalDays: Math.round(((readSeconds + embedSeconds) / 86400) * 10) / 10 };
  });
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg1AtEnd: loadavg()[0] },
    questions: N,
    rounds: ROUNDS,
    textsPerSecond: { workers1: { runs: rates[1], median: r1(one) }, workers2: { runs: rates[2], median: r1(two) } },
    ratio2to1: Math.round((two / one) * 100) / 100,
    readQuestionsPerSecond: { file: 'fixtures/cardano.stackexchange.com/Posts.xml', questions: kept, median: Math.round(readRate) },
    projection: { dumpQuestions: DUMP, perMachineTextsPerSecond: r1(perMachine), shardsPerMachine: 1, machines: projection },
  };
  console.log(`embedding: 1 worker ${r1(one)} texts/s, 2 workers ${r1(two)} texts/s (median of ${ROUNDS}); 2 vs 1: ${result.ratio2to1}x`);
  console.log(`reading a Posts.xml: ${Math.round(readRate)} questions/s (every shard job reads the whole file)`);
  console.log(`projected wall time for ${DUMP.toLocaleString('en-US')} questions at ${r1(perMachine)} texts/s per machine, one shard per machine (each shard job reads the whole file):`);
  for (const p of projection) console.log(`  ${String(p.machines).padStart(2)} machine(s): ${p.totalHours} h (${p.totalDays} days) = read ${p.readHours} h + embed ${p.embedHours} h`);
  writeFileAtomic(args.out!, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${args.out}`);
}

main().catch((err) => {
  console.error(`bench:scale: ${(err as Error).message}`);
  process.exitCode = 1;
});
