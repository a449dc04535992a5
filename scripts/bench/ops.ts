/**
 * `npm run bench:ops`: where the encoder's time goes, operator type by operator type, in the
 * browser's runtime and the native one, on the same real questions in the same script.
 *
 * - browser: headless Chromium (Debian's; default) or Firefox ESR (`--browser firefox`, over
 *   WebDriver BiDi), a page cross-origin isolated by COOP/COEP headers from a local server,
 *   onnxruntime-web (the version package.json pins, its SIMD + threads WASM) in a module Worker
 *   with the extension's session options (no spinning, optimisation level "all") and its thread
 *   count: 2 in Chromium, 1 in Firefox, whose extension pages cannot be isolated (`--threads` to
 *   try another), onnxruntime's own profiler on;
 * - native: onnxruntime-node with the API's session options (all cores), profiler on;
 * - the same `--questions` real questions (default 100; title + markdown body, normalised and
 *   tokenised as the Suggester does, so the same word pieces), one per run as in the product,
 *   the two runtimes taking turns `--chunk` questions at a time (default 25) so both see the same
 *   load; the first `--warmup` runs of each (default 5, repeated questions) are left out.
 *
 * Printed per operator type and per group (int8 matrix products, attention, GELU, layer norms):
 * milliseconds per question in each runtime, the ratio, and its share of the browser's time; and
 * the floor the int8 products alone put under bench:browser's ratio (the whole Node Suggester,
 * bench:browser's reference, runs each chunk too).
 * Results: bench/results/ops.json, ops-firefox.json for Firefox (`--out`). Nothing is fetched from
 * outside the machine.
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { FIREFOX } from '../lib/firefox';
import { CHROMIUM } from '../lib/extension';
import { typedQuestions } from '../lib/typed-questions';
import { INT8_GROUP, opGroup, opProfile, parseProfileLines, type OpProfile, type OrtTraceEvent } from '../lib/ort-profile';
import { quantile } from '../lib/quantile';
import { nodeReference } from '../lib/node-reference';
import { usesRelaxedSimd } from '../lib/wasm-features';
import { nodeOnnxRuntime } from '../../src/pipeline/encoder-node';
import { createEncoder, DEFAULT_ENCODER_ID } from '../../src/runtime/encoder';
import { ENCODER_ONNX_FILE } from '../../src/core/model';
import { DEFAULT_MODEL_DIR } from '../../src/node/paths';
import { writeFileAtomic } from '../../src/node/fs-atomic';

const { values: args } = parseArgs({
  options: {
    questions: { type: 'string', default: '100' },
    chunk: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '5' },
    browser: { type: 'string', default: 'chromium' },
    threads: { type: 'string' },
    out: { type: 'string' },
  },
});
const N = Number(args.questions);
const CHUNK = Number(args.chunk);
const WARMUP = Number(args.warmup);
const BROWSER = args.browser;
if (BROWSER !== 'chromium' && BROWSER !== 'firefox') throw new Error(`--browser must be chromium or firefox, not ${BROWSER}`);
// the extension's: Chrome's pages are cross-origin isolated (2 threads), Firefox's cannot be (1)
const THREADS = Number(args.threads ?? (BROWSER === 'firefox' ? 1 : 2));
if (![N, CHUNK, THREADS].every((x) => Number.isInteger(x) && x >= 1) || !Number.isInteger(WARMUP) || WARMUP < 0) {
  throw new Error('--questions, --chunk and --threads must be positive integers, --warmup a non-negative one');
}

const modelFile = join(DEFAULT_MODEL_DIR, DEFAULT_ENCODER_ID, ENCODER_ONNX_FILE);
const ortDist = join(createRequire(import.meta.url).resolve('onnxruntime-web/wasm').replace(/dist[\\/].*$/, ''), 'dist');
const load0 = loadavg()[0];
const ORT_WASM = 'ort-wasm-simd-threaded.wasm'; // the build the extension ships (wxt.config.ts)
const relaxedSimd = await usesRelaxedSimd(readFileSync(join(ortDist, ORT_WASM)));

// Native: the API's onnxruntime-node runtime with its profiler on (the profile is written when the
// session is released). Its encoder also gives the word pieces the browser runs: the Suggester's
// text of each question, tokenised as the Suggester does.
const profDir = mkdtempSync(join(tmpdir(), 'tagsmith-ops-'));
const nativeRuntime = nodeOnnxRuntime({ sessionOptions: { enableProfiling: true, profileFilePrefix: join(profDir, 'native') } });
const native = await createEncoder({ localModelPath: `${DEFAULT_MODEL_DIR}/`, runtime: nativeRuntime });
const questions = await typedQuestions(N);
// The issue's metric compares whole suggestions (tokenizer, encoder, head): the Node reference of
// bench:browser runs each chunk too, so the floor below can be put in its terms.
const reference = await nodeReference(questions.slice(0, WARMUP));
const texts = questions.map((q) => reference.suggester.textOf({ ...q, bodyFormat: 'markdown' }));
const ids = native.tokenize(texts);
const warm = Array.from({ length: WARMUP }, (_, i) => i % ids.length);
const runNative = async (at: number[]) => {
  for (const i of at) await native.embed([texts[i]]);
};
const suggestMs: number[] = [];

// Browser: a cross-origin isolated page, onnxruntime-web in a module Worker (as the extension's).
const WORKER = `
const lines = [];
console.log = (...a) => lines.push(a.join(' ')); // the WASM profiler prints its events here
let session, ort;
onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') {
      ort = await import('/ort/ort.wasm.min.mjs');
      ort.env.wasm.wasmPaths = '/ort/';
      ort.env.wasm.numThreads = ${THREADS};
      ort.env.wasm.proxy = false;
      // the options of src/runtime/ort-web.ts (this page cannot import it), with the profiler on
      session = await ort.InferenceSession.create('/model.onnx', { executionProviders: ['wasm'], graphOptimizationLevel: 'all', enableProfiling: true, extra: { session: { intra_op: { allow_spinning: '0' } } } });
      postMessage({ ok: { isolated: crossOriginIsolated, version: ort.env.versions.web, threads: ort.env.wasm.numThreads } });
    } else if (data.type === 'run') {
      for (const row of data.rows) {
        const n = row.length;
        await session.run({
          input_ids: new ort.Tensor('int64', BigInt64Array.from(row, BigInt), [1, n]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
          token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), [1, n]),
        });
      }
      postMessage({ ok: data.rows.length });
    } else if (data.type === 'end') {
      await session.endProfiling();
      await new Promise((r) => setTimeout(r, 500)); // its lines come through the console, from the WASM threads too
      postMessage({ ok: lines });
    }
  } catch (err) { postMessage({ error: String(err && err.stack || err) }); }
};`;
const PAGE = `<!doctype html><title>bench:ops</title><script>
const w = new Worker('/worker.js', { type: 'module' });
window.ask = (msg) => new Promise((resolve, reject) => { w.onmessage = ({ data }) => data.error ? reject(new Error(data.error)) : resolve(data.ok); w.postMessage(msg); });
</script>`;
const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin', 'cache-control': 'no-store' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const send = (type: string, body: string | Buffer) => res.writeHead(200, { 'content-type': type, ...isolation }).end(body);
  if (path === '/') return send('text/html', PAGE);
  if (path === '/worker.js') return send('text/javascript', WORKER);
  if (path === '/model.onnx') return send('application/octet-stream', readFileSync(modelFile));
  const m = /^\/ort\/([\w.-]+\.(mjs|wasm))$/.exec(path);
  if (m && readdirSync(ortDist).includes(m[1])) return send(m[2] === 'wasm' ? 'application/wasm' : 'text/javascript', readFileSync(join(ortDist, m[1])));
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
/** The bench page in one browser: `ask` posts a message to its Worker and resolves with the answer. */
interface BenchPage {
  name: string;
  ask<T>(msg: unknown): Promise<T>;
  /** Requests the page or its Worker made to anything but the local server. */
  leaked: string[];
  close(): Promise<void>;
}
const ASK = (m: unknown) => (window as unknown as { ask: (m: unknown) => Promise<unknown> }).ask(m);

