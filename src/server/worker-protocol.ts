/** What the server and its inference worker threads say to each other (inference.ts, worker-slot.ts, inference-worker.ts). */
import type { Suggestion } from '../core/suggester';
import type { QuestionText } from '../core/normalize';

export interface ModelInfo {
  version: string;
  vectorizer: string;
  tags: number;
}

/** Messages between the server and its inference worker (src/server/inference-worker.ts). */
export type WorkerRequest = { id: number; question: QuestionText; k: number };
export type WorkerReply =
  | { type: 'ready'; info: ModelInfo }
  | { type: 'failed'; error: string; usage: boolean }
  | { type: 'result'; id: number; tags: Suggestion[] }
  | { type: 'error'; id: number; error: string };

