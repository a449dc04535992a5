import { resolve } from 'node:path';
import { train, type TrainOptions } from '../train';
import { summary } from '../evaluation';
import { formatEvaluation } from '../report-format';
import { UsageError } from '../errors';

/** CLI options: the training options as typed on the command line (class weight and cache as given). */
export interface TrainCommandOptions
  extends Pick<TrainOptions, 'data' | 'out' | 'vectorizer' | 'tags' | 'seed' | 'C' | 'maxEpochs' | 'maxFeatures' | 'limit'> {
  classWeight: string;
  cache: string;
  json?: boolean;
}

export async function runTrainCommand(opts: TrainCommandOptions): Promise<void> {
  if (opts.classWeight !== 'none' && opts.classWeight !== 'balanced') {
    throw new UsageError(`--class-weight must be none or balanced (got "${opts.classWeight}")`);
  }
  const result = await train({
    data: opts.data,
    out: resolve(opts.out),
    vectorizer: opts.vectorizer,
    tags: opts.tags,
    seed: opts.seed,
    C: opts.C,
    classWeight: opts.classWeight === 'balanced' ? 'balanced' : null,
    maxEpochs: opts.maxEpochs,
    maxFeatures: opts.maxFeatures,
    limit: opts.limit,
    cacheDir: resolve(opts.cache),
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ model: { version: result.manifest.version, dir: result.outDir }, test: summary(result.test), validation: summary(result.validation) })}\n`);
  } else {
    process.stdout.write(`${formatEvaluation(result.test, 'test')}\nmodel ${result.manifest.version} written to ${result.outDir}\n`);
  }
}
