/**
 * `tagsmith drift`: how the questions and the model's quality move period by period. Computes
 * with src/drift/run.ts, renders src/drift/report/, optionally logs the report directory to the
 * experiment tracker (only when --tracking-uri is given).
 */
import { resolve } from 'node:path';
import { runDrift, type DriftReport } from '../../drift/run';
import { writeDriftReport } from '../../drift/report/pages';
import { GRANULARITIES, type Granularity } from '../../drift/periods';
import { UsageError } from '../../node/errors';
import { checkFiles } from '../../pipeline/load-data';

export interface DriftCommandOptions {
  data: string[];
  reference: string;
  months?: string;
  by?: string;
  model: string;
  minQuestions: number;
  sample: number;
  seed: number;
  out: string;
  cache: string;
  text?: string;
  trackingUri?: string;
  experiment?: string;
  json?: boolean;
}

export const DEFAULT_DRIFT_EXPERIMENT = 'tagsmith-drift';

async function logToTracker(report: DriftReport, outDir: string, uri: string, experiment: string): Promise<string> {
  const { createTracker, withRun } = await import('../../tracking');
  const tracker = createTracker(uri);
  return withRun(tracker, { experiment, runName: `drift-${report.options.reference}-${report.createdAt.replace(/[:.]/g, '-')}` }, async (run) => {
    await run.logParams({
      by: report.options.by,
      reference: report.options.reference,
      periods: report.options.periods.join(','),
      sample: report.options.sample,
      min_questions: report.options.minQuestions,
      text: report.options.text,
      model_version: report.model.version,
      data: report.data.files.map((f) => f.file).join(','),
    });
    await run.logMetrics({
      periods_analysed: report.summary.analysed,
      periods_stable: report.summary.counts.stable,
      periods_watch: report.summary.counts.watch,
      periods_retrain: report.summary.counts.retrain,
    });
    for (const [step, p] of report.periods.entries()) {
      const m: Record<string, number> = { coverage: p.labels.coverage, gold_tags_js: p.labels.goldTagsJs };
      if (p.supervised) Object.assign(m, { p_at_1: p.supervised.p_at_k[0], micro_f1: p.supervised.micro_f1 });
      if (p.unsupervised) {
        m.centroid_cosine = p.unsupervised.centroidCosineDistance;
        m.pca_drift_share = p.unsupervised.driftShare;
        if (p.unsupervised.domainAuc !== null) m.domain_auc = p.unsupervised.domainAuc;
      }
      await run.logMetrics(m, step + 1);
    }
    await run.logArtifactDir(outDir, 'drift');
    return `${run.runId}`;
  });
}

export async function runDriftCommand(opts: DriftCommandOptions): Promise<void> {
  if (opts.by !== undefined && !GRANULARITIES.includes(opts.by as Granularity)) {
    throw new UsageError(`--by must be month, quarter or year (got "${opts.by}")`);
  }
  if (opts.text !== undefined && opts.text !== 'full' && opts.text !== 'title') throw new UsageError(`--text must be full or title (got "${opts.text}")`);
  checkFiles(opts.data);
  const outDir = resolve(opts.out);
  const report = await runDrift({
    data: opts.data,
    reference: opts.reference,
    months: opts.months,
    by: opts.by as Granularity | undefined,
    model: opts.model,
    minQuestions: opts.minQuestions,
    sample: opts.sample,
    seed: opts.seed,
    cacheDir: opts.cache,
    text: opts.text as 'full' | 'title' | undefined,
    log: (line) => {
      if (process.env.TAGSMITH_QUIET !== '1') process.stderr.write(`${line}\n`);
    },
  });
  const started = performance.now();
  const { files } = await writeDriftReport(report, outDir);
  const renderSeconds = (performance.now() - started) / 1000;
  let runId: string | undefined;
  if (opts.trackingUri) runId = await logToTracker(report, outDir, opts.trackingUri, opts.experiment ?? DEFAULT_DRIFT_EXPERIMENT);
  const c = report.summary.counts;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        out: outDir,
        files,
        reference: report.reference.period,
        periods: report.periods.map((p) => ({ period: p.period, verdict: p.verdict!.level, reasons: p.verdict!.reasons })),
        skipped: report.skippedPeriods,
        seconds: { ...report.timings.seconds, render: Math.round(renderSeconds * 10) / 10 },
        texts: report.timings.texts,
        embedded_new: report.timings.embeddedNew,
        run: runId ?? null,
        retrain_command: report.summary.retrainCommand,
      })}\n`,
    );
  } else {
    const lines = [
      `drift by ${report.options.by}, reference ${report.reference.period} (${report.reference.sampled} questions), model ${report.model.version}`,
      ...report.periods.map((p) => `  ${p.period.padEnd(8)} ${p.verdict!.level.padEnd(8)} ${p.verdict!.reasons[0]}`),
      ...report.skippedPeriods.map((s) => `  ${s.period.padEnd(8)} skipped  ${s.reason}`),
      `${report.summary.analysed} periods: ${c.stable} stable, ${c.watch} watch, ${c.retrain} retrain; ${report.timings.texts} questions in ${report.timings.seconds.total} s (+${renderSeconds.toFixed(1)} s rendering)`,
      ...(report.summary.retrainCommand ? [`retrain with: ${report.summary.retrainCommand}`] : []),
      `report: ${resolve(outDir, 'index.html')}`,
      ...(runId ? [`logged to the tracker as run ${runId}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
