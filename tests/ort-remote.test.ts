/**
 * The ONNX runtime in a thread of its own (src/runtime/ort-remote.ts), as the extension's model
 * worker uses it: here a real Node worker thread running onnxruntime-node behind
 * `exposeOnnxRuntime`, and the encoder in this thread on `remoteOnnxRuntime`. Its vectors must be
 * those of the same runtime called directly, bit for bit (only the session moved).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { startWorker } from '../src/node/worker';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createEncoder } from '../src/runtime/encoder';
import { exposeOnnxRuntime, remoteOnnxRuntime } from '../src/runtime/ort-remote';
import { nodeOnnxRuntime } from '../src/pipeline/encoder-node';
import { DEFAULT_MODEL_DIR } from '../src/node/paths';

const texts = ['How do I merge two dictionaries in Python?', 'Segmentation fault when freeing a linked list in C', 'x'];
const workers: Worker[] = [];
afterAll(async () => {
  for (const w of workers) await w.terminate();
});

describe('the encoder on a runtime in another thread', () => {
  it('gives the same vectors as the runtime called directly, from a worker thread', async () => {
    // the worker: onnxruntime-node served over comlink (the extension's ort-worker.ts does the same with onnxruntime-web)
    const worker = startWorker(new URL('./helpers/ort-remote-worker.ts', import.meta.url), undefined);
    workers.push(worker);
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      worker.once('error', reject);
    });
    const remote = remoteOnnxRuntime(nodeEndpoint(worker));
    expect(remote.name).toMatch(/not started yet/);
    const viaWorker = await createEncoder({ localModelPath: `${DEFAULT_MODEL_DIR}/`, runtime: remote });
    const direct = await createEncoder({ localModelPath: `${DEFAULT_MODEL_DIR}/`, runtime: nodeOnnxRuntime({ threads: 1 }) });
    expect(viaWorker.runtime).toMatch(/^onnxruntime-node \d+\.\d+\.\d+ \(cpu, 1 threads\), in its own worker$/);
    const a = await viaWorker.embed(texts);
    const b = await direct.embed(texts);
    expect(a).toHaveLength(texts.length);
    for (let i = 0; i < texts.length; i++) {
      expect(a[i]).toBeInstanceOf(Float32Array);
      expect(Array.from(a[i])).toEqual(Array.from(b[i]));
    }
    await viaWorker.dispose();
    await direct.dispose();
  }, 60_000);

  it('names a released session when it is used again', async () => {
    const { port1, port2 } = new MessageChannel();
    exposeOnnxRuntime(nodeOnnxRuntime({ threads: 1 }), nodeEndpoint(port1));
    const remote = remoteOnnxRuntime(nodeEndpoint(port2));
    const session = await remote.createSession(`${DEFAULT_MODEL_DIR}/all-MiniLM-L6-v2/onnx/model_quantized.onnx`);
    const ids = BigInt64Array.from([101n, 7592n, 102n]);
    const out = await session.run({ inputIds: ids, attentionMask: BigInt64Array.from([1n, 1n, 1n]), tokenTypeIds: new BigInt64Array(3), rows: 1, width: 3 });
    expect(out.dims).toEqual([1, 3, 384]);
    await session.release();
    await expect(session.run({ inputIds: ids, attentionMask: ids, tokenTypeIds: ids, rows: 1, width: 3 })).rejects.toThrow(/no ONNX session 1 in the runtime's worker \(released/);
    port1.close();
    port2.close();
  }, 60_000);

  it('reports a session that cannot be created with the runtime\'s own error', async () => {
    const { port1, port2 } = new MessageChannel();
    exposeOnnxRuntime(nodeOnnxRuntime({ threads: 1 }), nodeEndpoint(port1));
    const remote = remoteOnnxRuntime(nodeEndpoint(port2));
    await expect(remote.createSession('/nonexistent/model.onnx')).rejects.toThrow(/nonexistent/);
    port1.close();
    port2.close();
  });
});
