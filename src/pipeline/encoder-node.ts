/** The sentence encoder in Node: the runtime's Encoder, loaded from a model directory on disk. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { bertSession, createEncoder, DEFAULT_ENCODER_ID, DEFAULT_MAX_LENGTH, type OnnxRuntime } from '../runtime/encoder';
import { ENCODER_FILES, type EncoderSpec } from '../core/model';
import { checkEncoderFiles, type EmbedFn } from '../core/suggester';
import { sha256Hex } from '../core/hash';
import { DEFAULT_MODEL_DIR } from '../node/paths';

export interface NodeEncoder {
  /** What a manifest records about this encoder, with the sha256 of its files. */
  spec: EncoderSpec;
  embed: EmbedFn;
}

/**
 * The encoder's ONNX runtime in Node: onnxruntime-node (the version package.json pins), on the CPU,
 * `threads` intra-op threads (default 0: onnxruntime's choice, one per core). `sessionOptions` adds
 * to the session's (bench:ops turns onnxruntime's profiler on; releasing the session writes it).
 */
export function nodeOnnxRuntime(opts: { threads?: number; sessionOptions?: ort.InferenceSession.SessionOptions } = {}): OnnxRuntime {
  const threads = opts.threads ?? 0;
  return {
    name: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu, ${threads === 0 ? 'all cores' : `${threads} threads`})`,
    async createSession(path) {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        ...opts.sessionOptions,
      });
      return bertSession(ort.Tensor, session);
    },
  };
}

const loaded = new Map<string, Promise<NodeEncoder>>();
const hashes = new Map<string, Promise<string>>();

/**
 * sha256 of a file under `folder`, read once per process while the file stays the same (the
 * encoder is ~23 MB): keyed by path, size and modification time, so a replaced file is hashed again.
 */
const hashOf = (folder: string) => (path: string) => {
  const file = join(folder, path);
  let key = file;
  try {
    const st = statSync(file);
    key = `${file}:${st.size}:${st.mtimeMs}`;
  } catch {
    // missing: readFile below says so
  }
  let h = hashes.get(key);
  if (!h) {
    h = readFile(file).then((bytes) => sha256Hex(bytes));
    hashes.set(key, h);
    h.catch(() => hashes.delete(key));
  }
  return h;
};

/**
 * Directory that holds the encoder folder `expected.id` for the model in `dir`: `dir` itself when
 * it has one (its files must have the manifest's sha256), else the shipped models/ one, but only
 * when its files have the manifest's sha256 (a model trained with another encoder must bring its
 * own). Without `expected` (training: nothing recorded yet), `dir`'s folder or else models/.
 */
export async function encoderHome(dir: string, expected?: EncoderSpec): Promise<string> {
  const id = expected?.id ?? DEFAULT_ENCODER_ID;
  const own = resolve(dir);
  if (existsSync(join(own, id))) {
    if (expected) await checkEncoderFiles(expected, hashOf(join(own, id)), join(own, id));
    return own;
  }
  const shipped = join(DEFAULT_MODEL_DIR, id);
  if (!existsSync(shipped)) {
    throw new Error(`encoder ${id} not found in ${own} nor in ${DEFAULT_MODEL_DIR}; restore models/ from git or run scripts/model/build-encoder.sh`);
  }
  if (expected) {
    try {
      await checkEncoderFiles(expected, hashOf(shipped), shipped);
    } catch (err) {
      throw new Error(
        `${own} has no encoder folder ${id}/ and the shipped one is not the encoder this model was trained with ` +
          `(${(err as Error).message}); copy the model's encoder into ${join(own, id)}/`,
      );
    }
  }
  return DEFAULT_MODEL_DIR;
}

/**
 * Loads (once per process) the encoder for the model in `dir`, checked against `expected` (the
 * manifest's encoder section) when given; the returned spec records its files' sha256. `threads`:
 * onnxruntime's intra-op threads (default 0: one per core).
 */
export async function createNodeEncoder(dir: string, expected?: EncoderSpec, opts: { threads?: number } = {}): Promise<NodeEncoder> {
  const home = await encoderHome(dir, expected);
  const id = expected?.id ?? DEFAULT_ENCODER_ID;
  const maxLength = expected?.maxLength ?? DEFAULT_MAX_LENGTH;
  const threads = opts.threads ?? 0;
  const key = `${join(home, id)}@${maxLength}/${threads}`;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      const files: Record<string, string> = {};
      for (const f of ENCODER_FILES) files[f] = await hashOf(join(home, id))(f);
      const encoder = await createEncoder({ localModelPath: `${home}/`, modelId: id, maxLength, runtime: nodeOnnxRuntime({ threads }) });
      return {
        spec: { id, dim: encoder.dim, maxLength: encoder.maxLength, pooling: 'mean', normalize: true, files },
        embed: (texts: string[]) => encoder.embed(texts),
      } satisfies NodeEncoder;
    })();
    loaded.set(key, p);
    p.catch(() => loaded.delete(key)); // a failed load may be retried once the files are restored
  }
  return p;
}
