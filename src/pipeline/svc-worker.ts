/** One training thread of `svc-threads.ts`: trains its tags and posts each tag's weights. */
import { parentPort, workerData } from 'node:worker_threads';
import { rowSquaredNorms, trainSvcTag, type SvcOptions } from '../learn/svc';
import type { Design } from '../learn/logreg/design';
import type { SharedDesign } from './svc-threads';

const { design, solver, tags, positives } = workerData as { design: SharedDesign; solver: SvcOptions; tags: number[]; positives: Int32Array[] };
const X: Design = { ...design, xat: new Float32Array(0) };
const norms = rowSquaredNorms(X);
tags.forEach((tag, k) => {
  const r = trainSvcTag(X, norms, positives[k], solver);
  parentPort!.postMessage({ tag, w: r.w, iterations: r.iterations, converged: r.converged }, [r.w.buffer as ArrayBuffer]);
});
