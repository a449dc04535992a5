// The encoder's Web Worker: onnxruntime-web, started by the model worker (src/extension/model/ort-worker.ts).
// Chrome only: Firefox runs the encoder in the model worker (src/extension/model/worker.ts, ENCODER_HERE).
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startOrtWorker } from '../src/extension/model/ort-worker';

export default defineUnlistedScript({ include: ['chrome'], main: () => startOrtWorker() });
