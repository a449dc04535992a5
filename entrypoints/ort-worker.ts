// The encoder's Web Worker: onnxruntime-web, started by the model worker (src/extension/model/ort-worker.ts).
// Not built for Firefox: it runs the encoder in the model worker (src/extension/model/worker.ts, ENCODER_IN_MODEL_WORKER).
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startOrtWorker } from '../src/extension/model/ort-worker';

export default defineUnlistedScript({ exclude: ['firefox'], main: () => startOrtWorker() });
