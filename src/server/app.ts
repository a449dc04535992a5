/**
 * The tagsmith HTTP API (Fastify): POST /predict/, GET /health, the OpenAPI document, Swagger UI at
 * /docs and a demo page at /. Tags come from the same `Suggester` (same normalisation, same head)
 * as the CLI and the extension, so a question gets the same tags everywhere.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Suggester } from '../core/suggester';
import { DEFAULT_INFERENCE_TIMEOUT_MS, InProcessBackend, WorkerBackend, type InferenceBackend } from './inference';
import { InferenceQueue } from './queue';
import { HttpError, installErrorHandling, parseJsonBody } from './errors';
import { closeConnectionsOnShutdown } from './shutdown';
import { BODY_LIMIT_BYTES, DEFAULT_K, ErrorResponse, HealthResponse, PredictRequest, PredictResponse } from './schemas';
import { buildDemoScript } from './demo-build';
import { DEMO_CSP, demoPageHtml } from './demo-page';
import { DEFAULT_CONNECTION_LIMITS, applyConnectionLimits, installSecurityHeaders, type ConnectionLimits } from './limits';
import { ApiLogController } from './logging';

export const API_VERSION = '1.0.0';

export interface ServerOptions {
  /** Model directory (as exported by `tagsmith train`). Ignored when `suggester` is given. */
  modelDir?: string;
  /** An already loaded model, run on the HTTP thread (tests, embedding the API in another program). */
  suggester?: Suggester;
  /** Requests allowed to wait for inference; beyond that: 503 + Retry-After. Default 16 (about a second of hybrid-model work on 2 cores). */
  queueSize?: number;
  /** Inferences running at once, each in its own worker thread with its own model copy. Default 1. */
  concurrency?: number;
  /** Fastify/pino logger settings: false for none, or pino options (level, stream, ...). Default: info to stdout. */
  logger?: FastifyServerOptions['logger'];
  /** The demo page's script; default: built from src/ui with esbuild now. The bundle passes its prebuilt file. */
  demoScript?: string;
  /** Swagger UI assets directory (the bundle ships a copy); default: the plugin's own files. */
  swaggerUiDir?: string;
  /** Inference time allowed per question, in ms; past it: 504 (and the worker thread is restarted). Default 3000. */
  inferenceTimeoutMs?: number;
  /** Socket timeouts and the connection cap (see ./limits.ts); each defaults to DEFAULT_CONNECTION_LIMITS. */
  limits?: Partial<ConnectionLimits>;
}

export const DEFAULT_QUEUE_SIZE = 16;

