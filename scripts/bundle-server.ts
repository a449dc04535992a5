/**
 * `npm run bundle:server`: builds the deployable API server, a directory that runs with
 * `node server.js` from inside it and needs nothing else (no npm install, no repository):
 *
 *   server.js        the HTTP server and every pure-JS dependency, bundled by esbuild (ESM)
 *   inference-worker.js  the model runner (worker thread: Suggester, transformers.js), bundled too
 *   public/demo.js   the demo page's script (preact), prebuilt
 *   static/          Swagger UI's assets (served at /docs, no CDN)
 *   vendor/          onnxruntime-node (native, cannot be bundled) with the binaries of ONE platform
 *   model/           the model: manifest, head, TF-IDF state, and the encoder when the model uses it
 *   package.json, Procfile
 *
 * The native runtime lives in vendor/, not node_modules/, so a platform that runs `npm install`
 * on the directory (Heroku does) finds no dependency to fetch and nothing to prune.
 *
 * It prints the size of each part and fails when the total exceeds the budget (see SIZE_BUDGET_MB),
 * then starts the bundle once (smoke test: /health and /predict/) unless --no-smoke.
 *
 *   tsx scripts/bundle-server.ts [--out dist/server] [--model models] [--target linux-x64]
 *                                [--budget-mb 100] [--no-smoke]
 *
 * --model (or TAGSMITH_MODEL) also takes a registry version: models:/tagsmith@champion, registry:champion.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { checkManifest, ENCODER_FILES, ENCODER_ONNX_FILE, MANIFEST_FILE, modelFiles } from '../src/core/model';
import { buildDemoScript } from '../src/server/demo-build';
import { modelSource } from './lib/model-source';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const NODE_MODULES = join(ROOT, 'node_modules');

/**
 * Size budget of the bundle, in MB (10^6 bytes). Heroku refuses slugs over 500 MB, and a slug also
 * holds the Node runtime (~100 MB unpacked). Measured: ~46 MB onnxruntime 1.30 for one platform (1.14 was ~16 MB), ~23 MB
 * encoder, a few MB of head, TF-IDF state and JS, i.e. ~50 MB for the shipped hybrid model. 100 MB
 * leaves room for a model twice as large (a bigger tag vocabulary, a second encoder) while staying
 * at a fifth of the platform limit; anything beyond it means something unintended got in (another
 * platform's binaries, onnxruntime-web, sharp, source maps) and must fail the build.
 */
export const SIZE_BUDGET_MB = 100;

/** Platforms the pinned onnxruntime-node ships binaries for, as `${platform}-${arch}` (no Intel macOS since 1.2x). */
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
/** Where onnxruntime-node keeps its native binaries (N-API version folder). */
const ORT_BIN = 'bin/napi-v6';

const ENTRIES = {
  server: join(ROOT, 'src/server/main.ts'),
  // The model runs in a worker thread (src/server/inference.ts looks for this file beside server.js).
  'inference-worker': join(ROOT, 'src/server/inference-worker.ts'),
};
const VENDOR_ORT = './vendor/onnxruntime-node/dist/index.js';

/** ESM output still hosts CommonJS packages (fastify & co.): give them require, __filename and __dirname. */
const BANNER = [
  "import { createRequire as __tsmCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tsmFileURLToPath } from 'node:url';",
  "import { dirname as __tsmDirname } from 'node:path';",
  'const require = __tsmCreateRequire(import.meta.url);',
  'const __tsm_filename = __tsmFileURLToPath(import.meta.url);',
  'const __tsm_dirname = __tsmDirname(__tsm_filename);',
].join('\n');

/**
 * Module substitutions. transformers.js imports sharp (images) and onnxruntime-web (browsers) at
 * top level though the server uses neither: sharp becomes a function that throws if ever called
 * (transformers.js only checks that it exists), onnxruntime-web an empty module. onnxruntime-node
 * stays external, loaded from vendor/. esbuild is only used by the dev server's demo build.
 */
const substitutions: Plugin = {
  name: 'tagsmith-server-substitutions',
  setup(b) {
    b.onResolve({ filter: /^(sharp|onnxruntime-web)$/ }, (args) => ({ path: args.path, namespace: 'tagsmith-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'tagsmith-stub' }, (args) => ({
      loader: 'js',
      contents:
        args.path === 'sharp'
          ? "export default function sharp() { throw new Error('image decoding is not part of the tagsmith server bundle'); }"
          : 'export default {};',
    }));
    b.onResolve({ filter: /^onnxruntime-node$/ }, () => ({ path: VENDOR_ORT, external: true }));
    b.onResolve({ filter: /^esbuild$/ }, () => ({ path: 'esbuild', external: true }));
  },
};

