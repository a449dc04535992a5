/**
 * The benchmarks' native reference: the shipped model's Suggester in Node (onnxruntime-node), run on
 * the questions a browser was given, one at a time, as bench:browser and bench:ops interleave it
 * with the browser chunk by chunk.
 */
import type { Typed } from './typed-questions';
import { loadNodeSuggester } from '../../src/pipeline/model-io';
import { nodeOnnxRuntime } from '../../src/pipeline/encoder-node';
import { DEFAULT_MODEL_DIR } from '../../src/node/paths';
import type { Suggester } from '../../src/core/suggester';

/** Runs questions through the Suggester: each one's time (ms) and top tag. */
export type NodeRun = (qs: Typed[]) => Promise<{ ms: number; top: string }[]>;

export interface NodeReference {
  suggester: Suggester;
  /** What runs its encoder, e.g. "onnxruntime-node 1.30.0 (cpu, all cores)". */
  runtime: string;
  run: NodeRun;
}

/** Loads the shipped model and warms it up on `warmup` (not timed). */
export async function nodeReference(warmup: Typed[]): Promise<NodeReference> {
  const suggester = await loadNodeSuggester(DEFAULT_MODEL_DIR);
  for (const q of warmup) await suggester.suggest({ ...q, bodyFormat: 'markdown' });
  const run: NodeRun = async (qs) => {
    const out: { ms: number; top: string }[] = [];
    for (const q of qs) {
      const t0 = performance.now();
      const [top] = await suggester.suggest({ ...q, bodyFormat: 'markdown' }, { k: 5 });
      out.push({ ms: performance.now() - t0, top: top.name });
    }
    return out;
  };
  return { suggester, runtime: nodeOnnxRuntime().name, run };
}
