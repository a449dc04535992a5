/** A worker thread serving onnxruntime-node over comlink, as the extension's ort-worker.ts serves onnxruntime-web (tests/ort-remote.test.ts). */
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { exposeOnnxRuntime } from '../../src/runtime/ort-remote';
import { nodeOnnxRuntime } from '../../src/pipeline/encoder-node';

exposeOnnxRuntime(nodeOnnxRuntime({ threads: 1 }), nodeEndpoint(parentPort!));
parentPort!.postMessage('ready');
