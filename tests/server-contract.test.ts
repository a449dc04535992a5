/**
 * Contract of the HTTP API on a really listening server (loopback, real HTTP through fetch):
 * every status code the API promises, its error messages, the docs, the demo page, request ids and
 * logs, the bounded queue and graceful shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { request as httpRequest } from 'node:http';
import { loadNodeSuggester } from '../src/pipeline/model-io';
import type { Suggester } from '../src/core/suggester';
import { installGracefulShutdown } from '../src/server/shutdown';
import { testModelDir } from './helpers/server-model';
import { postJson, slowSuggester, startServer, type RunningServer } from './helpers/server-listen';

let suggester: Suggester;
let server: RunningServer;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const dir = await testModelDir();
  suggester = await loadNodeSuggester(dir);
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      cb();
    },
  });
  server = await startServer({ modelDir: dir, logger: { level: 'info', stream } });
});
afterAll(async () => server?.close());

const question = { title: 'How do I parse a JSON string in Python?', body: 'I call `json.loads(s)` and get a *ValueError*.' };

/** Raw request, for bodies fetch will not send as-is. */
async function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('POST /predict/ 200', () => {
  it('answers tags, model version and time, identical to the Suggester', async () => {
    const res = await postJson(server.url, { ...question, k: 4 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const expected = await suggester.suggest({ ...question, bodyFormat: 'markdown' }, { k: 4 });
    expect(res.json.tags.map((t: { name: string }) => t.name)).toEqual(expected.map((t) => t.name));
    expect(res.json.tags.map((t: { score: number }) => t.score)).toEqual(expected.map((t) => Number(t.score.toFixed(4))));
    expect(res.json.tags.map((t: { confident: boolean }) => t.confident)).toEqual(expected.map((t) => t.confident));
    expect(res.json.model).toEqual({ version: suggester.version });
    expect(res.json.took_ms).toBeGreaterThan(0);
    expect(Object.keys(res.json).sort()).toEqual(['model', 'tags', 'took_ms']);
  });

  it('serves /predict with and without the trailing slash, 5 tags by default', async () => {
    const a = await postJson(server.url, question, '/predict');
    const b = await postJson(server.url, question, '/predict/');
    expect(a.status).toBe(200);
    expect(a.json.tags).toHaveLength(5);
    expect(b.json.tags).toEqual(a.json.tags);
  });

  it('honours k from 1 to 20, scores sorted best first', async () => {
    for (const k of [1, 20]) {
      const res = await postJson(server.url, { ...question, k });
      expect(res.status).toBe(200);
      expect(res.json.tags).toHaveLength(k);
      const scores = res.json.tags.map((t: { score: number }) => t.score);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
    }
  });

  it('reads the body in the format given', async () => {
    const html = { title: 'Sort a list', body: '<p>How to sort <code>my_list</code> in Python?</p><pre><code>my_list.sort()</code></pre>' };
    const res = await postJson(server.url, { ...html, body_format: 'html', k: 3 });
    const expected = await suggester.suggest({ ...html, bodyFormat: 'html' }, { k: 3 });
    expect(res.json.tags.map((t: { name: string }) => t.name)).toEqual(expected.map((t) => t.name));
    const asText = await postJson(server.url, { ...html, body_format: 'text', k: 3 });
    expect(asText.status).toBe(200);
  });

  it('accepts a body just under 64 KB', async () => {
    const res = await postJson(server.url, { title: 'A long question', body: 'word '.repeat(12_000) });
    expect(res.status).toBe(200);
  });
});

describe('400: invalid requests name the field', () => {
  const cases: [string, unknown, string | undefined, RegExp][] = [
    ['missing title', { body: 'text' }, 'title', /title is required/],
    ['empty title', { title: '' }, 'title', /title must contain some text/],
    ['blank title', { title: ' \t\n\u00a0', body: 'text' }, 'title', /title must contain some text/],
    ['title not a string', { title: 42 }, 'title', /title must be of type string/],
    ['body not a string', { title: 't', body: ['x'] }, 'body', /body must be of type string/],
    ['unknown field', { title: 't', tags: ['python'] }, 'tags', /unknown field "tags".*allowed fields: title, body, body_format, k/],
    ['k = 0', { title: 't', k: 0 }, 'k', /k must be >= 1/],
    ['k = 21', { title: 't', k: 21 }, 'k', /k must be <= 20/],
    ['k not an integer', { title: 't', k: 2.5 }, 'k', /k must be of type integer/],
    ['k as a string (no coercion)', { title: 't', k: '3' }, 'k', /k must be of type integer/],
    ['unknown body_format', { title: 't', body_format: 'rtf' }, 'body_format', /one of: markdown, html, text/],
    ['a JSON array', [question], undefined, /must be a JSON object/],
    ['JSON null', null, undefined, /must be a JSON object/],
  ];
  for (const [name, body, field, message] of cases) {
    it(name, async () => {
      const res = await postJson(server.url, body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.json.message).toMatch(message);
      expect(res.json.field).toBe(field);
    });
  }

  it('malformed JSON', async () => {
    const res = await raw('POST', '/predict/', { 'content-type': 'application/json' }, '{"title": "x",');
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/not valid JSON/);
  });

  it('empty body with a JSON content type', async () => {
    const res = await raw('POST', '/predict/', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/body is empty/);
  });
});

describe('413, 415, 404, 405', () => {
  it('413 for a body over 64 KB', async () => {
    const res = await postJson(server.url, { title: 'too long', body: 'x'.repeat(64 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json.message).toMatch(/larger than 64 KB/);
  });

  it('415 for non-JSON content types, and for a body without one', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await raw('POST', '/predict/', { 'content-type': type }, 'title=hello');
      expect(res.status, type).toBe(415);
      expect(res.json.message).toMatch(/Content-Type: application\/json/);
    }
    const none = await new Promise<number>((done, fail) => {
      const req = httpRequest(`${server.url}/predict/`, { method: 'POST', headers: { 'content-length': '5' } }, (res) => {
        res.resume();
        done(res.statusCode!);
      });
      req.on('error', fail);
      req.end('hello');
    });
    expect(none).toBe(415);
  });

  it('404 for an unknown path, 405 with Allow for a wrong method', async () => {
    const missing = await raw('GET', '/nope', {});
    expect(missing.status).toBe(404);
    expect(missing.json.message).toMatch(/no route GET \/nope/);
    const put = await raw('PUT', '/predict/', { 'content-type': 'application/json' }, '{}');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    const get = await raw('GET', '/predict', {});
    expect(get.status).toBe(405);
  });
});

describe('service endpoints', () => {
  it('GET /health: model loaded, version, uptime, queue', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', model: { loaded: true, version: suggester.version, vectorizer: 'tfidf', tags: suggester.tags.length } });
    expect(body.uptime_s).toBeGreaterThanOrEqual(0);
    expect(body.queue).toEqual({ running: 0, waiting: 0, capacity: 16 });
  });

  it('GET /openapi.json: OpenAPI 3.1 generated from the schemas', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/predict']);
    const op = doc.paths['/predict'].post;
    const request = op.requestBody.content['application/json'].schema;
    expect(request.required).toEqual(['title']);
    expect(request.additionalProperties).toBe(false);
    expect(request.properties.k).toMatchObject({ type: 'integer', minimum: 1, maximum: 20 });
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '413', '415', '500', '503', '504']);
  });

  it('GET /docs: Swagger UI from local files only', async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/swagger/i);
    const external = [...html.matchAll(/(?:src|href)="(https?:[^"]+)"/g)].map((m) => m[1]);
    expect(external).toEqual([]);
    const asset = await fetch(`${server.url}/docs/static/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });

  it('GET /: the demo page and its script, nothing from elsewhere', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).toContain('<script src="/demo.js"');
    expect(html).toContain(suggester.version);
    const script = await fetch(`${server.url}/demo.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const js = await script.text();
    expect(js).toContain('/predict/');
    expect(js).toContain('ts-bar'); // the question form's confidence bars
    expect(js).not.toMatch(/https?:\/\/(unpkg|cdn|esm\.sh)/);
  });
});

