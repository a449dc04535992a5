/**
 * The drift report pages: `index.html` (trends over all periods, the verdict table, first vs last
 * period) and one page per analysed period, plus `drift.json` with every figure. Node-only
 * (charts are rendered by charts/render.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../../charts/render';
import { componentsSpec, countsSpec, scatterDensitySpec, tagShiftSpec, trendSpec, type ScatterPoint, type TrendRow } from '../../charts/drift-charts';
import { writeFileAtomic } from '../../node/fs-atomic';
import { DESCRIPTOR_LABELS, DESCRIPTOR_NAMES } from '../descriptors';
import type { PeriodResult } from '../monitor';
import type { DriftReport } from '../run';
import { badge, esc, figure, h, int, num, page, pct, pvalue, raw, table, type Html } from './html';

/** File name of a period's page (period strings are `2010-01`, `2010-Q1`, `2010`). */
export function periodFile(period: string): string {
  return `period-${period.replace(/[^\w-]/g, '_')}.html`;
}

function title(report: DriftReport): string {
  return `tagsmith drift: ${report.data.files.map((f) => f.file).join(', ')}`;
}

function headerOf(report: DriftReport, subtitle: string): Html {
  return h`<h1>${subtitle}</h1>
<p>${report.data.files.map((f) => f.file).join(', ')} · by ${report.options.by} · reference ${report.reference.period}${report.options.text === 'title' ? ' · titles only (bodies ignored)' : ''} · model ${report.model.version} (${report.model.vectorizer}, ${report.model.tags} tags)</p>
<p>generated ${report.createdAt} by <code>tagsmith drift</code> · ${int(report.timings.texts)} questions embedded and scored in ${report.timings.seconds.total ?? '?'} s</p>`;
}

const verdictCell = (p: PeriodResult) => (p.verdict ? h`${badge(p.verdict.level)}` : h`<span class="badge" style="background:#6a737c">reference</span>`);

function supervisedRows(p: PeriodResult) {
  return p.supervised;
}

/** The per-period numbers shown in the overview table and in first-vs-last. */
function keyFigures(p: PeriodResult): [string, string][] {
  const s = supervisedRows(p);
  const u = p.unsupervised;
  return [
    ['questions in period / sampled / unseen', `${int(p.questions)} / ${int(p.sampled)} / ${int(p.unseen)}`],
    ['P@1 (unseen)', s ? pct(s.p_at_k[0]) : 'too few unseen'],
    ['P@5 (unseen)', s ? pct(s.p_at_k[4]) : '–'],
    ['R@5 (unseen)', s ? pct(s.r_at_k[4]) : '–'],
    ['micro-F1 at thresholds (unseen)', s ? pct(s.micro_f1) : '–'],
    ['abstain rate (unseen)', s ? pct(s.abstain_rate) : '–'],
    ['tag coverage', pct(p.labels.coverage)],
    ['gold tags JS distance', num(p.labels.goldTagsJs)],
    ['predicted top-1 tags JS distance', num(p.labels.predictedTagsJs)],
    ['embedding centroid cosine distance', u ? num(u.centroidCosineDistance, 4) : '–'],
    ['PCA components drifted', u ? `${pct(u.driftShare, 0)}${u.datasetDrift ? ' (dataset drift)' : ''}` : '–'],
    ['domain classifier ROC AUC', u ? num(u.domainAuc) : '–'],
    ...DESCRIPTOR_NAMES.map((d): [string, string] => [DESCRIPTOR_LABELS[d], d.endsWith('share') ? pct(p.descriptorMeans[d]) : num(p.descriptorMeans[d], 0)]),
  ];
}