export interface BundleOptions {
  out: string;
  model: string;
  target: string;
  budgetMb: number;
  smoke: boolean;
  log?: (line: string) => void;
}

export interface BundleReport {
  out: string;
  bytes: number;
  parts: Record<string, number>;
  budgetBytes: number;
  model: { version: string; vectorizer: string };
}

function dirBytes(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + dirBytes(join(path, name)), 0);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** sha256 lines of a SHA256SUMS file, by relative path. */
function readSums(file: string): Map<string, string> {
  const sums = new Map<string, string>();
  if (!existsSync(file)) return sums;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m) sums.set(m[2], m[1]);
  }
  return sums;
}

/** Copies onnxruntime-node (JS + one platform's binaries) and onnxruntime-common into vendor/. */
function vendorOnnxRuntime(out: string, target: string): void {
  const [platform, arch] = target.split('-');
  const src = join(NODE_MODULES, 'onnxruntime-node');
  const bin = join(src, ORT_BIN, platform, arch);
  if (!existsSync(bin)) throw new Error(`onnxruntime-node has no binaries for ${target} (looked in ${bin})`);
  const dst = join(out, 'vendor/onnxruntime-node');
  const noMaps = (p: string) => !p.endsWith('.map');
  cpSync(join(src, 'package.json'), join(dst, 'package.json'));
  cpSync(join(src, 'dist'), join(dst, 'dist'), { recursive: true, filter: noMaps });
  cpSync(bin, join(dst, ORT_BIN, platform, arch), { recursive: true });
  const common = join(NODE_MODULES, 'onnxruntime-common');
  const commonDst = join(dst, 'node_modules/onnxruntime-common');
  cpSync(join(common, 'package.json'), join(commonDst, 'package.json'));
  cpSync(join(common, 'dist'), join(commonDst, 'dist'), {
    recursive: true,
    filter: (p) => noMaps(p) && !/\.(es5|es6)?\.?min\.js$/.test(p),
  });
}

/** Copies the model files (checked against the manifest / SHA256SUMS) and writes model/SHA256SUMS. */
function copyModel(modelDir: string, out: string): { version: string; vectorizer: string } {
  const manifestPath = join(modelDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} not found: pass --model DIR of a model exported by \`tagsmith train\``);
  const manifest = checkManifest(JSON.parse(readFileSync(manifestPath, 'utf8')), manifestPath);
  const dst = join(out, 'model');
  const files = [MANIFEST_FILE, ...modelFiles(manifest).map((f) => f.file)];
  const expected: Record<string, string | undefined> = Object.fromEntries(modelFiles(manifest).map((f) => [f.file, f.sha256]));
  for (const f of files) {
    const sum = expected[f];
    if (sum && sha256File(join(modelDir, f)) !== sum) throw new Error(`${join(modelDir, f)} does not match the sha256 in its manifest; export the model again`);
    cpSync(join(modelDir, f), join(dst, f));
  }
  if (manifest.vectorizer !== 'tfidf') {
    const id = manifest.encoder!.id;
    // Same lookup as the server (pipeline/encoder-node): the model's own folder, else the shipped models/.
    const home = [modelDir, join(ROOT, 'models')].find((d) => existsSync(join(d, id, ENCODER_ONNX_FILE)));
    if (!home) throw new Error(`encoder ${id} not found beside ${modelDir} nor in models/; restore models/ from git`);
    const sums = readSums(join(home, 'SHA256SUMS'));
    for (const f of ENCODER_FILES) {
      const rel = `${id}/${f}`;
      const want = sums.get(rel);
      if (want && sha256File(join(home, rel)) !== want) throw new Error(`${join(home, rel)} does not match ${join(home, 'SHA256SUMS')}; restore it from git`);
      cpSync(join(home, rel), join(dst, rel));
    }
  }
  const listing: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else listing.push(`${sha256File(p)}  ${relative(dst, p)}`);
    }
  };
  walk(dst);
  writeFileSync(join(dst, 'SHA256SUMS'), `${listing.join('\n')}\n`);
  return { version: manifest.version, vectorizer: manifest.vectorizer };
}

