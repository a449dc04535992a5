/**
 * Inside the encoder's own Web Worker (started by the model worker, `worker.ts`): onnxruntime-web
 * served over comlink (src/runtime/ort-remote.ts), so creating the session and running the model
 * never block the model worker. Its WASM threads are Workers started from here; Chrome's
 * offscreen document is cross-origin isolated and a dedicated worker inherits that, so two
 * threads there; one in Firefox.
 */
import { exposeOnnxRuntime } from '../../runtime/ort-remote';
import { webOnnxRuntime } from '../../runtime/ort-web';
import { WASM_DIR } from './paths';

export function startOrtWorker(scope: { location: { href: string } } & Parameters<typeof exposeOnnxRuntime>[1] = self as never): void {
  const wasmPaths = new URL(WASM_DIR, new URL('/', scope.location.href)).href;
  exposeOnnxRuntime(webOnnxRuntime({ wasmPaths }), scope);
}
