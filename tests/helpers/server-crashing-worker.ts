/**
 * A stand-in inference worker for tests/server-worker.test.ts: reports ready like the real one,
 * answers questions titled "ok", and dies (exit code 3) on any other question.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from '../../src/server/worker-protocol';

const send = (msg: WorkerReply) => parentPort!.postMessage(msg);
send({ type: 'ready', info: { version: 'crashy', vectorizer: 'tfidf', tags: 1 } });
parentPort!.on('message', ({ id, question }: WorkerRequest) => {
  if (question.title === 'ok') send({ type: 'result', id, tags: [{ name: 'ok', score: 1, threshold: 0.5, confident: true }] });
  else process.exit(3);
});
