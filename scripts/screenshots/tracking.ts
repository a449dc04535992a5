/**
 * README/docs screenshots of experiment tracking, taken with headless Chromium (playwright-core):
 *
 *   docs/img/tracking-runs-page.png     the `tagsmith runs` page over a file store (default ./mlruns,
 *                                        filled by `npm run experiment`)
 *   docs/img/tracking-mlflow-run.png    a tracked `tagsmith train` run in MLflow's own UI: a real
 *                                        `mlflow server` from .venv-mlflow, started here and stopped after
 *   docs/img/tracking-mlflow-plot.png   the same run's F1-micro plot in MLflow's artifact viewer
 *
 *   npx tsx scripts/screenshots/tracking.ts [--store ./mlruns] [--chromium /usr/bin/chromium]
 *
 * Each image is kept under 300 KB (the viewport is cropped, not the page scaled).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_TRAINING_DATA, PACKAGE_ROOT } from '../../src/node/paths';
import { writeRunsPage } from '../../src/tracking/runs-page';
import { trainTracked } from '../../src/pipeline/train-tracking';
import { startMlflowServer } from '../lib/mlflow-server';

const MAX_BYTES = 300 * 1024;
const OUT_DIR = join(PACKAGE_ROOT, 'docs/img');

async function shot(page: Page, file: string, height: number): Promise<void> {
  await page.setViewportSize({ width: 1400, height });
  await page.screenshot({ path: file, fullPage: false });
  const size = statSync(file).size;
  if (size > MAX_BYTES) throw new Error(`${file} is ${size} bytes, above the ${MAX_BYTES}-byte budget; crop it smaller`);
  process.stderr.write(`wrote ${file} (${(size / 1024).toFixed(0)} KB)\n`);
}

/** Best effort: the classic "Model training" view, without the assistant side panel (UI details vary by version). */
async function tidyMlflowUi(page: Page): Promise<void> {
  const tryClick = async (what: string, click: () => Promise<void>) => {
    try {
      await click();
      await page.waitForTimeout(500);
    } catch {
      process.stderr.write(`(MLflow UI: no ${what} to click; screenshot as is)\n`);
    }
  };
  await tryClick('"Model training" toggle', () => page.getByText('Model training', { exact: true }).first().click({ timeout: 3000 }));
  await tryClick('assistant close button', () =>
    page.locator('button[aria-label*="lose"]').last().click({ timeout: 3000 }),
  );
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      store: { type: 'string', default: join(PACKAGE_ROOT, 'mlruns') },
      chromium: { type: 'string', default: '/usr/bin/chromium' },
    },
  });
  const store = resolve(args.store);
  if (!existsSync(store)) throw new Error(`no file store at ${store}: run \`npm run experiment\` first (or pass --store DIR)`);
  if (!existsSync(args.chromium)) throw new Error(`no Chromium at ${args.chromium} (apt-get install chromium, or pass --chromium PATH)`);
  const tmp = mkdtempSync(join(tmpdir(), 'tagsmith-shots-'));
  let browser: Browser | undefined;
  const server = await startMlflowServer();
  try {
    browser = await chromium.launch({
      executablePath: args.chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });

    // 1. the tagsmith runs page over the file store
    const pageDir = join(tmp, 'runs-report');
    const written = await writeRunsPage(store, pageDir);
    await page.goto(pathToFileURL(written.file).href);
    await page.locator('th', { hasText: 'micro-F1' }).first().click(); // show the sorting
    await page.locator('th', { hasText: 'micro-F1' }).first().click();
    await shot(page, join(OUT_DIR, 'tracking-runs-page.png'), 960);

    // 2. a tracked training run in MLflow's UI
    process.stderr.write(`MLflow server at ${server.url}; training a small TF-IDF model into it\n`);
    const { run } = await trainTracked(
      {
        data: DEFAULT_TRAINING_DATA,
        out: join(tmp, 'model'),
        vectorizer: 'tfidf',
        tags: 100,
        seed: 42,
        limit: 6000,
        cacheDir: join(PACKAGE_ROOT, '.cache/embeddings'),
        log: () => {},
      },
      { trackingUri: server.url, experiment: 'tagsmith-train', runName: 'tfidf-6000' },
    );
    const runUrl = `${server.url}/#/experiments/${run.experimentId}/runs/${run.runId}`;
    await page.goto(runUrl);
    await page.getByText('tfidf-6000').first().waitFor({ timeout: 60_000 });
    await tidyMlflowUi(page); // the toggle navigates to the run list: come back (the UI keeps the choice)
    await page.goto(runUrl);
    await page.reload();
    await page.getByText('tfidf-6000').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(4000);
    await shot(page, join(OUT_DIR, 'tracking-mlflow-run.png'), 1000);

    await page.goto(`${server.url}/#/experiments/${run.experimentId}/runs/${run.runId}/artifacts/plots/f1_micro.png`);
    await page.getByText('f1_micro.png').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(4000);
    await shot(page, join(OUT_DIR, 'tracking-mlflow-plot.png'), 800);
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
