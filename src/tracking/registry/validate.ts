/** Name rules of MLflow's registry (mlflow/utils/validation.py), checked before anything is written. */
import { TrackingInputError } from '../validate';

export function checkModelName(name: string): void {
  if (!name || /[/\\%]/.test(name) || name === '.' || name === '..') {
    throw new TrackingInputError(
      `Invalid registered model name '${name}': it must be non-empty and contain no '/', '\\' or '%' (MLflow's rule).`,
    );
  }
}

export function checkAlias(alias: string): void {
  if (!/^[\w-]+$/.test(alias) || /^v\d+$/i.test(alias) || alias.toLowerCase() === 'latest') {
    throw new TrackingInputError(
      `Invalid alias '${alias}': use letters, digits, '_' and '-', not 'latest' nor v<number> (reserved by MLflow), e.g. champion.`,
    );
  }
}

export function checkVersion(version: string): void {
  if (!/^[1-9]\d*$/.test(version)) throw new TrackingInputError(`Invalid model version '${version}': versions are numbered 1, 2, ...`);
}
