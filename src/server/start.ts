/**
 * Starts the API as a process runs it: loads the model, listens, and shuts down gracefully on
 * SIGTERM. Used by `tagsmith serve` (src/cli/commands/serve.ts) and the bundle's entry (main.ts).
 * The inference budget and the connection limits come from the options, else from the environment
 * (TAGSMITH_INFERENCE_TIMEOUT_MS and the variables in ./limits.ts LIMIT_ENV), else their defaults.
 */
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerOptions } from './app';
import { installGracefulShutdown } from './shutdown';
import { limitsFromEnv, positiveIntFromEnv, type ConnectionLimits } from './limits';

export interface StartOptions {
  port: number;
  host: string;
  /** Model directory. */
  model: string;
  queueSize?: number;
  concurrency?: number;
  /** Prebuilt demo script and Swagger UI assets (the bundle's entry passes them). */
  demoScript?: string;
  swaggerUiDir?: string;
  inferenceTimeoutMs?: number;
  limits?: Partial<ConnectionLimits>;
}

export async function startServer(opts: StartOptions): Promise<FastifyInstance> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error(`port must be an integer from 0 to 65535 (got ${opts.port})`);
  }
  const serverOptions: ServerOptions = {
    modelDir: opts.model,
    queueSize: opts.queueSize,
    concurrency: opts.concurrency,
    demoScript: opts.demoScript,
    swaggerUiDir: opts.swaggerUiDir,
    inferenceTimeoutMs: opts.inferenceTimeoutMs ?? positiveIntFromEnv(process.env, 'TAGSMITH_INFERENCE_TIMEOUT_MS'),
    limits: { ...limitsFromEnv(process.env), ...opts.limits },
  };
  const app = await buildServer(serverOptions);
  installGracefulShutdown(app);
  const { info } = app.tagsmith.backend;
  await app.listen({ port: opts.port, host: opts.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  app.log.info(
    { model: info.version, vectorizer: info.vectorizer, tags: info.tags },
    `tagsmith API on http://${shown}:${port}/ (docs: /docs, demo: /)`,
  );
  return app;
}
