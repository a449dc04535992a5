/** The promotion gate's rule and the model references the builds accept (pure functions). */
import { describe, expect, it } from 'vitest';
import { GATE_TOLERANCE, gateChecks } from '../src/cli/commands/promote';
import type { Evaluation } from '../src/learn/evaluation';
import { parseModelRef } from '../src/tracking/registry';
import { retrainCommand } from '../src/drift/retrain-command';
import { periodStart } from '../src/pipeline/retrain';
import { buildProgram } from '../src/cli';

const evaluation = (p1: number, r5: number, f1: number, coverage: number): Evaluation =>
  ({ n: 100, p_at_k: [p1, 0, 0, 0, 0], r_at_k: [0, 0, 0, 0, r5], micro_f1: f1, coverage }) as Evaluation;

describe('gateChecks', () => {
  const champion = evaluation(0.6, 0.5, 0.55, 0.3);
  const failing = (cand: Evaluation) => gateChecks(champion, cand).filter((c) => !c.ok).map((c) => c.metric);

  it('passes a candidate down to the tolerance on P@1, R@5 and micro-F1', () => {
    const t = GATE_TOLERANCE;
    expect(failing(evaluation(0.6 - t, 0.5 - t, 0.55 - t, 0.3))).toEqual([]);
  });
  it('fails each metric just past the tolerance, and names it', () => {
    const past = GATE_TOLERANCE + 1e-6;
    expect(failing(evaluation(0.6 - past, 0.5, 0.55, 0.3))).toEqual(['P@1']);
    expect(failing(evaluation(0.6, 0.5 - past, 0.55, 0.3))).toEqual(['R@5']);
    expect(failing(evaluation(0.6, 0.5, 0.55 - past, 0.3))).toEqual(['micro-F1']);
  });
  it('allows no loss of tag coverage at all', () => {
    expect(failing(evaluation(0.7, 0.6, 0.6, 0.3 - 1e-9))).toEqual(['tag coverage']);
  });
});

describe('parseModelRef', () => {
  it('reads MLflow model URIs and the registry: shorthand', () => {
    expect(parseModelRef('models:/tagsmith@champion')).toEqual({ name: 'tagsmith', alias: 'champion' });
    expect(parseModelRef('models:/other/12')).toEqual({ name: 'other', version: '12' });
    expect(parseModelRef('registry:champion')).toEqual({ name: 'tagsmith', alias: 'champion' });
  });
  it('leaves directories alone and refuses malformed references with the accepted forms', () => {
    expect(parseModelRef('models')).toBeUndefined();
    expect(parseModelRef('/tmp/models')).toBeUndefined();
    expect(() => parseModelRef('models:/tagsmith')).toThrow(/models:\/NAME@ALIAS, models:\/NAME\/VERSION or registry:ALIAS/);
  });
});

describe("drift's retrain command", () => {
  it('names the drift data, holds out the newest period and quotes paths for the shell', () => {
    expect(retrainCommand(['/data/a.csv', "/my data/b's.jsonl.gz"], '2011-Q4', 'hybrid')).toBe(
      `tagsmith retrain --data /data/a.csv '/my data/b'\\''s.jsonl.gz' --holdout-from 2011-Q4 --vectorizer hybrid`,
    );
  });
  it('is a command the CLI accepts, for every period spelling drift uses', () => {
    for (const [period, start] of [['2011', '2011-01-01'], ['2011-Q4', '2011-10-01'], ['2011-12', '2011-12-01']]) {
      expect(periodStart(period)).toBe(`${start}T00:00:00.000Z`);
      const args = retrainCommand(['a.csv'], period, 'tfidf').split(' ').slice(1);
      const program = buildProgram();
      const retrain = program.commands.find((c) => c.name() === 'retrain')!;
      retrain.action(() => {}); // parse only
      program.parse(args, { from: 'user' });
      expect(retrain.opts()).toMatchObject({ data: ['a.csv'], holdoutFrom: period, vectorizer: 'tfidf' });
    }
  });
});