async function indexCharts(report: DriftReport): Promise<Html[]> {
  const all = [report.reference, ...report.periods];
  const order = all.map((p) => p.period);
  const refLabel = (p: string) => (p === report.reference.period ? `${p} (ref)` : p);
  const periods = order.map(refLabel);
  const rows = (series: string, get: (p: PeriodResult) => number | null | undefined, list = all): TrendRow[] =>
    list.flatMap((p) => {
      const v = get(p);
      return v === null || v === undefined || !Number.isFinite(v) ? [] : [{ period: refLabel(p.period), series, value: v }];
    });
  const charts: { spec: Parameters<typeof renderSvg>[0]; caption: string }[] = [];
  const statusOf = new Map<string, string>([[report.reference.period, 'reference'], ...report.periods.map((p) => [p.period, 'analysed'] as [string, string]), ...report.skippedPeriods.map((s) => [s.period, 'too few'] as [string, string])]);
  const countOrder = [...statusOf.keys()].sort();
  charts.push({
    spec: countsSpec('Questions per period', countOrder.map((p) => ({ period: p, questions: report.data.periodsInData[p] ?? 0, status: statusOf.get(p)! }))),
    caption: `Periods with fewer than ${report.options.minQuestions} questions are listed, not analysed. Up to ${report.options.sample} questions a period are sampled.`,
  });
  const sup = all.filter((p) => p.supervised);
  if (sup.length) {
    charts.push({
      spec: trendSpec({
        title: 'Model quality on unseen questions',
        periods,
        yTitle: 'score',
        domain: [0, 1],
        rows: [
          ...rows('P@1', (p) => p.supervised?.p_at_k[0]),
          ...rows('P@5', (p) => p.supervised?.p_at_k[4]),
          ...rows('R@5', (p) => p.supervised?.r_at_k[4]),
          ...rows('micro-F1', (p) => p.supervised?.micro_f1),
        ],
      }),
      caption: 'Supervised metrics, only on questions the model never trained on (see "Data").',
    });
  }
  charts.push({
    spec: trendSpec({
      title: 'Label drift',
      periods,
      yTitle: 'value',
      domain: [0, 1],
      rows: [...rows('tag coverage', (p) => p.labels.coverage), ...rows('gold tags JS', (p) => p.labels.goldTagsJs), ...rows('predicted tags JS', (p) => p.labels.predictedTagsJs)],
    }),
    caption: 'Coverage: share of gold tags the vocabulary knows. JS: Jensen-Shannon distance (base 2) of tag counts against the reference (gold: vocabulary tags, the rest pooled; predicted: the top-1 tag).',
  });
  charts.push({
    spec: trendSpec({ title: 'Embedding centroid cosine distance', periods, yTitle: 'cosine distance', rows: rows('centroid', (p) => p.unsupervised?.centroidCosineDistance ?? (p === report.reference ? 0 : null)) }),
    caption: 'Cosine distance between the mean embedding of the period and of the reference.',
  });
  charts.push({
    spec: trendSpec({
      title: 'Share of PCA components drifted',
      periods,
      yTitle: 'share',
      domain: [0, 1],
      rule: { value: 0.5, label: 'dataset drift' },
      rows: rows('drift share', (p) => p.unsupervised?.driftShare),
    }),
    caption: `Per PCA component: KS p <= 0.05 (reference <= 1000 rows) or normed Wasserstein >= 0.1; dataset drift at >= 50 %.`,
  });
  charts.push({
    spec: trendSpec({
      title: 'Domain classifier ROC AUC',
      periods,
      yTitle: 'ROC AUC',
      domain: [0.4, 1],
      rule: { value: report.rules.domainAuc, label: `drift > ${report.rules.domainAuc}` },
      rows: rows('ROC AUC', (p) => p.unsupervised?.domainAuc),
    }),
    caption: 'Out-of-fold ROC AUC of a logistic regression telling the period from the reference by embeddings (0.5: indistinguishable). Drift when > 0.55 and more than 2 null standard errors above 0.5.',
  });
  for (const d of DESCRIPTOR_NAMES) {
    charts.push({ spec: trendSpec({ title: DESCRIPTOR_LABELS[d], periods, yTitle: 'mean', width: 300, rows: rows('mean', (p) => p.descriptorMeans[d]) }), caption: `Mean per question.` });
  }
  return Promise.all(charts.map(async (c) => figure(await renderSvg(c.spec), c.caption)));
}

function rulesSection(report: DriftReport): Html {
  const r = report.rules;
  return h`<h2>Verdict rules</h2><ul class="note">
<li><b>retrain</b>: P@1 on unseen questions fell by ≥ ${r.p1DropRetrain * 100} points, or tag coverage fell by ≥ ${r.coverageDropRetrain * 100} points (each also more than ${r.seMultipleRetrain} standard errors of the difference), or dataset drift of the embeddings together with a domain classifier ROC AUC ≥ ${r.domainAucRetrain} — unless P@1 on unseen questions can be compared and neither it nor tag coverage fell, then only watch (labels beat proxies).</li>
<li><b>watch</b>: P@1 or coverage fell by ≥ ${r.p1DropWatch * 100} points (and > ${r.seMultiple} SE), or dataset drift (≥ ${r.datasetDriftShare * 100} % of the ${report.options.pcaComponents} PCA components drifted), or domain classifier ROC AUC &gt; ${r.domainAuc} and more than ${r.domainAucNullSe} null standard errors above 0.5 (SE = √((n₁+n₂+1)/(12 n₁ n₂)), Mann-Whitney; keeps small periods from firing by chance).</li>
<li><b>stable</b>: no rule fired. P@1 is compared only when the reference and the period both have ≥ ${r.minSupervised} unseen questions.</li>
<li>Per component (Evidently's rule): two-sample KS p-value ≤ ${r.ksPValue} when the reference has ≤ ${r.ksMaxReferenceRows} rows, else Wasserstein distance / reference std ≥ ${r.wassersteinNormed}.</li></ul>`;
}

