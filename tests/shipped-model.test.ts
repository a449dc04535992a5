/**
 * The model committed in models/ (what `npm run train` on ../shared/data exports), used as a user
 * uses it: `npx tagsmith suggest`, and checked for size and integrity.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tagsmith } from './helpers/cli';
import { REPO } from './helpers/paths';
import { sha256Hex } from '../src/core/hash';

const MODELS = join(REPO, 'models');

describe('shipped model (models/)', () => {
  const manifest = JSON.parse(readFileSync(join(MODELS, 'tagsmith.json'), 'utf8'));

  it('suggests python and dictionary in the top 3 for the classic merge-dicts question', async () => {
    const r = await tagsmith(['suggest', '--title', 'How do I merge two dictionaries in a single expression in Python?', '--body', '', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const top3 = out.tags.slice(0, 3).map((t: { name: string }) => t.name);
    expect(top3).toContain('python');
    expect(top3).toContain('dictionary');
    expect(out.model.version).toBe(manifest.version);
  });

  it('is the hybrid model trained on the default data (every real file), with files matching their recorded sha256', async () => {
    expect(manifest.vectorizer).toBe('hybrid');
    expect(manifest.tags).toHaveLength(2000);
    expect(manifest.training.params.head).toBe('svc');
    expect(manifest.training.data.map((d: { file: string }) => d.file)).toEqual([
      'stackoverflow-api-2018.jsonl.gz',
      'stackoverflow-sede-2009-2011-titles.csv',
      'stackoverflow-sede-2020-titles.csv',
      'stackoverflow-api-mixed-2008-2023.jsonl.gz',
      'stackoverflow-sede-2022-data-science.csv',
    ]);
    expect(await sha256Hex(readFileSync(join(MODELS, manifest.head.file)))).toBe(manifest.head.sha256);
    expect(await sha256Hex(readFileSync(join(MODELS, manifest.tfidf.file), 'utf8'))).toBe(manifest.tfidf.sha256);
    expect(await sha256Hex(readFileSync(join(MODELS, manifest.rerank.file)))).toBe(manifest.rerank.sha256);
    expect(manifest.training.params.rerank.trees).toBeGreaterThan(0);
  });

  it("keeps the model's own files (all of models/ but the encoder) within 8 MB", () => {
    const own = readdirSync(MODELS).filter((f) => statSync(join(MODELS, f)).isFile() && f !== 'README.md' && f !== 'SHA256SUMS');
    expect(own.sort()).toEqual(['head.bin', 'rerank.bin', 'tagsmith.json', 'tfidf.json']);
    const bytes = own.reduce((s, f) => s + statSync(join(MODELS, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(8 * 1000 * 1000);
  });

  it('holds its test metrics (the quality the README reports)', () => {
    const test = manifest.metrics.test;
    expect(test.n).toBeGreaterThan(5000);
    expect(test.p_at_k[0]).toBeGreaterThan(0.6);
    expect(test.micro_f1).toBeGreaterThan(0.55);
  });
});

describe('shipped model outputs', () => {
  it('answers the recorded questions bit for bit as recorded (scripts/model/output-snapshot.ts)', async () => {
    const { readSnapshot, takeSnapshot } = await import('../scripts/model/output-snapshot');
    const recorded = readSnapshot();
    const now = await takeSnapshot();
    expect(now.model, 'models/ changed: re-run `npx tsx scripts/model/output-snapshot.ts` after a deliberate model change').toBe(recorded.model);
    expect(now.questions.length).toBe(recorded.questions.length);
    for (let i = 0; i < now.questions.length; i++) {
      expect(now.questions[i].text).toBe(recorded.questions[i].text);
      expect(now.questions[i].top).toEqual(recorded.questions[i].top);
      expect(now.questions[i].scoresSha256, `question ${i}: some tag's score changed`).toBe(recorded.questions[i].scoresSha256);
    }
  });
});
