/**
 * README / docs screenshots of the drift reports made by `npm run drift:examples`:
 *   docs/img/drift-overview.png  the overview of the 2010 titles run (reports/drift/titles-2010/index.html)
 *   docs/img/drift-month.png     one month of it (2010-12)
 *   docs/img/drift-eras.png      the overview of the 2009 vs 2010..2022 run (reports/drift/eras/index.html)
 * Offline: every http(s) request is blocked and makes the script fail. Each PNG must stay < 300 KB.
 *   npm run drift:screenshots   (or: npx tsx scripts/screenshots/drift.ts [reports/drift])
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = resolve(import.meta.dirname, '../..');
const reports = resolve(process.argv[2] ?? join(REPO, 'reports/drift'));
const outDir = join(REPO, 'docs/img');
const MAX_BYTES = 300 * 1024;

const shots = [
  { page: 'titles-2010/index.html', out: 'drift-overview.png', height: 1250 },
  { page: 'titles-2010/period-2010-12.html', out: 'drift-month.png', height: 1500 },
  { page: 'eras/index.html', out: 'drift-eras.png', height: 1250 },
];

async function main(): Promise<void> {
  for (const s of shots) {
    if (!existsSync(join(reports, s.page))) throw new Error(`${join(reports, s.page)} is missing: run \`npm run drift:examples\` first`);
  }
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    for (const s of shots) {
      const context = await browser.newContext({ viewport: { width: 1240, height: s.height }, deviceScaleFactor: 1 });
      const blocked: string[] = [];
      await context.route(/^https?:/, (route) => {
        blocked.push(route.request().url());
        return route.abort();
      });
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(reports, s.page)).href, { waitUntil: 'load' });
      if (blocked.length) throw new Error(`${s.page} tried to fetch ${blocked.join(', ')}`);
      const file = join(outDir, s.out);
      await page.screenshot({ path: file, fullPage: false });
      await context.close();
      const size = statSync(file).size;
      process.stdout.write(`${file}: ${(size / 1024).toFixed(0)} KB\n`);
      if (size > MAX_BYTES) throw new Error(`${file} is ${(size / 1024).toFixed(0)} KB, over the 300 KB budget; lower its height in scripts/screenshots/drift.ts`);
    }
  } finally {
    await browser.close();
  }
}

await main();
