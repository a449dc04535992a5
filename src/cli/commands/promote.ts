/**
 * `tagsmith promote`: the promotion gate. The candidate version gets the alias only when it is not
 * worse than the version holding it now, both scored on the SAME questions: those of `--data` that
 * neither model trained on (nor tuned thresholds on). `--force` sets the alias anyway and records it
 * as a version tag.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { evaluateScores, type Evaluation } from '../../learn/evaluation';
import { checkFiles, loadQuestions } from '../../pipeline/load-data';
import { loadNodeSuggester } from '../../pipeline/model-io';
import { UsageError } from '../../node/errors';
import { createRegistry, pullVersion, type ModelRegistry, type ModelVersion } from '../../tracking/registry';
import type { Question } from '../../core/types';
import type { Suggester } from '../../core/suggester';
import { scoreQuestions, selectPart } from './evaluate';

/**
 * How much worse than the champion a candidate may score on P@1, R@5 and micro-F1 and still pass:
 * half a percentage point, the size of run-to-run noise on a few thousand questions. Tag coverage
 * has no tolerance: a candidate must cover at least the champion's share of gold tags.
 */
export const GATE_TOLERANCE = 0.005;

export interface GateCheck {
  metric: string;
  champion: number;
  candidate: number;
  /** The lowest candidate value that passes. */
  floor: number;
  ok: boolean;
}

/** The gate's checks, candidate against champion, on evaluations of the same questions. */
export function gateChecks(champion: Evaluation, candidate: Evaluation, tolerance = GATE_TOLERANCE): GateCheck[] {
  const rows: [string, number, number, number][] = [
    ['P@1', champion.p_at_k[0], candidate.p_at_k[0], tolerance],
    ['R@5', champion.r_at_k[4], candidate.r_at_k[4], tolerance],
    ['micro-F1', champion.micro_f1, candidate.micro_f1, tolerance],
    ['tag coverage', champion.coverage, candidate.coverage, 0],
  ];
  return rows.map(([metric, ch, ca, tol]) => ({ metric, champion: ch, candidate: ca, floor: ch - tol, ok: ca >= ch - tol }));
}

export function formatGate(checks: GateCheck[], championLabel: string, candidateLabel: string, n: number): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const w = Math.max(12, championLabel.length, candidateLabel.length);
  const lines = [
    `promotion gate on ${n.toLocaleString('en-US')} questions neither model trained on (tolerance ${GATE_TOLERANCE * 100} points on P@1, R@5, micro-F1; none on tag coverage)`,
    `${'metric'.padEnd(14)}${championLabel.padStart(w)}  ${candidateLabel.padStart(w)}  ${'floor'.padStart(9)}  result`,
    ...checks.map(
      (c) =>
        `${c.metric.padEnd(14)}${pct(c.champion).padStart(w)}  ${pct(c.candidate).padStart(w)}  ${pct(c.floor).padStart(9)}  ${c.ok ? 'ok' : 'WORSE'}`,
    ),
  ];
  return lines.join('\n');
}

interface Loaded {
  version: ModelVersion;
  dir: string;
  suggester: Suggester;
}

async function pullAndLoad(registry: ModelRegistry, v: ModelVersion, dir: string): Promise<Loaded> {
  await pullVersion(registry, v, dir);
  return { version: v, dir, suggester: await loadNodeSuggester(dir) };
}

async function evaluate(m: Loaded, questions: Question[], cacheDir: string): Promise<Evaluation> {
  const scores = await scoreQuestions(m.suggester, questions, m.dir, cacheDir);
  return evaluateScores(scores, questions.map((q) => q.tags), m.suggester.tags, m.suggester.manifest.thresholds);
}

export interface PromoteOptions {
  name: string;
  version: string;
  alias: string;
  data: string[];
  /** Questions already loaded from `data` (e.g. retrain's held-out period); else `data` is read. */
  questions?: Question[];
  force?: boolean;
  cache: string;
  trackingUri?: string;
  json?: boolean;
}

export interface PromoteOutcome {
  promoted: boolean;
  forced: boolean;
  candidate: ModelVersion;
  champion?: ModelVersion;
  checks: GateCheck[];
  questions: number;
}

