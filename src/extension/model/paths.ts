/**
 * Where the extension's model parts sit, relative to its root: the model files and onnxruntime-web's
 * WASM (copied there by wxt.config.ts) and the workers' scripts (WXT names unlisted scripts after
 * their entrypoints/ files). Each context derives full URLs from its own location or extensionUrl.
 */
export const MODEL_DIR = 'models/';
export const WASM_DIR = 'ort/';
/** The model's Web Worker (entrypoints/model-worker.ts). */
export const WORKER_PATH = '/model-worker.js';
/** The encoder's Web Worker in Chrome (entrypoints/ort-worker.ts). */
export const ORT_WORKER_PATH = '/ort-worker.js';
