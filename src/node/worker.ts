/** Worker threads that run from the TypeScript sources as well as from a bundle. */
import { Worker } from 'node:worker_threads';

/**
 * Starts `script` in a worker thread. From the sources (CLI, dev server, tests) the script is
 * TypeScript: tsx's loader is registered in the thread first, as bin/tagsmith.js does for the CLI
 * (`--import tsx` in execArgv does not reach workers); a bundled `.js` script starts directly.
 */
export function startWorker(script: URL, workerData: unknown): Worker {
  return script.pathname.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`,
        { eval: true, workerData },
      )
    : new Worker(script, { workerData });
}