function dataSection(report: DriftReport): Html {
  const files = table(
    ['file', 'format', 'read', 'kept', 'skipped (by reason)', 'repaired'],
    report.data.files.map((f) => [
      f.file,
      f.format,
      int(f.read),
      int(f.kept),
      Object.entries(f.skipped).map(([k, v]) => `${k}: ${int(v)}`).join(', ') || '0',
      Object.entries(f.repaired).map(([k, v]) => `${k}: ${int(v)}`).join(', ') || '0',
    ]),
    [2, 3],
  );
  return h`<h2>Data</h2>${files}<p class="note">${int(report.data.kept)} questions kept, ${int(report.data.duplicates)} duplicates across files dropped, ${int(report.data.undated)} without a usable creation date not analysed. ${report.supervisedOn}</p>`;
}

export async function renderIndex(report: DriftReport): Promise<string> {
  const all = [report.reference, ...report.periods];
  const overview = table(
    ['period', 'questions', 'sampled', 'unseen', 'P@1', 'micro-F1', 'coverage', 'gold JS', 'centroid cos', 'PCA drift', 'domain AUC', 'verdict', 'reason'],
    all.map((p) => [
      p.verdict ? h`<a href="${periodFile(p.period)}">${p.period}</a>` : h`${p.period} (reference)`,
      int(p.questions),
      int(p.sampled),
      int(p.unseen),
      p.supervised ? pct(p.supervised.p_at_k[0]) : '–',
      p.supervised ? pct(p.supervised.micro_f1) : '–',
      pct(p.labels.coverage),
      num(p.labels.goldTagsJs),
      p.unsupervised ? num(p.unsupervised.centroidCosineDistance, 4) : '–',
      p.unsupervised ? pct(p.unsupervised.driftShare, 0) : '–',
      p.unsupervised ? num(p.unsupervised.domainAuc) : '–',
      verdictCell(p),
      p.verdict ? p.verdict.reasons.join('; ') : '',
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    'periods',
  );
  const skipped = report.skippedPeriods.length
    ? h`<h3>Not analysed</h3>${table(['period', 'questions', 'why'], report.skippedPeriods.map((s) => [s.period, int(s.questions), s.reason]), [1])}`
    : h``;
  const c = report.summary.counts;
  const summary = h`<p class="verdict">${report.summary.analysed} periods analysed: ${badge('stable')} ${c.stable} · ${badge('watch')} ${c.watch} · ${badge('retrain')} ${c.retrain}${
    report.summary.worst ? h` — worst: ${report.summary.worst.period} (${report.summary.worst.level})` : ''
  }</p>${report.summary.retrainCommand ? h`<p>To retrain and promote through the gate: <code>${report.summary.retrainCommand}</code></p>` : ''}`;
  const charts = await indexCharts(report);
  const comparison = await firstVsLast(report);
  const body = h`${summary}<h2>Trends</h2><div class="charts">${charts}</div>
<h2>Periods</h2>${overview}${skipped}
${comparison}${dataSection(report)}${rulesSection(report)}`;
  return page(title(report), headerOf(report, `Drift report by ${report.options.by}: ${report.reference.period} vs ${report.periods.length} periods`), body);
}

async function firstVsLast(report: DriftReport): Promise<Html> {
  if (report.periods.length === 0) return h`<h2>First vs last period</h2><p class="note">No period was analysed.</p>`;
  const first = report.periods[0];
  const last = report.periods[report.periods.length - 1];
  const cols = first === last ? [report.reference, last] : [report.reference, first, last];
  const figs = cols.map(keyFigures);
  const rows: unknown[][] = figs[0].map(([label], i) => [label, ...figs.map((f) => f[i][1])]);
  rows.push(['verdict', ...cols.map((p) => verdictCell(p))]);
  const tbl = table(['', ...cols.map((p, i) => (i === 0 ? `${p.period} (reference)` : p.period))], rows, cols.map((_, i) => i + 1));
  const points: ScatterPoint[] = [
    ...report.referenceScatter.map(([x, y]) => ({ x, y, group: `${report.reference.period} (reference)` })),
    ...(first !== last ? (first.unsupervised?.scatter ?? []).map(([x, y]) => ({ x, y, group: first.period })) : []),
    ...(last.unsupervised?.scatter ?? []).map(([x, y]) => ({ x, y, group: last.period })),
  ];
  const groups = [...new Set(points.map((p) => p.group))];
  const scatter = figure(await renderSvg(scatterDensitySpec(`PCA of the embeddings: ${groups.join(' vs ')}`, points, groups)), 'PCA fitted on the reference; current periods projected onto it.');
  const shifts = [...last.labels.rising, ...last.labels.falling].map((s) => ({ tag: s.tag, change: s.change }));
  const tags = shifts.length ? figure(await renderSvg(tagShiftSpec(`Tags rising and falling: ${last.period} vs ${report.reference.period}`, shifts))) : h``;
  return h`<h2>First vs last period</h2>${tbl}<div class="charts">${scatter}${tags}</div>`;
}

export async function renderPeriod(report: DriftReport, p: PeriodResult): Promise<string> {
  const ref = report.reference;
  const u = p.unsupervised!;
  const idx = report.periods.indexOf(p);
  const prev = report.periods[idx - 1];
  const next = report.periods[idx + 1];
  const nav = h`<nav class="periods"><a href="index.html">← overview</a>${prev ? h`<a href="${periodFile(prev.period)}">‹ ${prev.period}</a>` : ''}${next ? h`<a href="${periodFile(next.period)}">${next.period} ›</a>` : ''}</nav>`;
  const verdict = p.verdict!;
  const verdictHtml = h`<p class="verdict">Verdict: ${badge(verdict.level)}</p><ul class="reasons">${verdict.reasons.map((r) => h`<li>${r}</li>`)}</ul>`;

  const s = p.supervised;
  const rs = ref.supervised;
  const supRows: unknown[][] = [];
  if (s || rs) {
    for (let k = 0; k < 5; k++) supRows.push([`P@${k + 1} / R@${k + 1} / F1@${k + 1}`, rs ? `${pct(rs.p_at_k[k])} / ${pct(rs.r_at_k[k])} / ${pct(rs.f1_at_k[k])}` : '–', s ? `${pct(s.p_at_k[k])} / ${pct(s.r_at_k[k])} / ${pct(s.f1_at_k[k])}` : '–']);
    supRows.push(['micro precision / recall / F1', rs ? `${pct(rs.micro_precision)} / ${pct(rs.micro_recall)} / ${pct(rs.micro_f1)}` : '–', s ? `${pct(s.micro_precision)} / ${pct(s.micro_recall)} / ${pct(s.micro_f1)}` : '–']);
    supRows.push(['macro-F1', rs ? pct(rs.macro_f1) : '–', s ? pct(s.macro_f1) : '–']);
    supRows.push(['abstain rate', rs ? pct(rs.abstain_rate) : '–', s ? pct(s.abstain_rate) : '–']);
    supRows.push(['unseen questions', rs ? int(rs.n) : `${int(ref.unseen)} (too few)`, s ? int(s.n) : `${int(p.unseen)} (too few)`]);
  }
  const supervised = h`<h2>Supervised: model quality</h2><p class="note">${report.supervisedOn}</p>${
    supRows.length ? table(['metric', `${ref.period} (reference)`, p.period], supRows, [1, 2]) : h`<p>Too few unseen questions in both periods.</p>`
  }`;

  const shiftRows = (list: typeof p.labels.rising) => list.map((t) => [t.tag, pct(t.reference), pct(t.current), `${t.change >= 0 ? '+' : ''}${(t.change * 100).toFixed(1)}`, t.inVocabulary ? 'yes' : 'no']);
  const shifts = [...p.labels.rising, ...p.labels.falling].map((t) => ({ tag: t.tag, change: t.change }));
  const labels = h`<h2>Labels: tag drift</h2>${table(
    ['', `${ref.period} (reference)`, p.period],
    [
      ['tag coverage (gold assignments in the vocabulary)', `${pct(ref.labels.coverage)} of ${int(ref.labels.goldAssignments)}`, `${pct(p.labels.coverage)} of ${int(p.labels.goldAssignments)}`],
      ['gold tags: JS distance to the reference', '0', num(p.labels.goldTagsJs)],
      ['predicted top-1 tags: JS distance to the reference', '0', num(p.labels.predictedTagsJs)],
      ['most frequent tags', ref.labels.topGold.map((t) => `${t.tag} ${pct(t.share, 0)}`).join(', '), p.labels.topGold.map((t) => `${t.tag} ${pct(t.share, 0)}`).join(', ')],
    ],
    [],
  )}<div class="charts">${shifts.length ? figure(await renderSvg(tagShiftSpec(`Tags rising and falling vs ${ref.period}`, shifts))) : ''}<div>
<h3>Rising</h3>${table(['tag', 'reference', 'period', 'points', 'in vocabulary'], shiftRows(p.labels.rising), [1, 2, 3])}
<h3>Falling</h3>${table(['tag', 'reference', 'period', 'points', 'in vocabulary'], shiftRows(p.labels.falling), [1, 2, 3])}</div></div>`;

  const points: ScatterPoint[] = [
    ...report.referenceScatter.map(([x, y]) => ({ x, y, group: `${ref.period} (reference)` })),
    ...u.scatter.map(([x, y]) => ({ x, y, group: p.period })),
  ];
  const groups = [`${ref.period} (reference)`, p.period];
  const method = u.components[0]?.method ?? 'ks';
  const isP = method === 'ks' || method === 'chisquare' || method === 'z';
  const compChart = componentsSpec(
    isP ? 'KS p-value per PCA component (drift at ≤ 0.05)' : 'Normed Wasserstein per PCA component (drift at ≥ 0.1)',
    u.components.map((c) => ({ component: `PC${c.component}`, score: c.score, drifted: c.drifted })),
    isP ? 'p-value' : 'Wasserstein / std',
    u.components[0]?.threshold ?? 0.05,
  );
  const [scatterSvg, compSvg] = await Promise.all([renderSvg(scatterDensitySpec(`PCA of the embeddings: ${p.period} vs ${ref.period}`, points, groups)), renderSvg(compChart)]);
  const compTable = table(
    ['component', 'variance share', 'reference mean', 'period mean', 'test', 'score', 'threshold', 'drifted'],
    u.components.map((c) => [`PC${c.component}`, pct(c.explainedVarianceRatio), num(c.referenceMean, 4), num(c.currentMean, 4), c.method, c.method === 'ks' ? pvalue(c.score) : num(c.score, 4), num(c.threshold, 2), c.drifted ? 'yes' : 'no']),
    [1, 2, 3, 5, 6],
  );
  const unsup = h`<h2>Unsupervised: the questions' text</h2>
<dl class="kv"><dt>embedding centroid cosine distance</dt><dd>${num(u.centroidCosineDistance, 4)}</dd>
<dt>PCA components drifted</dt><dd>${pct(u.driftShare, 0)} of ${u.components.length}${u.datasetDrift ? ' — dataset drift' : ''}</dd>
<dt>domain classifier ROC AUC</dt><dd>${num(u.domainAuc)} (null SE ${num(u.domainNullSe)})${u.domainDrifted ? ` — drift (> ${report.rules.domainAuc} and > ${report.rules.domainAucNullSe} SE above 0.5)` : ' — no drift'}</dd></dl>
<div class="charts">${figure(scatterSvg, 'PCA fitted on the reference sample; the period projected onto it. Top and right: densities of PC1 and PC2.')}${figure(compSvg)}</div>
${compTable}
<h3>Text descriptors</h3>${table(
    ['descriptor', 'reference mean', 'period mean', 'test', 'score', 'drifted'],
    u.descriptors.map((d) => [
      DESCRIPTOR_LABELS[d.name],
      num(d.referenceMean, d.name.endsWith('share') ? 3 : 1),
      num(d.currentMean, d.name.endsWith('share') ? 3 : 1),
      d.test ? d.test.method : 'constant (no test)',
      d.test ? (d.test.method === 'ks' ? pvalue(d.test.score) : num(d.test.score, 4)) : '–',
      d.drifted ? 'yes' : 'no',
    ]),
    [1, 2, 4],
  )}`;
  const body = h`${nav}${verdictHtml}${supervised}${labels}${unsup}${rulesSection(report)}`;
  return page(`${p.period} — ${title(report)}`, headerOf(report, `${p.period} vs reference ${ref.period}`), body);
}

/** Writes drift.json, index.html and one page per analysed period into `outDir` (each file atomically). */
export async function writeDriftReport(report: DriftReport, outDir: string): Promise<{ files: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileAtomic(join(outDir, name), text);
    files.push(name);
  };
  for (const p of report.periods) write(periodFile(p.period), await renderPeriod(report, p));
  write('index.html', await renderIndex(report));
  write('drift.json', `${JSON.stringify(report, null, 1)}\n`);
  return { files };
}

export { esc, raw };
