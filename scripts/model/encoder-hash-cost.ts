/**
 * What checking the encoder files' sha256 would add to the extension's cold start: in headless
 * Chromium, fetch the four encoder files (23 MB) from a local server and hash them with
 * crypto.subtle, as `checkEncoderFiles` would in the model worker. Fresh page per run (no memory
 * cache); median of the runs. Prints JSON.   npx tsx scripts/model/encoder-hash-cost.ts [runs]
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { ENCODER_FILES } from '../../src/core/model';
import { DEFAULT_ENCODER_ID } from '../../src/runtime/encoder';
import { CHROMIUM } from '../lib/extension';
import { DEFAULT_MODEL_DIR } from '../../src/node/paths';

const runs = Number(process.argv[2] ?? 5);
const folder = join(DEFAULT_MODEL_DIR, DEFAULT_ENCODER_ID);
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
  if (path === '') return res.end('<!doctype html><title>hash cost</title>');
  if (!(ENCODER_FILES as readonly string[]).includes(path)) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' }).end(readFileSync(join(folder, path)));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
const fetchMs: number[] = [];
const hashMs: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage();
    await page.goto(base);
    const r = await page.evaluate(async (files) => {
      const t0 = performance.now();
      const bufs = await Promise.all(files.map(async (f) => (await fetch(f, { cache: 'no-store' })).arrayBuffer()));
      const t1 = performance.now();
      for (const b of bufs) await crypto.subtle.digest('SHA-256', b);
      return { fetch: t1 - t0, hash: performance.now() - t1, bytes: bufs.reduce((s, b) => s + b.byteLength, 0) };
    }, [...ENCODER_FILES]);
    fetchMs.push(r.fetch);
    hashMs.push(r.hash);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(`${JSON.stringify({ runs, browser: CHROMIUM, fetchMs: median(fetchMs), sha256Ms: median(hashMs), all: { fetchMs, hashMs } })}\n`);
