/**
 * Numeric core of tagsmith's drift monitoring (browser-safe, no Node imports). Each function
 * reproduces a SciPy / scikit-learn reference; tests/drift-stats.test.ts checks them against
 * values written by scripts/reference/drift_fixtures.py.
 *
 *  - ks2samp                 scipy.stats.ks_2samp (two-sided, method='auto')      ./ks
 *  - kolmogorovSf / Cdf      scipy.stats.kstwo.sf / cdf                             ./kolmogorov
 *  - smirnovSf               scipy.special.smirnov                                  ./kolmogorov
 *  - wassersteinDistance     scipy.stats.wasserstein_distance (optional weights)    ./distances
 *  - wassersteinNormed       Evidently's normed Wasserstein (std ddof=0, floor 0.001)
 *  - jensenShannon           scipy.spatial.distance.jensenshannon (base 2 default)
 *  - tagCountJensenShannon   the same over the key union of two count maps
 *  - cosineDistance          scipy.spatial.distance.cosine;  centroid = column means
 *  - fitPca / pcaTransform   sklearn.decomposition.PCA (exact solvers)              ./pca
 *  - columnDrift / datasetDrift  Evidently 0.5 default drift rules                  ./decision
 */
export { ks2samp, KS_MAX_EXACT_N, type KsResult } from './ks';
export { kolmogorovCdf, kolmogorovSf, smirnovSf } from './kolmogorov';
export {
  centroid,
  cosineDistance,
  jensenShannon,
  tagCountJensenShannon,
  wassersteinDistance,
  wassersteinNormed,
  WASSERSTEIN_NORM_MIN_STD,
  type CountComparison,
  type CountMap,
} from './distances';
export { fitPca, pcaTransform, type PcaModel } from '../learn/pca';
export {
  columnDrift,
  datasetDrift,
  DEFAULT_THRESHOLDS,
  LOW_CARDINALITY_MAX_VALUES,
  SMALL_REFERENCE_MAX_ROWS,
  type ColumnDrift,
  type ColumnDriftOptions,
  type DatasetDrift,
  type DriftMethod,
} from './decision';
export { chi2Sf, erfc, normalCdf } from './special';
export type { Sample } from './numeric';
