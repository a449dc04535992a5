/**
 * `npm run bench:api`: load test of the HTTP API on loopback with autocannon and real questions.
 *
 * 1. single: one client, 10 s: the time to answer one question when nothing waits;
 * 2. nominal: `--connections` clients (default 4) each sending the next question as soon as the
 *    previous answer arrives, for `--duration` s (default 60): req/s, p50/p99 latency, errors, non-2xx;
 * 3. saturating: `--saturate-connections` clients (default 64, four times what the queue holds) for
 *    `--saturate-duration` s (default 20): the server must refuse the excess with 503 + Retry-After
 *    instead of letting requests time out.
 *
 * The server runs in its own process (the same code as `tagsmith serve`, or a built bundle with
 * `--bundle DIR`), so the load generator does not share its event loop. Questions: title + HTML body
 * of the 352 real questions of ../shared/data/fixtures/sede-2022-sample.csv, cycled.
 * Results: printed, and written as JSON to bench/results/api.json (`--out`).
 *
 *   tsx scripts/bench/api.ts [--model models] [--duration 60] [--connections 4]
 *        [--saturate-duration 20] [--saturate-connections 64] [--bundle dist/server] [--out FILE]
 *        [--concurrency N] [--queue-size N]   (server settings; default: the server's defaults)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readQuestions } from '../../src/pipeline/ingest';
import { MANIFEST_FILE } from '../../src/core/model';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const QUESTIONS_CSV = resolve(process.env.TAGSMITH_SHARED_DATA ?? join(ROOT, '../shared/data'), 'fixtures/sede-2022-sample.csv');

/** The parts of autocannon's options and result used here (the package has no type declarations). */
interface CannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}
interface Histogram {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface CannonResult {
  requests: Histogram & { total: number; average: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests: CannonRequest[];
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface RunSummary {
  name: string;
  connections: number;
  duration_s: number;
  requests: number;
  req_per_s: number;
  latency_ms: { p50: number; p90: number; p99: number; mean: number; max: number };
  errors: number;
  timeouts: number;
  non_2xx: number;
  status_codes: Record<string, number>;
}

async function loadRequests(limit = 1000): Promise<CannonRequest[]> {
  const out: CannonRequest[] = [];
  for await (const q of readQuestions(QUESTIONS_CSV)) {
    if (!q.title.trim()) continue;
    out.push({
      method: 'POST',
      path: '/predict/',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: q.title, body: q.body, body_format: q.bodyFormat, k: 5 }),
    });
    if (out.length === limit) break;
  }
  if (out.length === 0) throw new Error(`no questions in ${QUESTIONS_CSV}`);
  return out;
}

/** A free loopback port (the server logs at warn level, so it cannot tell us the port it took). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts the server (sources through tsx, or a bundle's server.js) in its own process, logging at
 * warn level (a log line per request would measure pino, not the API); resolves when /health answers.
 */
async function startServer(model: string, bundle: string | undefined, serverArgs: string[]): Promise<{ url: string; child: ChildProcess }> {
  const port = String(await freePort());
  const common = ['--port', port, '--host', '127.0.0.1', '--model', model, ...serverArgs];
  const args = bundle ? ['server.js', ...common] : ['--import', 'tsx', join(ROOT, 'src/server/main.ts'), ...common];
  const child = spawn(process.execPath, args, { cwd: bundle ?? ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  for (const t0 = Date.now(); Date.now() - t0 < 120_000; await new Promise((r) => setTimeout(r, 200))) {
    if (exited !== undefined) throw new Error(`server exited with ${exited}:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      /* not listening yet */
    }
  }
  child.kill('SIGTERM');
  throw new Error(`server did not answer /health within 120 s:\n${out}`);
}

function summarize(name: string, connections: number, r: CannonResult): RunSummary {
  const round = (x: number) => Math.round(x * 10) / 10;
  const codes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) codes[code] = s.count;
  return {
    name,
    connections,
    duration_s: round(r.duration),
    requests: r.requests.total,
    req_per_s: round(r.requests.total / r.duration),
    latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, mean: round(r.latency.mean), max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non_2xx: r.non2xx,
    status_codes: codes,
  };
}

function printRun(s: RunSummary): void {
  const codes = Object.entries(s.status_codes)
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ');
  process.stdout.write(
    `${s.name.padEnd(11)} ${String(s.connections).padStart(3)} conn  ${s.req_per_s.toFixed(1).padStart(7)} req/s  ` +
      `p50 ${String(s.latency_ms.p50).padStart(5)} ms  p99 ${String(s.latency_ms.p99).padStart(5)} ms  ` +
      `errors ${s.errors}  timeouts ${s.timeouts}  non-2xx ${s.non_2xx}  (${codes})\n`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: join(ROOT, 'models') },
      bundle: { type: 'string' },
      duration: { type: 'string', default: '60' },
      connections: { type: 'string', default: '4' },
      'saturate-duration': { type: 'string', default: '20' },
      'saturate-connections': { type: 'string', default: '64' },
      out: { type: 'string', default: join(ROOT, 'bench/results/api.json') },
      // Server settings (default: the server's own defaults).
      concurrency: { type: 'string' },
      'queue-size': { type: 'string' },
    },
  });
  const num = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1 (got ${v})`);
    return n;
  };
  const duration = num('duration', values.duration);
  const connections = num('connections', values.connections);
  const satDuration = num('saturate-duration', values['saturate-duration']);
  const satConnections = num('saturate-connections', values['saturate-connections']);
  const model = resolve(values.model!);
  const manifest = JSON.parse(readFileSync(join(model, MANIFEST_FILE), 'utf8')) as { version: string; vectorizer: string; tags: string[] };

  const requests = await loadRequests();
  const serverArgs = [
    ...(values.concurrency ? ['--concurrency', values.concurrency] : []),
    ...(values['queue-size'] ? ['--queue-size', values['queue-size']] : []),
  ];
  const { url, child } = await startServer(model, values.bundle ? resolve(values.bundle) : undefined, serverArgs);
  try {
    const health = (await (await fetch(`${url}/health`)).json()) as { queue: { capacity: number } };
    process.stdout.write(
      `API benchmark: model ${manifest.version} (${manifest.vectorizer}, ${manifest.tags.length} tags), ${requests.length} real questions, ` +
        `${cpus().length} CPUs, node ${process.version}, queue capacity ${health.queue.capacity}\n`,
    );
    // Warm-up: first calls compile code paths and (hybrid) initialise the ONNX session.
    await autocannon({ url, connections: 1, duration: 3, timeout: 30, requests });
    // One client at a time: the service time of one question, without queueing.
    const single = summarize('single', 1, await autocannon({ url, connections: 1, duration: Math.min(10, duration), timeout: 10, requests }));
    printRun(single);
    const nominal = summarize('nominal', connections, await autocannon({ url, connections, duration, timeout: 10, requests }));
    printRun(nominal);
    const saturating = summarize('saturating', satConnections, await autocannon({ url, connections: satConnections, duration: satDuration, timeout: 10, requests }));
    printRun(saturating);
    const result = {
      date: new Date().toISOString(),
      // Load average at the end: other processes on the machine lower the figures.
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg_1m_5m_15m: loadavg().map((x) => Math.round(x * 100) / 100) },
      server: values.bundle ? `bundle ${values.bundle}` : 'sources (src/server/main.ts)',
      model: { version: manifest.version, vectorizer: manifest.vectorizer, tags: manifest.tags.length },
      questions: { file: 'fixtures/sede-2022-sample.csv', count: requests.length },
      queue_capacity: health.queue.capacity,
      server_args: serverArgs,
      runs: [single, nominal, saturating],
      targets: { req_per_s: 50, p99_ms: 250, errors: 0 },
      meets_targets: nominal.req_per_s >= 50 && nominal.latency_ms.p99 <= 250 && nominal.errors === 0 && nominal.non_2xx === 0,
      // Overload must end in fast 503s (or, if inference outruns the clients, plain 200s), never in timeouts.
      saturation_without_timeouts: saturating.timeouts === 0 && saturating.errors === 0,
      saturation_503s: saturating.status_codes['503'] ?? 0,
    };
    mkdirSync(dirname(values.out!), { recursive: true });
    writeFileSync(values.out!, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `targets (>= 50 req/s, p99 <= 250 ms, 0 errors): ${result.meets_targets ? 'met' : 'NOT met'}; ` +
        `saturation: ${result.saturation_503s} requests refused with 503, ${saturating.timeouts} timeouts, ${saturating.errors} errors\nwritten to ${values.out}\n`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:api: error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
