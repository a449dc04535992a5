/** Real questions (title + HTML body) for the server tests: the 2022 Data Explorer sample. */
import { resolve } from 'node:path';
import { readQuestions } from '../../src/pipeline/ingest';
import type { Question } from '../../src/core/types';
import { SHARED_DATA } from './paths';

export const SAMPLE_CSV = resolve(SHARED_DATA, 'fixtures/sede-2022-sample.csv');

/** The first `n` questions of the sample that have a title, in file order. */
export async function realQuestions(n: number): Promise<Question[]> {
  const out: Question[] = [];
  for await (const q of readQuestions(SAMPLE_CSV)) {
    if (q.title.trim()) out.push(q);
    if (out.length === n) break;
  }
  if (out.length < n) throw new Error(`${SAMPLE_CSV} has only ${out.length} usable questions, ${n} wanted`);
  return out;
}
