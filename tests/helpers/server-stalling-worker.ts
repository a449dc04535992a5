/**
 * A stand-in inference worker for tests/server-hardening.test.ts: reports ready like the real one,
 * answers questions titled "ok", and computes forever (a busy loop, as a pathological input would)
 * on a question titled "stall".
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from '../../src/server/worker-protocol';

const send = (msg: WorkerReply) => parentPort!.postMessage(msg);
send({ type: 'ready', info: { version: 'stally', vectorizer: 'tfidf', tags: 1 } });
parentPort!.on('message', ({ id, question }: WorkerRequest) => {
  if (question.title === 'stall') for (;;);
  send({ type: 'result', id, tags: [{ name: 'ok', score: 1, threshold: 0.5, confident: true }] });
});
