/**
 * What a slow or hostile client may hold: socket timeouts and a connection cap (Node leaves most at
 * 0 = forever, so a client that sends headers and a few body bytes, then nothing, kept its socket
 * for good), and the security headers of every answer.
 */
import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

export interface ConnectionLimits {
  /** Time for a request's headers to arrive, in ms. */
  headersTimeoutMs: number;
  /** Time for a whole request (headers and body) to arrive, in ms. */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests, in ms. */
  keepAliveTimeoutMs: number;
  /** How long a socket may see no traffic at all, in ms; above the longest queue wait plus inference. */
  idleTimeoutMs: number;
  /** Open connections at most; past it new ones are closed at once. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  // A 64 KB body at a slow mobile 10 KB/s takes ~7 s.
  requestTimeoutMs: 30_000,
  // Above the 60 s idle timeout of the usual proxies and load balancers (Heroku's router, AWS ALB),
  // so they never reuse a connection the server is closing (Fastify's default, for the same reason).
  keepAliveTimeoutMs: 72_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1024,
});

/** The environment variable of each limit (read by startServer, so by the bundle and `tagsmith serve`). */
export const LIMIT_ENV: Readonly<Record<keyof ConnectionLimits, string>> = Object.freeze({
  headersTimeoutMs: 'TAGSMITH_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'TAGSMITH_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'TAGSMITH_KEEP_ALIVE_TIMEOUT_MS',
  idleTimeoutMs: 'TAGSMITH_IDLE_TIMEOUT_MS',
  maxConnections: 'TAGSMITH_MAX_CONNECTIONS',
});

/** A positive integer setting from the environment, or undefined when unset; anything else is refused by name. */
export function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1 (got "${raw}"); unset it for the default`);
  return value;
}

export function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<ConnectionLimits> {
  const limits: Partial<ConnectionLimits> = {};
  for (const [key, name] of Object.entries(LIMIT_ENV) as [keyof ConnectionLimits, string][]) {
    const value = positiveIntFromEnv(env, name);
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

/** Fastify's server options for these limits (checked: Node refuses a headers timeout above the request timeout). */
export function applyConnectionLimits(
  limits: ConnectionLimits,
): Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & { http: HttpServerOptions } {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${key} must be an integer >= 1 (got ${value})`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(`headers timeout (${limits.headersTimeoutMs} ms) must not exceed the request timeout (${limits.requestTimeoutMs} ms)`);
  }
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the headers and request timeouts on this period (default 30 s, i.e. late by up to 30 s).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
  };
}

/**
 * Security headers on every answer: no MIME sniffing, no framing (clickjacking). HTML pages carry
 * their own CSP (the demo page's, Swagger UI's); any other answer gets one that allows nothing.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  });
}