async function openChromium(): Promise<BenchPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage();
  const leaked: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) leaked.push(r.url());
  });
  await page.goto(base);
  return { name: `Chromium ${browser.version()}`, ask: (msg) => page.evaluate(ASK, msg) as never, leaked, close: () => browser.close() };
}

async function openFirefox(): Promise<BenchPage> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, protocol: 'webDriverBiDi', headless: true });
  const page = await browser.newPage();
  const leaked: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) leaked.push(r.url());
  });
  await page.goto(base);
  return { name: `Firefox ${(await browser.version()).replace(/^firefox\//i, '')}`, ask: (msg) => page.evaluate(ASK, msg) as never, leaked, close: () => browser.close() };
}

let webLines: string[];
let web: { isolated: boolean; version: string; threads: number };
let browserName: string;
const bench = await (BROWSER === 'firefox' ? openFirefox() : openChromium());
try {
  browserName = bench.name;
  web = await bench.ask<typeof web>({ type: 'load' });
  if (THREADS > 1 && !web.isolated) throw new Error('the bench page is not cross-origin isolated: onnxruntime-web would run one thread');
  if (web.threads !== THREADS) throw new Error(`onnxruntime-web runs ${web.threads} threads, ${THREADS} asked for`);
  await bench.ask({ type: 'run', rows: warm.map((i) => ids[i]) });
  await runNative(warm);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const at = Array.from({ length: Math.min(CHUNK, ids.length - i) }, (_, j) => i + j);
    await bench.ask({ type: 'run', rows: at.map((j) => ids[j]) });
    await runNative(at);
    suggestMs.push(...(await reference.run(questions.slice(i, i + CHUNK))).map((r) => r.ms));
    process.stdout.write(`\r${Math.min(i + CHUNK, ids.length)}/${ids.length} questions`);
  }
  process.stdout.write('\n');
  webLines = await bench.ask<string[]>({ type: 'end' });
  if (bench.leaked.length) throw new Error(`requests left the machine: ${bench.leaked.join(', ')}`);
} finally {
  await bench.close();
  server.close();
}
await native.dispose(); // writes native_<date>.json in profDir
const nativeFiles = readdirSync(profDir).filter((f) => f.startsWith('native') && f.endsWith('.json'));
if (nativeFiles.length !== 1) throw new Error(`${profDir}: expected one native profile, found ${nativeFiles.length}`);
const nativeEvents = JSON.parse(readFileSync(join(profDir, nativeFiles[0]), 'utf8')) as OrtTraceEvent[];
rmSync(profDir, { recursive: true, force: true });

