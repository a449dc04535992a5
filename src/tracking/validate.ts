/**
 * Input checks shared by both backends, with MLflow's own rules and limits (mlflow/utils/validation.py),
 * so a run that logs fine to the file store also logs fine to a server, and the error says what to fix
 * before anything is half-written.
 */
import type { ParamValue } from './types';

export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
/** Metrics + params + tags in one log-batch call. */
export const MAX_ENTITIES_PER_BATCH = 1000;
/** Bytes of one log-batch request body. */
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;

/** An input that MLflow would refuse: what is wrong and how to fix it. */
export class TrackingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackingInputError';
  }
}

// MLflow (non-Windows): `^[/\w.\- :]*$` with Python's Unicode-aware \w.
const KEY_CHARS = /^[/\p{L}\p{N}\p{Mn}_.\- :]*$/u;

/**
 * Checks a param, metric or tag key. Keys become file names in the file store, so MLflow also refuses
 * keys that would not normalise to themselves as a POSIX path ("a/../b", "/a", "a//b", "a/").
 */
export function checkKey(kind: 'param' | 'metric' | 'tag', key: string): void {
  if (typeof key !== 'string' || key === '') {
    throw new TrackingInputError(`Invalid ${kind} key ${JSON.stringify(key)}: a key name must be provided.`);
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) {
    throw new TrackingInputError(
      `Invalid ${kind} key '${key.slice(0, 40)}...': ${key.length} characters, MLflow allows at most ${MAX_ENTITY_KEY_LENGTH}.`,
    );
  }
  if (!KEY_CHARS.test(key)) {
    throw new TrackingInputError(
      `Invalid ${kind} key '${key}': names may only contain alphanumerics, underscores (_), dashes (-), ` +
        `periods (.), spaces ( ), colons (:) and slashes (/).`,
    );
  }
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new TrackingInputError(
      `Invalid ${kind} key '${key}': keys are used as file paths and must not start or end with '/', ` +
        `contain '//', or have '.' or '..' segments.`,
    );
  }
}

/** String form of a param value, checked against MLflow's length limit. */
export function paramString(key: string, value: ParamValue): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TrackingInputError(
      `Invalid value for param '${key}': expected a string, number or boolean, got ${value === null ? 'null' : typeof value}.`,
    );
  }
  const s = String(value);
  if (s.length > MAX_PARAM_VAL_LENGTH) {
    throw new TrackingInputError(
      `Param '${key}' is ${s.length} characters long; MLflow allows at most ${MAX_PARAM_VAL_LENGTH}. ` +
        `Log long values as an artifact (run.logText) instead.`,
    );
  }
  return s;
}

export function checkTagValue(key: string, value: string): void {
  if (typeof value !== 'string') {
    throw new TrackingInputError(`Invalid value for tag '${key}': expected a string, got ${typeof value}.`);
  }
  if (value.length > MAX_TAG_VAL_LENGTH) {
    throw new TrackingInputError(
      `Tag '${key}' is ${value.length} characters long; MLflow allows at most ${MAX_TAG_VAL_LENGTH}.`,
    );
  }
}

export function checkMetricPoint(key: string, p: { step: number; value: number; timestamp: number }): void {
  if (typeof p.value !== 'number') {
    throw new TrackingInputError(`Invalid value for metric '${key}': expected a number, got ${typeof p.value}.`);
  }
  if (!Number.isSafeInteger(p.step)) {
    throw new TrackingInputError(`Invalid step ${p.step} for metric '${key}': steps must be integers.`);
  }
  if (!Number.isSafeInteger(p.timestamp)) {
    throw new TrackingInputError(
      `Invalid timestamp ${p.timestamp} for metric '${key}': timestamps are integer Unix milliseconds.`,
    );
  }
}

export function checkExperimentName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TrackingInputError(`Invalid experiment name ${JSON.stringify(name)}: give a non-empty name.`);
  }
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw new TrackingInputError(
      `Experiment name is ${name.length} characters long; MLflow allows at most ${MAX_EXPERIMENT_NAME_LENGTH}.`,
    );
  }
}

/**
 * Normalises a relative artifact path ('' for the root) to `a/b/c` and refuses paths that would leave
 * the run's artifact directory.
 */
export function artifactSubpath(path: string | undefined): string {
  if (path === undefined || path === '' || path === '.') return '';
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || parts.includes('..')) {
    throw new TrackingInputError(
      `Invalid artifact path '${path}': it must be relative to the run's artifact root, without '..'.`,
    );
  }
  return parts.join('/');
}

/**
 * A float written as Python's `repr` writes it, which is what MLflow's file store puts in metric files
 * ("3.0", "1e-05", "nan"); JavaScript's String() differs ("3", "0.00001", "NaN").
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Shortest round-trip digits, as both languages use: "d.ddde±x".
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}
