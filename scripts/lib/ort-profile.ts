/**
 * onnxruntime's profiler output (Chrome trace events, the same format from onnxruntime-node's JSON
 * file and from onnxruntime-web's console lines), summed per operator type per model run.
 * Used by `npm run bench:ops`. Pure: no I/O.
 */

/** One trace event as onnxruntime writes it (the fields used here). */
export interface OrtTraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

/** Per operator type: microseconds spent in each measured run, in run order. */
export interface OpProfile {
  /** Measured runs (after the dropped warm-up runs). */
  runs: number;
  /** Each run's wall time (`model_run`), µs. */
  runUs: number[];
  /** Operator type -> µs in each measured run (0 where the run had none). */
  byOp: Record<string, number[]>;
}

/**
 * Parses onnxruntime-web's profile as printed line by line (`[`, one event per line ending with
 * `,`, `]`); lines that are not events (other console output) are skipped.
 */
export function parseProfileLines(lines: readonly string[]): OrtTraceEvent[] {
  const out: OrtTraceEvent[] = [];
  for (const raw of lines) {
    const line = raw.trim().replace(/^\[/, '').replace(/[,\]]+$/, '').trim();
    if (!line.startsWith('{') || !line.includes('"ph"')) continue;
    out.push(JSON.parse(line) as OrtTraceEvent);
  }
  return out;
}

/**
 * Sums kernel time per operator type within each `model_run` event, runs in time order, the
 * first `dropRuns` left out (warm-up: the first runs compile and allocate as they go).
 */
export function opProfile(events: readonly OrtTraceEvent[], dropRuns = 0): OpProfile {
  const runs = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  if (runs.length <= dropRuns) throw new Error(`profile: ${runs.length} model runs, ${dropRuns} to drop as warm-up: nothing left to measure`);
  const kept = runs.slice(dropRuns);
  const byOp: Record<string, number[]> = {};
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')).sort((a, b) => a.ts - b.ts);
  let k = 0;
  const first = kept[0].ts;
  while (k < kernels.length && kernels[k].ts < first) k++;
  kept.forEach((run, i) => {
    for (; k < kernels.length && kernels[k].ts <= run.ts + run.dur; k++) {
      if (kernels[k].ts < run.ts) continue; // between runs (none expected)
      const op = kernels[k].args?.op_name ?? kernels[k].name.replace(/_kernel_time$/, '');
      (byOp[op] ??= new Array<number>(kept.length).fill(0))[i] += kernels[k].dur;
    }
  });
  return { runs: kept.length, runUs: kept.map((r) => r.dur), byOp };
}

/** The group of the int8 matrix products (the linear layers' weights are int8). */
export const INT8_GROUP = 'int8 matrix products (the linear layers)';

/** Operator types grouped by what they compute in this encoder (BERT, int8 dynamic quantisation). */
export const OP_GROUPS: Record<string, readonly string[]> = {
  [INT8_GROUP]: ['DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'MatMulInteger', 'DynamicQuantizeLinear', 'QGemm', 'QAttention'],
  'attention (float matrix products, softmax, transposes)': ['MatMul', 'FusedMatMul', 'Softmax', 'Transpose', 'Attention', 'MultiHeadAttention'],
  'GELU': ['Gelu', 'BiasGelu', 'FastGelu', 'Erf'],
  'layer norms and residual adds': ['LayerNormalization', 'SkipLayerNormalization', 'SimplifiedLayerNormalization', 'Add', 'EmbedLayerNormalization'],
};

/** The group an operator type belongs to ('other' when none). */
export function opGroup(op: string): string {
  for (const [group, ops] of Object.entries(OP_GROUPS)) if (ops.includes(op)) return group;
  return 'other';
}
