/**
 * `tagsmith runs`: a static, self-contained HTML page over a tracking store (the MLflow file store, or an
 * MLflow server over REST): experiments, a sortable metric table per experiment, comparison plots as
 * inline SVG, and each run's params, tags and artifact links (relative file links for the file store,
 * the server's URLs for REST).
 */
import { relative, join, sep } from 'node:path';
import { writeFileAtomic } from '../node/fs-atomic';
import { readFileStore } from './file-store-reader';
import { MlflowRestClient, experimentRecordFromRest, runRecordFromRest } from './rest-client';
import { comparisonCharts, comparisonTable, escapeHtml, htmlPage, inlineSvg, type ComparedRun } from './compare';
import { resolveTrackingUri } from '.';
import { fileURLToPath } from 'node:url';
import type { ArtifactEntry, ExperimentRecord, RunRecord } from './types';

export interface PageRun extends RunRecord {
  artifacts: (ArtifactEntry & { href: string })[];
  /** Link to the run itself (MLflow UI page for a server; the run directory for a file store). */
  href?: string;
}
export interface PageExperiment extends ExperimentRecord {
  runs: PageRun[];
  href?: string;
}
export interface RunsSnapshot {
  source: string;
  kind: 'rest' | 'file';
  experiments: PageExperiment[];
  warnings: string[];
}

const encodeRel = (p: string) => p.split('/').map(encodeURIComponent).join('/');
/** A relative link from the page's directory to a local path, `/`-separated and URL-encoded. */
function relLink(outDir: string, target: string): string {
  return encodeRel(relative(outDir, target).split(sep).join('/'));
}

/** Reads a file store, with links relative to `outDir` (where the page goes). */
export function snapshotFromFileStore(root: string, outDir: string): RunsSnapshot {
  const store = readFileStore(root, { histories: false });
  return {
    source: store.root,
    kind: 'file',
    warnings: store.warnings,
    experiments: store.experiments.map((e) => ({
      ...e,
      href: relLink(outDir, e.experimentDir),
      runs: e.runs.map((r) => ({
        ...r,
        href: relLink(outDir, r.runDir),
        artifacts: r.artifacts.map((a) => ({ ...a, href: relLink(outDir, join(r.artifactDir, a.path)) })),
      })),
    })),
  };
}

/** Reads a server over REST (every active experiment, up to `maxRuns` runs each), with server URLs. */
export async function snapshotFromServer(url: string, maxRuns = 200): Promise<RunsSnapshot> {
  const client = new MlflowRestClient(url);
  const base = client.baseUrl;
  const experiments: PageExperiment[] = [];
  for (const e of await client.searchExperiments()) {
    const exp = experimentRecordFromRest(e);
    const runs: PageRun[] = [];
    for (const raw of await client.searchRuns([exp.experimentId], undefined, maxRuns)) {
      const r = runRecordFromRest(raw);
      const files = await client.listArtifactFiles(r.runId);
      runs.push({
        ...r,
        href: `${base}/#/experiments/${exp.experimentId}/runs/${r.runId}`,
        artifacts: files.map((a) => ({ ...a, href: `${base}/get-artifact?${new URLSearchParams({ run_id: r.runId, path: a.path })}` })),
      });
    }
    experiments.push({ ...exp, runs, href: `${base}/#/experiments/${exp.experimentId}` });
  }
  return { source: base, kind: 'rest', experiments, warnings: [] };
}

/** The snapshot of the store at `uri` (see resolveTrackingUri). */
export async function readRuns(uri: string | undefined, outDir: string): Promise<RunsSnapshot> {
  const u = resolveTrackingUri(uri);
  if (/^https?:\/\//i.test(u)) return snapshotFromServer(u);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1];
  if (scheme && scheme.length > 1 && scheme.toLowerCase() !== 'file') {
    throw new Error(`unsupported tracking URI scheme '${scheme}:' (an MLflow server http(s)://host:port or a file store path are supported)`);
  }
  const root = /^file:/i.test(u) ? fileURLToPath(u) : u;
  return snapshotFromFileStore(root, outDir);
}

/** Escapes any value (a server may answer a string where a number is expected). */
const esc = (v: unknown) => escapeHtml(String(v ?? ''));
/** UTC time of a millisecond timestamp; '' when absent or not a valid time (a server may send anything). */
function time(ms: number | null): string {
  const d = new Date(ms ?? NaN);
  return ms && Number.isFinite(d.getTime()) ? d.toISOString().replace('T', ' ').slice(0, 19) : '';
}
const duration = (r: RunRecord) => (r.endTime ? `${((r.endTime - r.startTime) / 1000).toFixed(1)} s` : '');

function compared(r: PageRun): ComparedRun {
  return {
    runId: r.runId,
    runName: r.runName || r.runId.slice(0, 8),
    status: r.status,
    params: r.params,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, p]) => [k, p.value])),
  };
}

