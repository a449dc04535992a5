/**
 * docs/img screenshots of the model registry in MLflow's own UI (headless Chromium, playwright-core),
 * against a real `mlflow server` from .venv-mlflow started here and stopped after:
 *
 *   docs/img/registry-mlflow-model.png     the registered model "tagsmith": versions, the champion alias
 *   docs/img/registry-mlflow-version.png   the promoted version: source run, aliases, the gate's tags
 *
 * Two small TF-IDF models are trained and registered; the second is promoted through the gate.
 *
 *   npx tsx scripts/screenshots/registry.ts [--chromium /usr/bin/chromium]
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PACKAGE_ROOT, SHARED_DATA } from '../../src/node/paths';
import { trainTracked } from '../../src/pipeline/train-tracking';
import { promote } from '../../src/cli/commands/promote';
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

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { chromium: { type: 'string', default: '/usr/bin/chromium' } } });
  if (!existsSync(args.chromium!)) throw new Error(`no Chromium at ${args.chromium} (apt-get install chromium, or pass --chromium PATH)`);
  const tmp = mkdtempSync(join(tmpdir(), 'tagsmith-registry-shots-'));
  let browser: Browser | undefined;
  const server = await startMlflowServer();
  try {
    const versions: string[] = [];
    for (const [runName, limit] of [['tfidf-2000', 2000], ['tfidf-6000', 6000]] as const) {
      const { registered } = await trainTracked(
        {
          data: [join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz')],
          out: join(tmp, runName),
          vectorizer: 'tfidf',
          tags: 100,
          seed: 42,
          limit,
          cacheDir: join(PACKAGE_ROOT, '.cache/embeddings'),
          log: () => {},
        },
        { trackingUri: server.url, experiment: 'tagsmith-train', runName, register: 'tagsmith', killOnSignals: [] },
      );
      versions.push(registered!.version);
    }
    const gate = { name: 'tagsmith', alias: 'champion', data: [join(SHARED_DATA, 'stackoverflow-api-mixed-2008-2023.jsonl.gz')], cache: join(tmp, 'cache'), trackingUri: server.url };
    await promote({ ...gate, version: versions[0] });
    await promote({ ...gate, version: versions[1] });

    browser = await chromium.launch({
      executablePath: args.chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${server.url}/#/models/tagsmith`);
    await page.getByText('champion').first().waitFor({ timeout: 60_000 });
    // Best effort: close MLflow's assistant side panel (the UI keeps the choice for the next page).
    await page
      .locator('button[aria-label*="lose"]')
      .last()
      .click({ timeout: 3000 })
      .catch(() => process.stderr.write('(MLflow UI: no assistant close button; screenshot as is)\n'));
    await page.waitForTimeout(3000);
    await shot(page, join(OUT_DIR, 'registry-mlflow-model.png'), 700);

    await page.goto(`${server.url}/#/models/tagsmith/versions/${versions[1]}`);
    await page.getByText('tagsmith.promotion.champion').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    await shot(page, join(OUT_DIR, 'registry-mlflow-version.png'), 900);
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
