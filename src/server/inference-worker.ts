/**
 * The inference worker thread (see ./inference.ts): loads the model once with the same loader as
 * the CLI, then answers one question per message. Runs off the HTTP thread because the encoder
 * blocks the thread it runs on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadNodeSuggester } from '../pipeline/model-io';
import { UsageError } from '../node/errors';
import type { Suggester } from '../core/suggester';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread of the API server');
const send = (msg: WorkerReply) => port.postMessage(msg);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

let suggester: Suggester;
try {
  const data = workerData as { modelDir: string; encoderThreads?: number };
  suggester = await loadNodeSuggester(data.modelDir, { encoderThreads: data.encoderThreads });
  send({ type: 'ready', info: { version: suggester.version, vectorizer: suggester.manifest.vectorizer, tags: suggester.tags.length } });
} catch (err) {
  // A usage error (no model in the directory given) stays one in the server: exit code 2 for the CLI.
  send({ type: 'failed', error: message(err), usage: err instanceof UsageError }); // the server terminates this thread
}

port.on('message', async ({ id, question, k }: WorkerRequest) => {
  try {
    send({ type: 'result', id, tags: await suggester.suggest(question, { k }) });
  } catch (err) {
    send({ type: 'error', id, error: message(err) });
  }
});
