/**
 * A damaged encoder file given straight to the runtime (no manifest to check it against, as in
 * training): one error naming the folder and the runtime's reason, nothing printed before it.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createEncoder } from '../src/runtime/encoder';
import { copyShippedModel, ENCODER_ID, truncateFile } from './helpers/model-folder';
import { nodeOnnxRuntime } from '../src/pipeline/encoder-node';

const RT = nodeOnnxRuntime();

const dir = copyShippedModel({ encoder: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createEncoder on a truncated model_quantized.onnx', () => {
  it('throws one clear error and prints nothing (was: an onnxruntime stack trace and a "using wasm" note first)', async () => {
    truncateFile(dir, `${ENCODER_ID}/onnx/model_quantized.onnx`, 1_000_000);
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    try {
      const err = await createEncoder({ runtime: RT, localModelPath: `${dir}/`, modelId: ENCODER_ID }).then(() => undefined, (e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toContain(`cannot load model "${ENCODER_ID}" from ${join(dir, ENCODER_ID)}/`);
      expect(err!.message).toContain('restore models/ from git or run scripts/model/build-encoder.sh');
      expect(err!.message).toMatch(/model_quantized\.onnx failed: ?protobuf parsing failed/i); // the runtime's own reason
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});