/** Starts `node server.js` in the bundle, checks /health and /predict/, stops it with SIGTERM. */
export async function smokeTest(out: string, log: (line: string) => void): Promise<void> {
  const child = spawn(process.execPath, ['server.js', '--port', '0', '--host', '127.0.0.1'], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bundle did not start within 60 s:\n${output}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        output += d;
        const m = /Server listening at (http:\/\/[\d.]+:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`the bundle exited with ${code} before listening:\n${output}`)));
    });
    const health = await fetch(`${url}/health`);
    if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
    const res = await fetch(`${url}/predict/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'How do I read a JSON file in Python?', body: 'I tried `json.load(f)`', k: 3 }),
    });
    const body = (await res.json()) as { tags?: { name: string }[] };
    if (res.status !== 200 || body.tags?.length !== 3) throw new Error(`/predict/ answered ${res.status} ${JSON.stringify(body)}`);
    log(`smoke test: ${url} /health 200, /predict/ -> ${body.tags.map((t) => t.name).join(', ')}`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function bundleServer(opts: BundleOptions): Promise<BundleReport> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!TARGETS.includes(opts.target)) throw new Error(`--target must be one of ${TARGETS.join(', ')} (got ${opts.target})`);
  const modelManifest = join(resolve(opts.model), MANIFEST_FILE);
  if (!existsSync(modelManifest)) throw new Error(`${modelManifest} not found: pass --model DIR of a model exported by \`tagsmith train\``);
  const out = resolve(opts.out);
  const t0 = Date.now();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  await build({
    entryPoints: ENTRIES,
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    banner: { js: BANNER },
    define: { __dirname: '__tsm_dirname', __filename: '__tsm_filename' },
    plugins: [substitutions],
    logLevel: 'warning',
  });
  mkdirSync(join(out, 'public'));
  writeFileSync(join(out, 'public/demo.js'), await buildDemoScript());
  cpSync(join(NODE_MODULES, '@fastify/swagger-ui/static'), join(out, 'static'), { recursive: true });
  vendorOnnxRuntime(out, opts.target);
  const model = copyModel(resolve(opts.model), out);

  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines?: Record<string, string> };
  writeFileSync(
    join(out, 'package.json'),
    `${JSON.stringify(
      {
        name: 'tagsmith-server',
        version: pkg.version,
        private: true,
        description: `tagsmith API bundle (model ${model.version}, ${opts.target}); built by npm run bundle:server`,
        type: 'module',
        main: 'server.js',
        scripts: { start: 'node server.js' },
        engines: { node: pkg.engines?.node ?? '>=20' },
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(out, 'Procfile'), 'web: node server.js\n');

  const parts: Record<string, number> = {};
  for (const name of readdirSync(out)) parts[name] = dirBytes(join(out, name));
  const bytes = Object.values(parts).reduce((a, b) => a + b, 0);
  const budgetBytes = opts.budgetMb * 1e6;
  log(`bundle ${out} (model ${model.version}, ${model.vectorizer}; ${opts.target}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const [name, size] of Object.entries(parts).sort((a, b) => b[1] - a[1])) log(`  ${name.padEnd(20)} ${mb(size).padStart(9)}`);
  log(`  ${'total'.padEnd(20)} ${mb(bytes).padStart(9)}  (budget ${opts.budgetMb} MB)`);
  if (bytes > budgetBytes) {
    throw new Error(`the bundle is ${mb(bytes)}, over its ${opts.budgetMb} MB budget; see the parts above for what grew`);
  }
  if (opts.smoke) {
    if (opts.target !== `${process.platform}-${process.arch}`) log(`smoke test skipped: the bundle targets ${opts.target}, this machine is ${process.platform}-${process.arch}`);
    else await smokeTest(out, log);
  }
  return { out, bytes, parts, budgetBytes, model };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(ROOT, 'dist/server') },
      model: { type: 'string', default: process.env.TAGSMITH_MODEL || join(ROOT, 'models') },
      target: { type: 'string', default: 'linux-x64' },
      'budget-mb': { type: 'string', default: String(SIZE_BUDGET_MB) },
      'no-smoke': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const budgetMb = Number(values['budget-mb']);
  if (!Number.isFinite(budgetMb) || budgetMb <= 0) throw new Error(`--budget-mb must be a number above 0 (got ${values['budget-mb']})`);
  const model = await modelSource(values.model!);
  process.stderr.write(`model: ${model.label}\n`);
  let report: Awaited<ReturnType<typeof bundleServer>>;
  try {
    report = await bundleServer({ out: values.out!, model: model.dir, target: values.target!, budgetMb, smoke: !values['no-smoke'] });
  } finally {
    model.cleanup();
  }
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bundle-server: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
