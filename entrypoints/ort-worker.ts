// The encoder's Web Worker: onnxruntime-web, started by the model worker (src/extension/model/ort-worker.ts).
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startOrtWorker } from '../src/extension/model/ort-worker';

export default defineUnlistedScript(() => startOrtWorker());
