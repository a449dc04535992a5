/** The nearest-rank `q`-quantile of `xs` (q in [0, 1]): the value below which a share q of them lie; the benchmarks' p50 / p95. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
