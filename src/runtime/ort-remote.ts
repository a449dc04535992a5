/**
 * An ONNX runtime in another thread: `exposeOnnxRuntime` serves a runtime's sessions on one end of a
 * message channel (a Worker's scope), `remoteOnnxRuntime` is an `OnnxRuntime` on the other end.
 *
 * Why: onnxruntime-web creates a session and runs a model synchronously in the thread that calls
 * it (its plain WASM build): ~0.4 s for the session and ~0.25 s for the first run on a cold start,
 * during which the model worker could answer nothing. With the runtime in a worker of its own, the
 * model worker reads the head and TF-IDF files meanwhile, on the other core, and answers from them
 * (Suggester.suggestWithoutEncoder) while the encoder loads. The tokenizer stays with the caller;
 * only int64 ids go over and one float32 tensor comes back, transferred, not copied.
 * comlink does the messaging (as between the extension's pages and the model worker).
 */
import { expose, transfer, wrap, type Endpoint, type Remote } from 'comlink';
import type { OnnxRuntime, OnnxSession } from './encoder';

type RunInputs = Parameters<OnnxSession['run']>[0];
type RunOutput = Awaited<ReturnType<OnnxSession['run']>>;

/** What the runtime's thread answers. Sessions are named by number. */
export interface RemoteOnnxApi {
  createSession(location: string): Promise<{ id: number; runtime: string }>;
  run(id: number, inputs: RunInputs): Promise<RunOutput>;
  release(id: number): Promise<void>;
}

/** Serves `runtime` on `endpoint` (in a Worker: `self`). */
export function exposeOnnxRuntime(runtime: OnnxRuntime, endpoint: Endpoint): void {
  const sessions = new Map<number, OnnxSession>();
  let next = 1;
  const sessionOf = (id: number): OnnxSession => {
    const s = sessions.get(id);
    if (!s) throw new Error(`no ONNX session ${id} in the runtime's worker (released, or the worker restarted)`);
    return s;
  };
  const api: RemoteOnnxApi = {
    async createSession(location) {
      const session = await runtime.createSession(location);
      const id = next++;
      sessions.set(id, session);
      return { id, runtime: runtime.name };
    },
    async run(id, inputs) {
      const out = await sessionOf(id).run(inputs);
      // a fresh buffer per run (onnxruntime copies its output out of the WASM heap): hand it over;
      // a view of shared memory (never seen, but not transferable) is copied instead
      return out.data.buffer instanceof ArrayBuffer ? transfer(out, [out.data.buffer]) : out;
    },
    async release(id) {
      const s = sessionOf(id);
      sessions.delete(id);
      await s.release();
    },
  };
  expose(api, endpoint);
}

/**
 * An OnnxRuntime whose sessions live behind `endpoint` (a Worker running `exposeOnnxRuntime`).
 * `name` is the remote runtime's, known once a session was created (`pending` before).
 */
export function remoteOnnxRuntime(endpoint: Endpoint): OnnxRuntime {
  const api: Remote<RemoteOnnxApi> = wrap<RemoteOnnxApi>(endpoint);
  let name = 'onnxruntime (in a worker, not started yet)';
  return {
    get name() {
      return name;
    },
    async createSession(location) {
      const { id, runtime } = await api.createSession(location);
      name = `${runtime}, in its own worker`;
      return {
        run: (inputs) => api.run(id, inputs),
        release: () => api.release(id),
      };
    },
  };
}