/** Runs the gate and sets the alias when it passes (or when forced); prints the comparison. */
export async function promote(opts: PromoteOptions, registry = createRegistry(opts.trackingUri)): Promise<PromoteOutcome> {
  if (!opts.questions) checkFiles(opts.data); // a typo in --data fails before anything is downloaded
  const candidate = await registry.getVersion(opts.name, opts.version);
  const champion = await registry.getVersionByAlias(opts.name, opts.alias);
  const say = (s: string) => (opts.json ? process.stderr : process.stdout).write(`${s}\n`);
  if (champion?.version === candidate.version) {
    say(`'${opts.name}' version ${candidate.version} already holds the alias '${opts.alias}'.`);
    return { promoted: false, forced: false, candidate, champion, checks: [], questions: 0 };
  }
  const work = mkdtempSync(join(tmpdir(), 'tagsmith-promote-'));
  let checks: GateCheck[] = [];
  let n = 0;
  try {
    const cand = await pullAndLoad(registry, candidate, join(work, `v${candidate.version}`));
    const champ = champion && (await pullAndLoad(registry, champion, join(work, `v${champion.version}`)));
    const all = opts.questions ?? (await loadQuestions(opts.data)).questions;
    let questions = selectPart(all, cand.suggester, 'unseen');
    if (champ) questions = selectPart(questions, champ.suggester, 'unseen');
    n = questions.length;
    if (n === 0) {
      throw new UsageError(
        `no question of ${opts.data.map((f) => basename(f)).join(', ')} is unseen by both models: give --data files (or periods) neither model trained on`,
      );
    }
    const cacheDir = resolve(opts.cache);
    const candEval = await evaluate(cand, questions, cacheDir);
    if (champ) {
      checks = gateChecks(await evaluate(champ, questions, cacheDir), candEval);
      say(formatGate(checks, `v${champ.version.version} (${opts.alias})`, `v${candidate.version} (candidate)`, n));
    } else {
      say(`'${opts.name}' has no '${opts.alias}' yet: version ${candidate.version} takes it (P@1 ${(candEval.p_at_k[0] * 100).toFixed(2)} % on ${n} questions).`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const passed = checks.every((c) => c.ok);
  const forced = !passed && opts.force === true;
  if (passed || forced) {
    await registry.setAlias(opts.name, opts.alias, candidate.version);
    const record = JSON.stringify({ alias: opts.alias, replaced: champion?.version ?? null, questions: n, data: opts.data, checks });
    await registry.setVersionTags(opts.name, candidate.version, {
      [`tagsmith.promotion.${opts.alias}`]: record,
      ...(forced ? { 'tagsmith.promotion.forced': `${opts.alias}: set by --force although the gate failed on ${checks.filter((c) => !c.ok).map((c) => c.metric).join(', ')}` } : {}),
    });
  }
  return { promoted: passed || forced, forced, candidate, champion, checks, questions: n };
}

/** Prints a gate decision (JSON or text); a refused promotion sets exit code 1. */
export function runPromoteReport(
  opts: Pick<PromoteOptions, 'name' | 'alias' | 'json'>,
  out: PromoteOutcome,
  extra: Record<string, unknown> = {},
): void {
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ name: opts.name, alias: opts.alias, promoted: out.promoted, forced: out.forced, candidate: out.candidate.version, champion: out.champion?.version ?? null, questions: out.questions, checks: out.checks, ...extra })}\n`,
    );
  } else if (out.promoted) {
    process.stdout.write(`'${opts.name}' alias '${opts.alias}' -> version ${out.candidate.version}${out.forced ? ' (FORCED past the gate; recorded as tag tagsmith.promotion.forced)' : ''}\n`);
  }
  if (!out.promoted && out.checks.length > 0) {
    const worse = out.checks.filter((c) => !c.ok).map((c) => c.metric);
    process.stderr.write(
      `tagsmith: not promoted: version ${out.candidate.version} is worse than version ${out.champion?.version} on ${worse.join(', ')}; ` +
        `the alias '${opts.alias}' stays on version ${out.champion?.version}. Pass --force to promote anyway (recorded on the version).\n`,
    );
    process.exitCode = 1;
  }
}

export async function runPromoteCommand(opts: PromoteOptions): Promise<void> {
  runPromoteReport(opts, await promote(opts));
}
