/**
 * `npm run build`: builds the extension for Chrome MV3 and Firefox MV3 (`.output/chrome-mv3/`,
 * `.output/firefox-mv3/`), zips both (`wxt zip`), prints their sizes and the largest files, and
 * fails when a zip exceeds its budget. Results also go to bench/results/extension-size.json.
 *
 * TAGSMITH_MODEL=models:/tagsmith@champion (or registry:champion, or a directory) ships that model's
 * head instead of models/'s: it is pulled (sha256-checked) and handed to wxt.config.ts as
 * TAGSMITH_MODEL_DIR; the encoder still comes from models/.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/fs-atomic';
import { modelSource } from './lib/model-source';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, '.output');
const WXT = join(ROOT, 'node_modules', 'wxt', 'bin', 'wxt.mjs');
/**
 * Budget per zip. The model is most of it: encoder 23 MB (int8 ONNX), head 4 MB, onnxruntime's
 * SIMD wasm 10 MB, which zip to ~25 MB. 40 MB leaves room for a larger head, and fails loudly when
 * a second copy of the encoder or the unused WASM builds slip in. (Chrome Web Store takes up to
 * 2 GB; AMO up to 200 MB.)
 */
const ZIP_BUDGET_BYTES = 32 * 1024 * 1024; // Model v2 (issue 11): each zip <= 32 MB

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;

const model = process.env.TAGSMITH_MODEL ? await modelSource(process.env.TAGSMITH_MODEL) : undefined;
if (model) console.log(`model: ${model.label}`);
const env = model ? { ...process.env, TAGSMITH_MODEL_DIR: model.dir } : process.env;
const results: Record<string, unknown>[] = [];
let over = false;
for (const browser of ['chrome', 'firefox'] as const) {
  try {
    execFileSync(process.execPath, [WXT, 'zip', '-b', browser], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    model?.cleanup();
    throw err;
  }
  const dir = join(OUT, `${browser}-mv3`);
  const files = walk(dir).map((f) => ({ file: relative(dir, f), bytes: statSync(f).size }));
  const total = files.reduce((s, f) => s + f.bytes, 0);
  const zip = readdirSync(OUT).find((n) => n.endsWith(`-${browser}.zip`));
  if (!zip || !existsSync(join(OUT, zip))) throw new Error(`wxt zip -b ${browser} left no .output/*-${browser}.zip`);
  const zipBytes = statSync(join(OUT, zip)).size;
  const largest = files.sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  console.log(`${browser}: .output/${browser}-mv3/ ${mb(total)} in ${files.length} files; .output/${zip} ${mb(zipBytes)} (budget ${mb(ZIP_BUDGET_BYTES)})`);
  for (const f of largest) console.log(`  ${mb(f.bytes).padStart(10)}  ${f.file}`);
  if (zipBytes > ZIP_BUDGET_BYTES) {
    console.error(`${browser}: the zip is ${mb(zipBytes)}, over its ${mb(ZIP_BUDGET_BYTES)} budget: see the largest files above`);
    over = true;
  }
  results.push({ browser, dir: `.output/${browser}-mv3`, files: files.length, bytes: total, zip: `.output/${zip}`, zipBytes, budgetBytes: ZIP_BUDGET_BYTES, largest });
}
model?.cleanup();
writeFileAtomic(join(ROOT, 'bench', 'results', 'extension-size.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2)}\n`);
if (over) process.exitCode = 1;
