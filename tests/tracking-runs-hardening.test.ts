/**
 * `tagsmith runs` against hostile stores (issue #12 item 2): run ids, names, statuses, metric steps,
 * params, tags and artifact names that carry HTML, from a crafted MLflow file store and from a fake
 * MLflow server, are rendered, then the page is opened in headless Chromium: nothing may execute
 * (no dialog, no injected element) and every hostile value must be shown as text.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRunsPage, snapshotFromFileStore, snapshotFromServer, type RunsSnapshot } from '../src/tracking/runs-page';
import { freePort } from '../scripts/lib/mlflow-server';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
/** Breaks out of a quoted attribute too; `onerror` fires because `x` does not load. */
const XSS = `"'><img src=x onerror=alert(8)>`;

/** An MLflow file store whose experiment, run folder, run name, param, tag, metric and artifact carry HTML. */
function hostileFileStore(root: string): void {
  const exp = join(root, '1');
  mkdirSync(exp, { recursive: true });
  writeFileSync(join(exp, 'meta.yaml'), `experiment_id: '1'\nname: ${JSON.stringify(`exp ${XSS}`)}\nartifact_location: ''\nlifecycle_stage: active\n`);
  const runId = `run${XSS}`; // a folder name may hold any character but '/'
  const run = join(exp, runId);
  for (const d of ['params', 'tags', 'metrics', 'artifacts']) mkdirSync(join(run, d), { recursive: true });
  writeFileSync(
    join(run, 'meta.yaml'),
    `run_id: ${JSON.stringify(runId)}\nexperiment_id: '1'\nrun_name: ${JSON.stringify(`name ${XSS}`)}\nstatus: 3\nstart_time: 1700000000000\nend_time: 1700000001000\nlifecycle_stage: active\nartifact_uri: ''\n`,
  );
  writeFileSync(join(run, 'params', 'vectorizer'), `param ${XSS}`);
  writeFileSync(join(run, 'tags', 'note'), `tag ${XSS}`);
  writeFileSync(join(run, 'metrics', 'test_micro_f1'), '1700000000000 0.5 3\n');
  writeFileSync(join(run, 'artifacts', `file${XSS}.txt`), 'x');
}

/** Answers the three calls `tagsmith runs` makes with hostile values where numbers or enums are expected. */
function fakeMlflow(): Server {
  return createServer((req, res) => {
    const url = req.url ?? '';
    let body: unknown = {};
    if (url.includes('/experiments/search')) body = { experiments: [{ experiment_id: `7${XSS}`, name: `exp ${XSS}`, lifecycle_stage: 'active' }] };
    else if (url.includes('/runs/search')) {
      body = {
        runs: [
          {
            info: { run_id: `run${XSS}`, experiment_id: `7${XSS}`, run_name: `name ${XSS}`, status: `FINISHED${XSS}`, start_time: `x${XSS}`, end_time: 5, artifact_uri: '', lifecycle_stage: 'active' },
            data: {
              metrics: [{ key: 'test_micro_f1', value: 0.5, timestamp: 1, step: `3${XSS}` }],
              params: [{ key: 'vectorizer', value: `param ${XSS}` }],
              tags: [{ key: 'note', value: `tag ${XSS}` }],
            },
          },
        ],
      };
    } else if (url.includes('/artifacts/list')) body = { files: [{ path: `file${XSS}.txt`, is_dir: false, file_size: `1${XSS}` }] };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
}

describe('tagsmith runs: hostile values from both backends never execute', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-runs-xss-'));
  let browser: Browser;
  let server: Server;
  let serverUrl = '';

  beforeAll(async () => {
    hostileFileStore(join(dir, 'mlruns'));
    server = fakeMlflow();
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    serverUrl = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  const cases: [string, () => Promise<RunsSnapshot>][] = [
    ['file store', async () => snapshotFromFileStore(join(dir, 'mlruns'), dir)],
    ['REST server', () => snapshotFromServer(serverUrl)],
  ];
  for (const [name, snapshot] of cases) {
    it(`${name}: no dialog, no injected element, hostile values shown as text`, async () => {
      const s = await snapshot();
      expect(s.experiments[0].runs).toHaveLength(1); // the hostile run was read, not dropped
      const file = join(dir, `${name.replace(' ', '-')}.html`);
      writeFileSync(file, await renderRunsPage(s));

      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForTimeout(300); // lets a failed <img> fire its onerror
      const imgs = await page.$$eval('img', (els) => els.length);
      const text = await page.evaluate(() => document.body.textContent ?? '');
      await page.close();

      expect(dialogs).toEqual([]);
      expect(imgs).toBe(0);
      for (const shown of [`run${XSS}`, `param ${XSS}`, `tag ${XSS}`, `exp ${XSS}`]) expect(text).toContain(shown);
      if (name === 'REST server') for (const shown of [`FINISHED${XSS}`, `3${XSS}`, `file${XSS}.txt`]) expect(text).toContain(shown);
    }, 30_000);
  }
});
