/**
 * Records what the shipped model (models/) answers for a fixed set of real questions: the 10 best
 * tags with full-precision scores and a sha256 of every tag's float32 score, for the first 40
 * questions of the 2022 Data Explorer sample, plus the model version. tests/shipped-model.test.ts compares the model's answers with this file exactly, so a
 * refactor that changes a single bit of the output (normalisation, features, head, ranking) fails.
 * Re-run after a deliberate model change:  npx tsx scripts/model/output-snapshot.ts
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { readQuestions } from '../../src/pipeline/ingest';
import { loadNodeSuggester } from '../../src/pipeline/model-io';
import { DEFAULT_MODEL_DIR, PACKAGE_ROOT, SHARED_DATA } from '../../src/node/paths';
import { writeFileAtomic } from '../../src/node/fs-atomic';

export const SNAPSHOT_FILE = join(PACKAGE_ROOT, 'tests/fixtures/shipped-model-outputs.json');
export const SNAPSHOT_QUESTIONS = 40;

export interface OutputSnapshot {
  model: string;
  data: string;
  /** `top`: the 10 best tags with their scores; `scoresSha256`: sha256 of every tag's float32 score (little-endian bytes), so all 2,000 are checked bit for bit without storing them. */
  questions: { id: string; text: string; top: { name: string; score: number }[]; scoresSha256: string }[];
}

/** The snapshot the model in `modelDir` gives now. */
export async function takeSnapshot(modelDir = DEFAULT_MODEL_DIR): Promise<OutputSnapshot> {
  const data = resolve(SHARED_DATA, 'fixtures/sede-2022-sample.csv');
  const suggester = await loadNodeSuggester(modelDir);
  const questions: OutputSnapshot['questions'] = [];
  for await (const q of readQuestions(data)) {
    const text = suggester.textOf(q);
    const [scores] = await suggester.scoreTexts([text]);
    const top = suggester.rank(scores, { k: 10 }).map((s) => ({ name: s.name, score: s.score }));
    questions.push({ id: q.id, text, top, scoresSha256: createHash('sha256').update(new Uint8Array(scores.buffer, scores.byteOffset, scores.byteLength)).digest('hex') });
    if (questions.length === SNAPSHOT_QUESTIONS) break;
  }
  return { model: suggester.version, data: 'fixtures/sede-2022-sample.csv', questions };
}

export function readSnapshot(): OutputSnapshot {
  return JSON.parse(readFileSync(SNAPSHOT_FILE, 'utf8')) as OutputSnapshot;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(PACKAGE_ROOT, 'scripts/model/output-snapshot.ts')) {
  const snap = await takeSnapshot();
  writeFileAtomic(SNAPSHOT_FILE, `${JSON.stringify(snap)}\n`);
  process.stdout.write(`wrote ${SNAPSHOT_FILE}: model ${snap.model}, ${snap.questions.length} questions\n`);
}
