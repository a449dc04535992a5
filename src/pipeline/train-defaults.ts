/**
 * Defaults of the training maths, applied by `resolveTrainOptions` (train.ts); everything else reads
 * the resolved options. A module of its own so the CLI can show them in --help without loading
 * training. (What to train on, how many tags and the seed are the CLI's defaults: src/cli/index.ts.)
 */
export const DEFAULT_TRAIN = {
  C: 4,
  maxFeatures: 10000,
  minDf: 2,
  maxEpochs: 200,
  blockWeights: [1, 1] as const,
} as const;

