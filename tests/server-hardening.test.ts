/**
 * Hardening of the HTTP API (issue #12, items 1, 3 and 8): slow clients are cut off by the socket
 * timeouts and the connection cap, SIGTERM exits 0 promptly with stalled sockets open, inference has
 * a time budget (504), `__proto__` keys get a clear 400, pages carry security headers, and no
 * JSON body (fast-check) gets a 5xx. Real sockets on 127.0.0.1, bounded counts and times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { connect, type Socket } from 'node:net';
import { loadNodeSuggester } from '../src/pipeline/model-io';
import type { Suggester } from '../src/core/suggester';
import { buildServer } from '../src/server/app';
import { WorkerBackend } from '../src/server/inference';
import { REPO } from './helpers/paths';
import { testModelDir } from './helpers/server-model';
import { postJson, slowSuggester, startServer, type RunningServer } from './helpers/server-listen';

let modelDir: string;
let suggester: Suggester;

beforeAll(async () => {
  modelDir = await testModelDir();
  suggester = await loadNodeSuggester(modelDir);
});

/** A raw TCP client: sends `head`, resolves when connected; `closed` resolves with the ms the server took to close it and what it answered. */
function rawClient(port: number, head: string): Promise<{ socket: Socket; closed: Promise<{ ms: number; reply: string }> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (reply += d));
    socket.on('error', () => {}); // a reset is one way of being closed
    const t0 = performance.now();
    const closed = new Promise<{ ms: number; reply: string }>((r) => socket.once('close', () => r({ ms: performance.now() - t0, reply })));
    socket.once('connect', () => {
      if (head) socket.write(head);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

/** Headers of a 170-byte JSON POST and its first 10 bytes: then the client goes silent. */
const STALLED_BODY = 'POST /predict/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 170\r\n\r\n{"title":"';
const portOf = (s: RunningServer) => Number(new URL(s.url).port);
const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

describe('slow clients', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ suggester, limits: { headersTimeoutMs: 1000, requestTimeoutMs: 1500, maxConnections: 20 } });
  });
  afterAll(async () => server?.close());

  it('closes a connection whose body stalls, within the request timeout', async () => {
    const client = await rawClient(portOf(server), STALLED_BODY);
    const { ms, reply } = await within(client.closed, 6000, 'stalled body');
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose headers stall, within the headers timeout', async () => {
    const client = await rawClient(portOf(server), 'POST /predict/ HTTP/1.1\r\nHost: x\r\n');
    const { ms } = await within(client.closed, 6000, 'stalled headers');
    expect(ms).toBeGreaterThanOrEqual(900);
  });

  it('caps open connections: past the cap new ones are closed at once, the API still answers after', async () => {
    const held = await Promise.all(Array.from({ length: 20 }, () => rawClient(portOf(server), '')));
    const extra = await rawClient(portOf(server), '');
    const { ms } = await within(extra.closed, 1000, 'connection over the cap');
    expect(ms).toBeLessThan(1000);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    expect((await postJson(server.url, { title: 'How do I parse JSON in Python?' })).status).toBe(200);
  });

  it('refuses settings Node would reject, naming them', async () => {
    await expect(buildServer({ suggester, logger: false, limits: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } })).rejects.toThrow(
      /headers timeout \(5000 ms\) must not exceed the request timeout \(1000 ms\)/,
    );
  });
});

