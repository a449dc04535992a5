/**
 * One embedding worker thread (`tagsmith embed --workers K`): its own encoder (an onnxruntime
 * session with `threads` intra-op threads), answering `{ id, texts }` with `{ id, vectors }` (the
 * buffers transferred, not copied) or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createNodeEncoder } from '../encoder-node';
import type { EncoderSpec } from '../../core/model';

export interface EmbedThreadData {
  encoderDir: string;
  spec?: EncoderSpec;
  threads: number;
}
export type EmbedThreadRequest = { id: number; texts: string[] };
export type EmbedThreadReply = { id: number; vectors: Float32Array[] } | { id: number; error: string } | { ready: true } | { failed: string };

const data = workerData as EmbedThreadData;
const port = parentPort!;
createNodeEncoder(data.encoderDir, data.spec, { threads: data.threads }).then(
  (encoder) => {
    port.on('message', (req: EmbedThreadRequest) => {
      encoder.embed(req.texts).then(
        (vectors) => port.postMessage({ id: req.id, vectors } satisfies EmbedThreadReply, vectors.map((v) => v.buffer as ArrayBuffer)),
        (err: unknown) => port.postMessage({ id: req.id, error: (err as Error).message } satisfies EmbedThreadReply),
      );
    });
    port.postMessage({ ready: true } satisfies EmbedThreadReply);
  },
  (err: unknown) => port.postMessage({ failed: (err as Error).message } satisfies EmbedThreadReply),
);