/** Client-chosen request ids are kept when they look like ids; anything else gets a fresh UUID. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

declare module 'fastify' {
  interface FastifyInstance {
    tagsmith: { backend: InferenceBackend; queue: InferenceQueue; startedAt: number; closing: boolean };
  }
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  if (!opts.suggester && !opts.modelDir) throw new Error('buildServer: pass modelDir (a model directory) or suggester');
  const demoScript = opts.demoScript ?? (await buildDemoScript());
  const crashLog = { error: (_obj: object, _msg: string): void => {} }; // pointed at app.log once it exists
  const timeoutMs = opts.inferenceTimeoutMs ?? DEFAULT_INFERENCE_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error(`inference timeout must be an integer >= 1 ms (got ${timeoutMs})`);
  const backend: InferenceBackend = opts.suggester
    ? new InProcessBackend(opts.suggester, timeoutMs)
    : await WorkerBackend.start(opts.modelDir!, {
        threads: opts.concurrency ?? 1,
        timeoutMs,
        onCrash: (err) => crashLog.error({ err }, 'inference worker stopped; restarting it'),
      });
  try {
    return await buildApp(opts, backend, demoScript, crashLog);
  } catch (err) {
    await backend.close(); // a half-built server must not keep the worker (and the process) alive
    throw err;
  }
}

async function buildApp(
  opts: ServerOptions,
  backend: InferenceBackend,
  demoScript: string,
  crashLog: { error: (obj: object, msg: string) => void },
): Promise<FastifyInstance> {
  const model = backend.info;
  const queue = new InferenceQueue({ capacity: opts.queueSize ?? DEFAULT_QUEUE_SIZE, concurrency: opts.concurrency ?? 1 });
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.limits };

  const app = Fastify({
    logger: opts.logger ?? { level: process.env.LOG_LEVEL ?? 'info' },
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    logController: new ApiLogController(),
    ...applyConnectionLimits(limits),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Strict validation: a wrong type or an unknown field is an error, never silently fixed or dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  crashLog.error = (obj, msg) => app.log.error(obj, msg);
  app.decorate('tagsmith', { backend, queue, startedAt: Date.now(), closing: false });
  // After the server has stopped (in-flight requests answered): stop the worker.
  app.addHook('onClose', async () => {
    await queue.drained();
    await backend.close();
  });
  app.decorateRequest('rejection', null);
  // Only JSON bodies: text/plain (parsed by Fastify by default) becomes a 415 like any other type.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as HttpError, undefined);
    }
  });

  installErrorHandling(app, Object.keys(PredictRequest.properties));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  closeConnectionsOnShutdown(app);
  installSecurityHeaders(app);
  app.server.maxConnections = limits.maxConnections;

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tagsmith API',
        version: API_VERSION,
        description: 'Stack Overflow tag suggestions. The same model and normalisation as the tagsmith CLI and browser extension.',
      },
      tags: [{ name: 'tags', description: 'Tag suggestions' }, { name: 'service', description: 'Service state' }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    ...(opts.swaggerUiDir ? { baseDir: opts.swaggerUiDir } : {}),
    // The plugin's CSP (with the hashes of its inline scripts), with framing refused like the demo
    // page's, inline styles allowed (Swagger UI sets style attributes; Chromium blocks them otherwise)
    // and no upgrade-insecure-requests: the API is also served over plain http (localhost, a LAN address).
    staticCSP: true,
    transformStaticCSP: (csp) =>
      csp
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace(/\s*upgrade-insecure-requests;/, ''),
  });

  const errors = { 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 503: ErrorResponse, 504: ErrorResponse, 500: ErrorResponse };

  app.post(
    '/predict',
    {
      schema: {
        summary: 'Suggest tags for a question',
        description:
          'Tags of the model vocabulary ranked by confidence. 400: invalid field (named in `field`) or a `__proto__` key; 413: body over 64 KB; 415: not JSON; ' +
          '503: inference queue full or model restarting (see Retry-After); 504: inference ran past its time budget.',
        tags: ['tags'],
        body: PredictRequest,
        response: { 200: PredictResponse, ...errors },
      },
      // Under overload, refuse before reading and validating the body: a 503 must stay cheap.
      onRequest: async () => queue.assertRoom(),
    },
    async (request, reply) => {
      const { title, body = '', body_format = 'markdown', k = DEFAULT_K } = request.body;
      const tags = await queue.submit(
        () => backend.suggest({ title, body, bodyFormat: body_format }, k),
        () => request.socket.destroyed,
      );
      if (!tags) throw new HttpError(408, 'the client disconnected before its question was processed');
      return {
        tags: tags.map((t) => ({ name: t.name, score: Number(t.score.toFixed(4)), confident: t.confident })),
        model: { version: model.version },
        took_ms: Math.round(reply.elapsedTime * 100) / 100,
      };
    },
  );

  app.get(
    '/health',
    { schema: { summary: 'Service and model state', tags: ['service'], response: { 200: HealthResponse } } },
    async () => ({
      status: 'ok' as const,
      model: { loaded: backend.ready, version: model.version, vectorizer: model.vectorizer, tags: model.tags },
      uptime_s: Math.round((Date.now() - app.tagsmith.startedAt) / 100) / 10,
      queue: { running: queue.running, waiting: queue.waiting, capacity: queue.options.capacity },
    }),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const page = demoPageHtml(model.version);
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', DEMO_CSP).send(page),
  );
  app.get('/demo.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(demoScript),
  );

  return app;
}