describe('SIGTERM with stalled sockets open (real server process)', () => {
  it('exits 0 promptly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--port', '0', '--host', '127.0.0.1', '--model', modelDir], {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const port = await within(
        new Promise<number>((resolve) => {
          const poll = setInterval(() => {
            const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
            if (m) {
              clearInterval(poll);
              resolve(Number(m[1]));
            }
          }, 50);
        }),
        60_000,
        'server start',
      );
      const stalled = await Promise.all([
        ...Array.from({ length: 20 }, () => rawClient(port, STALLED_BODY)),
        ...Array.from({ length: 10 }, () => rawClient(port, 'POST /predict/ HTTP/1.1\r\n')),
        ...Array.from({ length: 10 }, () => rawClient(port, '')),
      ]);
      await new Promise((r) => setTimeout(r, 200)); // the server has read what they sent
      const t0 = performance.now();
      child.kill('SIGTERM');
      const code = await within(exited, 10_000, `exit after SIGTERM:\n${out}`);
      expect(code, out).toBe(0);
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(out).toContain('server closed');
      for (const c of stalled) c.socket.destroy();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('inference time budget', () => {
  it('answers 504 with a clear message when inference overruns, and serves the next request', async () => {
    const server = await startServer({ suggester: slowSuggester(suggester, 400), inferenceTimeoutMs: 100 });
    try {
      const res = await postJson(server.url, { title: 'How do I parse JSON in Python?' });
      expect(res.status).toBe(504);
      expect(res.json).toMatchObject({ statusCode: 504, error: 'Gateway Timeout' });
      expect(res.json.message).toMatch(/longer than its 100 ms budget/);
      expect(res.headers.get('retry-after')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('stops a worker thread that computes past the budget, then answers again', async () => {
    const crashes: Error[] = [];
    const script = new URL('./helpers/server-stalling-worker.ts', import.meta.url);
    const backend = await WorkerBackend.start('/unused', { script, timeoutMs: 300, onCrash: (e) => crashes.push(e) });
    try {
      const t0 = performance.now();
      await expect(backend.suggest({ title: 'stall' }, 1)).rejects.toMatchObject({ statusCode: 504 });
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(crashes).toHaveLength(1);
      for (let i = 0; i < 200 && !backend.ready; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await backend.suggest({ title: 'ok' }, 1)).toHaveLength(1);
    } finally {
      await backend.close();
    }
  }, 30_000);
});

describe('request bodies', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ suggester });
  });
  afterAll(async () => server?.close());

  it.each([
    ['__proto__', '{"title":"x","__proto__":{"polluted":true}}', '"__proto__" key'],
    ['constructor.prototype', '{"title":"x","body":{"constructor":{"prototype":{"polluted":true}}}}', '"constructor" key holding "prototype"'],
  ])('a %s key gets a 400 saying what is refused and why', async (_name, body, what) => {
    const res = await fetch(`${server.url}/predict/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = await res.json();
    expect(res.status).toBe(400);
    expect(json.message).toContain(`valid JSON but has a ${what}`);
    expect(json.message).toMatch(/prototype poisoning/);
    expect(json.message).not.toMatch(/is not valid JSON/);
  });

  it('a 60,000 > markdown body (a 500 before) gets its tags', async () => {
    const res = await postJson(server.url, { title: 'Nested quotes', body: '>'.repeat(60_000) });
    expect(res.status).toBe(200);
    expect(res.json.tags.length).toBeGreaterThan(0);
  });

  it('no JSON body gets a 5xx (fast-check, through app.inject)', async () => {
    const app = await buildServer({ suggester, logger: false });
    try {
      const text = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('>'.repeat(3000), '_a'.repeat(2000), '* **'.repeat(1000), '<div>'.repeat(500)));
      const question = fc.record(
        { title: fc.oneof(text, fc.jsonValue()), body: fc.oneof(text, fc.jsonValue()), body_format: fc.oneof(fc.constantFrom('markdown', 'html', 'text'), fc.jsonValue()), k: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.jsonValue()) },
        { requiredKeys: [] },
      );
      const payload = fc.oneof(
        question.map((q) => JSON.stringify(q)),
        fc.json(),
        fc.tuple(question, fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra')).map(([q, key]) => JSON.stringify(q).replace(/^\{/, `{"${key}":{"prototype":{"x":1}},`)),
        fc.string({ maxLength: 200 }),
      );
      const out = await fc.check(
        fc.asyncProperty(payload, async (body) => {
          const res = await app.inject({ method: 'POST', url: '/predict/', headers: { 'content-type': 'application/json' }, payload: body });
          return res.statusCode < 500 && typeof JSON.parse(res.body).statusCode !== 'undefined' === (res.statusCode !== 200);
        }),
        { numRuns: 300, seed: 3, endOnFailure: true },
      );
      expect(out.failed, out.failed ? `${JSON.stringify(out.counterexample).slice(0, 300)}: ${String(out.errorInstance)}` : '').toBe(false);
    } finally {
      await app.close();
    }
  }, 120_000);
});

describe('security headers', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ suggester });
  });
  afterAll(async () => server?.close());

  it.each(['/', '/docs', '/docs/static/index.html', '/health'])('%s: CSP refusing framing, nosniff, X-Frame-Options', async (path) => {
    const res = await fetch(`${server.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('pages under their CSP in a real browser (Chromium)', () => {
  it('Swagger UI and the demo page render with no CSP violation', async () => {
    const server = await startServer({ suggester });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${server.url}/docs`);
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
      expect(await page.textContent('.swagger-ui .info .title')).toContain('tagsmith API');
      await page.goto(`${server.url}/`);
      await page.waitForSelector('#app textarea, #app input', { timeout: 20_000 });
      expect(violations, violations.join("\n")).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
