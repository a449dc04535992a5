/**
 * Entry point of the deployable bundle (dist/server/server.js, built by scripts/bundle-server.ts):
 * `node server.js [--port N] [--host H] [--model DIR] [--queue-size N] [--concurrency N]`. Defaults
 * come from the environment as platforms set it (PORT, HOST, TAGSMITH_MODEL_DIR, TAGSMITH_QUEUE_SIZE,
 * TAGSMITH_CONCURRENCY), else port
 * 3000 on all interfaces (what a platform's router needs) and the model in ./model beside server.js.
 * The inference budget and connection limits are read from TAGSMITH_* variables by startServer. The prebuilt demo script and
 * Swagger UI assets are read from ./public and ./static when present (in the bundle); run from the
 * sources (`node --import tsx src/server/main.ts`, as the API benchmark does) the demo is built now.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from './start';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '3000' },
      host: { type: 'string', default: process.env.HOST ?? '0.0.0.0' },
      model: { type: 'string', default: process.env.TAGSMITH_MODEL_DIR ?? join(here, 'model') },
      'queue-size': { type: 'string', default: process.env.TAGSMITH_QUEUE_SIZE },
      concurrency: { type: 'string', default: process.env.TAGSMITH_CONCURRENCY },
    },
  });
  await startServer({
    port: Number(values.port),
    host: values.host!,
    model: resolve(values.model!),
    queueSize: values['queue-size'] === undefined ? undefined : Number(values['queue-size']),
    concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
    demoScript: existsSync(join(here, 'public/demo.js')) ? readFileSync(join(here, 'public/demo.js'), 'utf8') : undefined,
    swaggerUiDir: existsSync(join(here, 'static/swagger-ui-bundle.js')) ? join(here, 'static') : undefined,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`tagsmith server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
