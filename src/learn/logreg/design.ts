/**
 * The training matrix of the one-vs-rest learner: a bias column, the dense block and the sparse
 * block (CSR), built once from feature rows (pure; browser-safe).
 */
import { checkRow, makeLayout, type FeatureLayout, type FeatureRow } from '../../core/head';

/**
 * The training matrix. Columns: 0 = constant 1 (bias), 1..dd = dense block (pre-multiplied by
 * its weight), then the sparse block in CSR form. Dense part kept twice (row- and column-major)
 * so both passes read memory contiguously.
 */
export interface Design {
  n: number;
  /** Dense block width including the bias column (1 + denseDim). */
  q: number;
  /** Sparse block width. */
  ds: number;
  /** Parameters per tag: q + ds. */
  p: number;
  xa: Float32Array; // n x q
  xat: Float32Array; // q x n
  indptr: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

export function resolveLayout(rows: FeatureRow[], dim: number | Partial<FeatureLayout>): FeatureLayout {
  if (typeof dim === 'number') {
    if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`trainOneVsRest: dim must be a positive integer, got ${dim}`);
    const denseDim = rows[0].dense?.length ?? 0;
    if (denseDim > dim) throw new Error(`trainOneVsRest: rows[0].dense has ${denseDim} values but dim is ${dim}`);
    return makeLayout({ denseDim, sparseDim: dim - denseDim });
  }
  return makeLayout(dim);
}

export function buildDesign(rows: FeatureRow[], layout: FeatureLayout): Design {
  const n = rows.length;
  const q = 1 + layout.denseDim;
  const ds = layout.sparseDim;
  const xa = new Float32Array(n * q);
  let nnz = 0;
  rows.forEach((row, i) => {
    checkRow(row, layout, `rows[${i}]`);
    nnz += row.sparse?.indices.length ?? 0;
  });
  const indptr = new Int32Array(n + 1);
  const cols = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  let k = 0;
  rows.forEach((row, i) => {
    xa[i * q] = 1;
    if (row.dense) for (let j = 0; j < layout.denseDim; j++) xa[i * q + 1 + j] = row.dense[j] * layout.denseWeight;
    if (row.sparse) {
      const { indices, values } = row.sparse;
      for (let m = 0; m < indices.length; m++, k++) {
        cols[k] = indices[m];
        vals[k] = values[m] * layout.sparseWeight;
      }
    }
    indptr[i + 1] = k;
  });
  const xat = new Float32Array(q * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) xat[j * n + i] = xa[i * q + j];
  return { n, q, ds, p: q + ds, xa, xat, indptr, cols, vals };
}
