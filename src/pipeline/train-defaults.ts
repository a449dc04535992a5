/**
 * Defaults of the training maths, applied by `resolveTrainOptions` (train.ts); everything else reads
 * the resolved options. A module of its own so the CLI can show them in --help without loading
 * training. (What to train on, how many tags and the seed are the CLI's defaults: src/cli/index.ts.)
 */
export const DEFAULT_TRAIN = {
  /** Head learner: 'svc' (SVM on TF-IDF + ridge on embeddings, src/pipeline/head-svc.ts) or 'logreg' (the 200-tag model's L-BFGS). */
  head: 'svc' as 'svc' | 'logreg',
  /** C of the logistic regression head. */
  C: 4,
  /** C of the SVM head: the LinearSVC peer's C=0.5 (not tuned for this head). */
  svcC: 0.5,
  /** Ridge penalty of the SVM head's embedding block. */
  ridgeAlpha: 10,
  /** TF-IDF weights kept per tag by the SVM head. */
  keep: 300,
  /** Candidate weights of the embedding margin in the SVM head (chosen on validation). */
  betaGrid: [0.25, 0.5, 0.75, 1, 1.5] as readonly number[],
  maxFeatures: 50000,
  minDf: 2,
  maxEpochs: 200,
  blockWeights: [1, 1] as const,
};

