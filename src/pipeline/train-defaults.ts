/** Training defaults (a module of its own so the CLI can show them in --help without loading training). */
/** The one place training defaults live: `resolveTrainOptions` (train.ts) applies them, everything else reads the result. */
export const DEFAULT_TRAIN = {
  C: 4,
  maxFeatures: 10000,
  minDf: 2,
  maxEpochs: 200,
  blockWeights: [1, 1] as const,
} as const;