describe('request ids and logs', () => {
  it('echoes a well-formed X-Request-Id, replaces a malformed one', async () => {
    const given = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const bad = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with id, status and latency, never the question', async () => {
    const marker = 'ZebraMarker7781';
    await fetch(`${server.url}/predict/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-test-1' },
      body: JSON.stringify({ title: `${marker} in the title`, body: `${marker} in the body` }),
    });
    await postJson(server.url, { title: marker, k: 99 });
    const mine = logLines.filter((l) => l.reqId === 'log-test-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request completed', method: 'POST', url: '/predict/', statusCode: 200, level: 30 });
    expect(mine[0].ms).toBeGreaterThan(0);
    const rejected = logLines.find((l) => (l.rejection as { field?: string } | undefined)?.field === 'k');
    expect(rejected).toMatchObject({ statusCode: 400, rejection: { code: 'FST_ERR_VALIDATION' } });
    expect(JSON.stringify(logLines)).not.toContain(marker);
  });
});

describe('500: server faults stay generic', () => {
  it('hides the error from the client and logs it', async () => {
    const broken = Object.create(suggester) as Suggester;
    broken.suggest = async () => {
      throw new Error('secret internal detail');
    };
    const lines: string[] = [];
    const stream = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const s = await startServer({ suggester: broken, logger: { stream } });
    try {
      const res = await postJson(s.url, question);
      expect(res.status).toBe(500);
      expect(res.json.message).toMatch(/internal error/);
      expect(JSON.stringify(res.json)).not.toContain('secret');
      expect(lines.join('')).toContain('secret internal detail');
    } finally {
      await s.close();
    }
  });
});

describe('bounded queue', () => {
  it('answers 503 with Retry-After when full, and serves the others', async () => {
    const slow = slowSuggester(suggester, 150);
    const s = await startServer({ suggester: slow, queueSize: 2, concurrency: 1 });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => postJson(s.url, question)));
      const statuses = results.map((r) => r.status).sort();
      // 1 running + 2 waiting are served; the other 5 are refused at once.
      expect(statuses).toEqual([200, 200, 200, 503, 503, 503, 503, 503]);
      for (const r of results.filter((x) => x.status === 503)) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(r.json.message).toMatch(/queue is full/);
      }
      expect(slow.calls).toBe(3);
      const health = await (await fetch(`${s.url}/health`)).json();
      expect(health.queue).toEqual({ running: 0, waiting: 0, capacity: 2 });
    } finally {
      await s.close();
    }
  });

  it('skips a waiting request whose client has gone', async () => {
    const slow = slowSuggester(suggester, 300);
    const s = await startServer({ suggester: slow, queueSize: 4 });
    try {
      const first = postJson(s.url, question);
      await new Promise((r) => setTimeout(r, 50));
      const controller = new AbortController();
      const abandoned = fetch(`${s.url}/predict/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(question),
        signal: controller.signal,
      }).catch(() => 'aborted');
      await new Promise((r) => setTimeout(r, 50));
      controller.abort();
      expect(await abandoned).toBe('aborted');
      expect((await first).status).toBe(200);
      await s.app.tagsmith.queue.drained();
      expect(slow.calls).toBe(1);
      expect(s.app.tagsmith.queue.skippedCount).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new connections, exits 0', async () => {
    const slow = slowSuggester(suggester, 200);
    const s = await startServer({ suggester: slow, queueSize: 8 });
    const exits: number[] = [];
    const { shutdown } = installGracefulShutdown(s.app, { signals: [], exit: (code) => exits.push(code) });
    const inflight = Array.from({ length: 3 }, () => postJson(s.url, question));
    await new Promise((r) => setTimeout(r, 50));
    const closing = shutdown('SIGTERM');
    const results = await Promise.all(inflight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.every((r) => r.json.tags.length === 5)).toBe(true);
    await closing;
    expect(exits).toEqual([0]);
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });

  it('shuts down on the signals it listens to', async () => {
    const s = await startServer({ suggester });
    const exits: number[] = [];
    installGracefulShutdown(s.app, { signals: ['SIGUSR2'], exit: (code) => exits.push(code) });
    process.emit('SIGUSR2', 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
    expect(exits).toEqual([0]);
  });
});
