/**
 * Times `normalizeQuestion` on hostile bodies (issue #12, item 1) and on real questions: median of
 * --runs runs each, printed and written to bench/results/normalize.json.
 *
 *   npm run bench:normalize [-- --runs 5]
 *
 * The hostile bodies are the reproductions of the issue (60,000 `>`, `_a` repeated over 60 KB, ...)
 * and the shapes that were quadratic in marked (nested emphasis, emphasis openers without closers);
 * "real" is every markdown body (body_markdown, decoded) of the 2018 API file, timed as a whole.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeHTML } from 'entities';
import { normalizeQuestion } from '../../src/core/normalize';
import { PACKAGE_ROOT, SHARED_DATA } from '../../src/node/paths';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number >= 1');

const HOSTILE: Record<string, string> = {
  'gt-60000': '>'.repeat(60_000),
  'gt-space-30000': '> '.repeat(30_000),
  'list-markers-30000': '- '.repeat(30_000) + 'a',
  'underscore-a-60KB': '_a'.repeat(30_000),
  'star-a-60KB': '*a'.repeat(30_000),
  'nested-em-60KB': '*a '.repeat(10_000) + 'b* '.repeat(10_000),
  'openers-without-closers-36KB': '**a '.repeat(6_000) + 'b** '.repeat(3_000),
  'star-strong-dash-72KB': '* **_---'.repeat(9_000),
  'words-400KB': 'word '.repeat(80_000),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const results: Record<string, { chars: number; median_ms: number }> = {};
for (const [name, body] of Object.entries(HOSTILE)) {
  const ms = median(Array.from({ length: runs }, () => time(() => normalizeQuestion({ title: 'hostile', body, bodyFormat: 'markdown' }))));
  results[name] = { chars: body.length, median_ms: Math.round(ms * 10) / 10 };
  console.log(`${name.padEnd(30)} ${String(body.length).padStart(7)} chars  ${ms.toFixed(1).padStart(8)} ms`);
}

const real = gunzipSync(readFileSync(join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz')))
  .toString()
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const o = JSON.parse(line) as { title: string; body_markdown?: string };
    return { title: o.title, body: decodeHTML(o.body_markdown ?? ''), bodyFormat: 'markdown' as const };
  });
const realMs = median(Array.from({ length: runs }, () => time(() => real.forEach((q) => normalizeQuestion(q)))));
const perQuestion = (realMs / real.length) * 1000;
console.log(`real markdown bodies: ${real.length} in ${realMs.toFixed(0)} ms (median), ${perQuestion.toFixed(0)} µs a question`);

const out = join(PACKAGE_ROOT, 'bench/results/normalize.json');
mkdirSync(join(PACKAGE_ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs, hostile: results, real: { questions: real.length, median_ms: Math.round(realMs), us_per_question: Math.round(perQuestion) } }, null, 2)}\n`,
);
console.log(`written to ${out}`);
