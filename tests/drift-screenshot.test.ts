/**
 * The drift overview opens offline in headless Chromium with every chart drawn: a small real run
 * (titles 2010, two months, 60 questions each) is rendered, every http(s) request is blocked and
 * recorded, each chart's SVG must have a non-zero size and drawn data marks, and a screenshot is
 * taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { runDrift } from '../src/drift/run';
import { writeDriftReport } from '../src/drift/report/pages';
import { REPO, SHARED_DATA } from './helpers/paths';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

interface ChartInfo {
  width: number;
  height: number;
  marks: number;
}

describe('drift report in Chromium (offline)', () => {
  const out = mkdtempSync(join(tmpdir(), 'tagsmith-drift-shot-'));
  let browser: Browser;

  beforeAll(async () => {
    const report = await runDrift({
      data: [join(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv')],
      reference: '2010-01',
      months: '2010-02..2010-03',
      model: join(REPO, 'models'),
      sample: 60,
      cacheDir: join(REPO, '.cache/embeddings'),
    });
    await writeDriftReport(report, out);
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const file of ['index.html', 'period-2010-03.html']) {
    it(`${file}: every chart drawn, nothing fetched, screenshot taken`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const requested: string[] = [];
      await context.route(/^https?:/, (route) => {
        requested.push(route.request().url());
        return route.abort();
      });
      const page = await context.newPage();
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      await page.goto(pathToFileURL(join(out, file)).href, { waitUntil: 'load' });
      const charts: ChartInfo[] = await page.$$eval('figure.chart > svg', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = [...svg.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > text')].filter((m) => {
            const b = (m as SVGGraphicsElement).getBBox();
            return b.width > 0 || b.height > 0;
          }).length;
          return { width: box.width, height: box.height, marks };
        }),
      );
      expect(charts.length).toBe(file === 'index.html' ? 11 : 3); // index: no quality chart (60 questions: too few unseen)
      for (const [i, c] of charts.entries()) {
        expect(c.width, `chart ${i} width`).toBeGreaterThan(100);
        expect(c.height, `chart ${i} height`).toBeGreaterThan(100);
        expect(c.marks, `chart ${i} drawn marks`).toBeGreaterThan(0);
      }
      expect(requested).toEqual([]);
      expect(failed).toEqual([]);
      const shot = join(out, `${file}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      await context.close();
    }, 120_000);
  }

  it('the request blocker itself works (a page that fetches is caught)', async () => {
    const context = await browser.newContext();
    const requested: string[] = [];
    await context.route(/^https?:/, (route) => {
      requested.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    await page.setContent('<img src="https://example.com/x.png">', { waitUntil: 'load' });
    expect(requested).toEqual(['https://example.com/x.png']);
    await context.close();
  });
});