const webProfile = opProfile(parseProfileLines(webLines), WARMUP);
const nativeProfile = opProfile(nativeEvents, WARMUP);
for (const [name, p] of [['browser', webProfile], ['native', nativeProfile]] as const) {
  if (p.runs !== ids.length) throw new Error(`${name} profile: ${p.runs} measured runs, ${ids.length} expected (lines lost?)`);
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const msPerRun = (p: OpProfile, ops: string[]) => ops.reduce((s, op) => s + (p.byOp[op] ?? []).reduce((a, b) => a + b, 0), 0) / p.runs / 1000;
const webTotal = webProfile.runUs.reduce((a, b) => a + b, 0) / webProfile.runs / 1000;
const nativeTotal = nativeProfile.runUs.reduce((a, b) => a + b, 0) / nativeProfile.runs / 1000;
interface Row {
  browserMs: number;
  nativeMs: number;
  ratio: number | null;
  browserShare: number;
}
const row = (ops: string[]): Row => {
  const b = msPerRun(webProfile, ops);
  const n = msPerRun(nativeProfile, ops);
  return { browserMs: r2(b), nativeMs: r2(n), ratio: n > 0 ? r2(b / n) : null, browserShare: r2((100 * b) / webTotal) };
};
const allOps = [...new Set([...Object.keys(webProfile.byOp), ...Object.keys(nativeProfile.byOp)])];
const slowestFirst = <T extends Row>(entries: [string, T][]) => Object.fromEntries(entries.sort((a, b) => b[1].browserMs - a[1].browserMs));
const byOp = slowestFirst(allOps.map((op): [string, Row & { group: string }] => [op, { group: opGroup(op), ...row([op]) }]));
const byGroup = slowestFirst([...new Set(allOps.map(opGroup))].map((g): [string, Row] => [g, row(allOps.filter((op) => opGroup(op) === g))]));
const int8Ms = byGroup[INT8_GROUP]?.browserMs ?? 0;
const suggestMean = suggestMs.reduce((a, b) => a + b, 0) / suggestMs.length;
const p = (xs: number[], q: number) => r2(quantile(xs.map((x) => x / 1000), q));
const tokens = ids.map((r) => r.length);

const result = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, loadAtStart: r2(load0), loadAtEnd: r2(loadavg()[0]) },
  questions: ids.length,
  tokens: { p50: quantile(tokens, 0.5), p95: quantile(tokens, 0.95), max: Math.max(...tokens) },
  browser: { name: browserName, runtime: `onnxruntime-web ${web.version} (wasm, ${web.threads} thread${web.threads === 1 ? '' : 's'}${web.isolated ? ', cross-origin isolated' : ''})`, wasm: { file: ORT_WASM, relaxedSimd }, runMs: { p50: p(webProfile.runUs, 0.5), p95: p(webProfile.runUs, 0.95), mean: r2(webTotal) } },
  native: { runtime: nativeRuntime.name, runMs: { p50: p(nativeProfile.runUs, 0.5), p95: p(nativeProfile.runUs, 0.95), mean: r2(nativeTotal) } },
  ratio: { p50: r2(quantile(webProfile.runUs, 0.5) / quantile(nativeProfile.runUs, 0.5)), mean: r2(webTotal / nativeTotal) },
  /**
   * The browser's int8 matrix products alone over the native runtime's whole run (means): the
   * ratio the browser cannot go below while those kernels stay as they are, even if every other
   * operator took no time.
   */
  int8Floor: r2(int8Ms / nativeTotal),
  /**
   * The same floor for bench:browser's ratio (the worker's whole suggestion over the Node
   * Suggester's): the browser's int8 products plus what the Node Suggester spends besides its ONNX
   * run (tokenizer, head: the browser's own is no faster), over the Node Suggester's time (means).
   */
  suggester: { runtime: reference.runtime, ms: { p50: r2(quantile(suggestMs, 0.5)), mean: r2(suggestMean) }, int8Floor: r2((int8Ms + Math.max(0, suggestMean - nativeTotal)) / suggestMean) },
  byGroup,
  byOp,
};
const OUT = args.out ?? join('bench', 'results', BROWSER === 'firefox' ? 'ops-firefox.json' : 'ops.json');
await writeFileAtomic(OUT, `${JSON.stringify(result, null, 2)}\n`);

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number | null, n = 9) => (x === null ? '-' : x.toFixed(2)).padStart(n);
console.log(`${ids.length} questions (word pieces p50 ${result.tokens.p50}, max ${result.tokens.max}), load ${result.machine.loadAtStart} -> ${result.machine.loadAtEnd}`);
console.log(`browser: ${result.browser.name}, ${result.browser.runtime}: run p50 ${result.browser.runMs.p50} ms, mean ${result.browser.runMs.mean}`);
console.log(`  its ${ORT_WASM} ${relaxedSimd ? 'uses' : 'does not use'} relaxed SIMD (the 8-bit integer dot product)`);
console.log(`native:  ${result.native.runtime}: run p50 ${result.native.runMs.p50} ms, mean ${result.native.runMs.mean}`);
console.log(`ratio: p50 ${result.ratio.p50}x, mean ${result.ratio.mean}x; the browser's int8 matrix products alone: ${result.int8Floor}x the native run (mean)`);
console.log(`Node Suggester (${result.suggester.runtime}), whole suggestions: p50 ${result.suggester.ms.p50} ms, mean ${result.suggester.ms.mean}; the browser's int8 products + its other work: at least ${result.suggester.int8Floor}x that (mean)`);
console.log(`\n${pad('ms per question (mean)', 56)}${'browser'.padStart(9)}${'native'.padStart(9)}${'ratio'.padStart(9)}${'share'.padStart(9)}`);
for (const [g, v] of Object.entries(byGroup)) console.log(`${pad(g, 56)}${num(v.browserMs)}${num(v.nativeMs)}${num(v.ratio)}${num(v.browserShare)}%`);
console.log('');
for (const [op, v] of Object.entries(byOp)) console.log(`${pad(`  ${op}`, 56)}${num(v.browserMs)}${num(v.nativeMs)}${num(v.ratio)}${num(v.browserShare)}%`);
console.log(`\nwrote ${OUT}`);