function runDetails(r: PageRun): string {
  const kv = (o: Record<string, string>) =>
    Object.keys(o)
      .sort()
      .map((k) => `<tr><td>${esc(k)}</td><td><code>${esc(o[k])}</code></td></tr>`)
      .join('');
  const metrics = Object.keys(r.metrics)
    .sort()
    .map((k) => `<tr><td>${esc(k)}</td><td class="num">${esc(r.metrics[k].value)}</td><td class="num">${esc(r.metrics[k].step)}</td></tr>`)
    .join('');
  const artifacts = r.artifacts
    .map((a) => `<li><a href="${esc(a.href)}">${esc(a.path)}</a> <span class="muted">${esc(a.size)} B</span></li>`)
    .join('');
  const name = esc(r.runName || r.runId);
  return `<details id="run-${esc(r.runId)}"><summary><b>${name}</b> <span class="status-${esc(r.status)}">${esc(r.status)}</span>
<span class="muted">${esc(r.runId)} · ${time(r.startTime)} UTC · ${esc(duration(r))}</span>${r.href ? ` · <a href="${esc(r.href)}">run</a>` : ''}</summary>
<h3>Artifacts (${r.artifacts.length})</h3><ul class="artifacts">${artifacts || '<li class="muted">none</li>'}</ul>
<div class="plots"><div><h3>Params</h3><table>${kv(r.params)}</table></div>
<div><h3>Metrics (latest)</h3><table><tr><th>key</th><th>value</th><th>step</th></tr>${metrics}</table></div>
<div><h3>Tags</h3><table>${kv(r.tags)}</table></div></div></details>`;
}

/** The whole page. */
export async function renderRunsPage(s: RunsSnapshot, generatedAt = new Date()): Promise<string> {
  const sections: string[] = [];
  const total = s.experiments.reduce((n, e) => n + e.runs.length, 0);
  sections.push(
    `<h1>tagsmith runs</h1><p class="muted">${s.experiments.length} experiment(s), ${total} run(s) from ${esc(s.kind === 'rest' ? 'MLflow server' : 'MLflow file store')} <code>${esc(s.source)}</code>; generated ${time(generatedAt.getTime())} UTC. Click a column header to sort.</p>`,
  );
  if (s.experiments.length > 1) {
    sections.push(
      `<ul>${s.experiments.map((e) => `<li><a href="#exp-${esc(e.experimentId)}">${esc(e.name)}</a> (${e.runs.length} runs)</li>`).join('')}</ul>`,
    );
  }
  for (const e of s.experiments) {
    const runs = e.runs.map(compared);
    sections.push(
      `<h2 id="exp-${esc(e.experimentId)}">${esc(e.name)} <span class="muted">experiment ${esc(e.experimentId)}${e.href ? ` · <a href="${esc(e.href)}">${s.kind === 'rest' ? 'in MLflow' : 'directory'}</a>` : ''}</span></h2>`,
    );
    if (runs.length === 0) {
      sections.push('<p class="muted">no runs</p>');
      continue;
    }
    sections.push(`<div class="scroll">${comparisonTable(runs, (r) => `#run-${r.runId}`)}</div>`);
    const charts = await comparisonCharts(runs.filter((r) => r.status !== 'FAILED'));
    const hasData = runs.some((r) => r.metrics.test_micro_f1 !== undefined);
    if (hasData) sections.push(`<div class="plots">${Object.values(charts).map((c) => `<figure>${inlineSvg(c.svg)}</figure>`).join('')}</div>`);
    sections.push(`<h3>Runs</h3>${e.runs.map(runDetails).join('\n')}`);
  }
  if (s.warnings.length) sections.push(`<h2>Warnings</h2><ul>${s.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  return htmlPage('tagsmith runs', sections.join('\n'));
}

/** Reads the store and writes `<outDir>/index.html` atomically; returns the page path and counts. */
export async function writeRunsPage(uri: string | undefined, outDir: string): Promise<{ file: string; experiments: number; runs: number; source: string }> {
  const s = await readRuns(uri, outDir);
  const html = await renderRunsPage(s);
  const file = join(outDir, 'index.html');
  writeFileAtomic(file, html);
  return { file, experiments: s.experiments.length, runs: s.experiments.reduce((n, e) => n + e.runs.length, 0), source: s.source };
}
