/**
 * Deterministic, seeded train/validation/test split.
 *
 * Each question goes to a part by a hash of (seed, site, id), not by its position in the input:
 * the same question lands in the same part whatever the file order, and adding data never moves
 * questions that were already there between parts (so a test question never leaks into training).
 */
import { createHash } from 'node:crypto';
import type { Question } from '../core/types';

export type Part = 'train' | 'validation' | 'test';
export const PARTS: readonly Part[] = ['train', 'validation', 'test'];

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

export const DEFAULT_SPLIT: Readonly<SplitRatios> = Object.freeze({ train: 0.8, validation: 0.1, test: 0.1 });

/** A uniform number in [0, 1) from (seed, site, id). */
export function splitKey(seed: number, question: Pick<Question, 'site' | 'id'>): number {
  const digest = createHash('sha256').update(`${seed}\u0000${question.site}\u0000${question.id}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function assignPart(seed: number, question: Pick<Question, 'site' | 'id'>, ratios: SplitRatios = DEFAULT_SPLIT): Part {
  const u = splitKey(seed, question);
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.validation) return 'validation';
  return 'test';
}

export interface Split<T> {
  train: T[];
  validation: T[];
  test: T[];
  /** Questions per source file and part. */
  counts: Record<string, Record<Part, number>>;
}

export function splitQuestions<T extends Pick<Question, 'site' | 'id' | 'source'>>(
  questions: readonly T[],
  seed: number,
  ratios: SplitRatios = DEFAULT_SPLIT,
): Split<T> {
  const total = ratios.train + ratios.validation + ratios.test;
  if (Math.abs(total - 1) > 1e-9 || Object.values(ratios).some((r) => r < 0)) {
    throw new Error(`split ratios must be non-negative and add up to 1 (got ${JSON.stringify(ratios)})`);
  }
  const split: Split<T> = { train: [], validation: [], test: [], counts: {} };
  for (const q of questions) {
    const part = assignPart(seed, q, ratios);
    split[part].push(q);
    const c = (split.counts[q.source] ??= { train: 0, validation: 0, test: 0 });
    c[part]++;
  }
  return split;
}
