// The model's Web Worker (started by the offscreen document on Chrome, the background page on Firefox).
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startModelWorker } from '../src/extension/model/worker';

export default defineUnlistedScript(() => startModelWorker());
