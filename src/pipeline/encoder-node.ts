/** The sentence encoder in Node: the runtime's Encoder, loaded from a model directory on disk. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEncoder, DEFAULT_ENCODER_ID } from '../runtime/encoder';
import type { EncoderSpec } from '../core/model';
import type { EmbedFn } from '../core/suggester';
import { DEFAULT_MODEL_DIR } from '../node/paths';

export interface NodeEncoder {
  spec: EncoderSpec;
  embed: EmbedFn;
}

const loaded = new Map<string, Promise<NodeEncoder>>();

/** Directory that holds the encoder folder: `dir` if it has one, else the shipped models/. */
export function encoderHome(dir: string, id = DEFAULT_ENCODER_ID): string {
  const own = resolve(dir);
  if (existsSync(join(own, id, 'onnx', 'model_quantized.onnx'))) return own;
  if (existsSync(join(DEFAULT_MODEL_DIR, id, 'onnx', 'model_quantized.onnx'))) return DEFAULT_MODEL_DIR;
  throw new Error(`encoder ${id} not found in ${own} nor in ${DEFAULT_MODEL_DIR}; restore models/ from git or run scripts/model/build-encoder.sh`);
}

/** Loads (once per process) the encoder found for `dir`. */
export function createNodeEncoder(dir: string, id = DEFAULT_ENCODER_ID): Promise<NodeEncoder> {
  const home = encoderHome(dir, id);
  const key = join(home, id);
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      const encoder = await createEncoder({ localModelPath: `${home}/`, modelId: id });
      return {
        spec: { id, dim: encoder.dim, maxLength: encoder.maxLength, pooling: 'mean', normalize: true },
        embed: (texts: string[]) => encoder.embed(texts),
      } satisfies NodeEncoder;
    })();
    loaded.set(key, p);
  }
  return p;
}
