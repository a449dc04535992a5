/** Starts the API on a free loopback port for a test; real HTTP through fetch. */
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerOptions } from '../../src/server/app';
import type { Suggester } from '../../src/core/suggester';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const app = await buildServer({ logger: false, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** POSTs JSON to /predict/ (or `path`). */
export async function postJson(url: string, body: unknown, path = '/predict/'): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

/**
 * The same Suggester, with every `suggest` call delayed by `ms` (and counted): lets tests hold
 * requests in flight to fill the queue or to shut down under load.
 */
export function slowSuggester(real: Suggester, ms: number): Suggester & { calls: number } {
  const slow = Object.create(real) as Suggester & { calls: number };
  slow.calls = 0;
  slow.suggest = async (question, opts) => {
    slow.calls++;
    await new Promise((r) => setTimeout(r, ms));
    return real.suggest(question, opts);
  };
  return slow;
}
