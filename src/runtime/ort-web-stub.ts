/**
 * What transformers.js' `import * as ONNX_WEB from 'onnxruntime-web'` gets in the extension's
 * bundles (wxt.config.ts aliases the bare name here). We use transformers.js for the tokenizer
 * only; the model runs on the onnxruntime-web build src/runtime/ort-web.ts imports
 * ('onnxruntime-web/wasm'), in the encoder's own worker. transformers.js reads `env.wasm` at import
 * time and sets a few fields on it: an object is all it needs, and the model worker does not carry
 * and evaluate onnxruntime's 0.35 MB of JavaScript a second time.
 */
export const env = { wasm: {} as Record<string, unknown>, versions: {} as Record<string, string> };
export default { env };
