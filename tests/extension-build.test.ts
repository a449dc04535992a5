/**
 * The built extension (both browsers): least permissions, the CSP, only the ask page matched, the
 * model and WASM inside the bundle, no CDN URL literal anywhere, and `web-ext lint` clean.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../scripts/lib/extension';
import { REPO } from './helpers/paths';

const dirs: Record<'chrome' | 'firefox', string> = { chrome: '', firefox: '' };
beforeAll(async () => {
  dirs.chrome = await ensureBuilt('chrome');
  dirs.firefox = await ensureBuilt('firefox');
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const manifest = (b: 'chrome' | 'firefox') => JSON.parse(readFileSync(join(dirs[b], 'manifest.json'), 'utf8'));

/** Literal CDN / model-hub references the stores treat as remote code. */
export const CDN_LITERAL = /cdn\.jsdelivr\.net|unpkg\.com|huggingface\.co|\bhf\.co\b|cdnjs\.cloudflare\.com/;

describe('the built extension', () => {
  it('asks for the least: storage (+ offscreen on Chrome), no host permissions, content script on the ask page only', () => {
    for (const b of ['chrome', 'firefox'] as const) {
      const m = manifest(b);
      expect(m.manifest_version).toBe(3);
      expect(m.permissions).toEqual(b === 'chrome' ? ['storage', 'offscreen'] : ['storage']);
      expect(m.host_permissions).toBeUndefined();
      expect(m.optional_permissions).toBeUndefined();
      expect(m.web_accessible_resources).toBeUndefined();
      expect(m.content_scripts).toEqual([{ matches: ['https://stackoverflow.com/questions/ask*'], run_at: 'document_idle', js: ['content-scripts/content.js'] }]);
      expect(m.content_security_policy.extension_pages).toBe("script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    }
    // Chrome: cross-origin isolated extension pages (SharedArrayBuffer, two WASM threads); Firefox ignores the keys
    expect(manifest('chrome').cross_origin_embedder_policy).toEqual({ value: 'require-corp' });
    expect(manifest('chrome').cross_origin_opener_policy).toEqual({ value: 'same-origin' });
    expect(manifest('firefox').cross_origin_embedder_policy).toBeUndefined();
    expect(manifest('chrome').background).toEqual({ service_worker: 'background.js' });
    expect(manifest('firefox').background).toEqual({ scripts: ['background.js'] }); // an event page: it can own the Worker
    expect(manifest('firefox').browser_specific_settings.gecko.id).toMatch(/@/);
  });

  it('bundles the model, the encoder and the WASM runtime, and the offscreen page only for Chrome', () => {
    for (const b of ['chrome', 'firefox'] as const) {
      const files = walk(dirs[b]).map((f) => relative(dirs[b], f));
      for (const f of ['models/tagsmith.json', 'models/head.bin', 'models/tfidf.json', 'models/rerank.bin', 'models/all-MiniLM-L6-v2/onnx/model_quantized.onnx', 'models/all-MiniLM-L6-v2/tokenizer.json', 'ort/ort-wasm-simd-threaded.wasm', 'ort/ort-wasm-simd-threaded.mjs', 'model-worker.js', 'popup.html', 'options.html']) {
        expect(files, `${b}: ${f}`).toContain(f);
      }
      expect(files.includes('offscreen.html')).toBe(b === 'chrome');
      // only the plain WASM build of onnxruntime-web (no WebGPU/JSEP, JSPI or asyncify builds)
      expect(files.filter((f) => f.startsWith('ort/')).sort()).toEqual(['ort/ort-wasm-simd-threaded.mjs', 'ort/ort-wasm-simd-threaded.wasm']);
      // one onnxruntime, the pinned one, in each worker that runs it (transformers.js' own 1.14
      // import gets a stub: wxt.config.ts)
      const pinned = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['onnxruntime-web'];
      // (a runtime's version shows as its licence banner, "ONNX Runtime Web v1.14.0", or as its `version` literal, `1.30.0`)
      const runtimes = (file: string) => {
        const code = readFileSync(join(dirs[b], file), 'utf8');
        return [...new Set([...code.matchAll(/ONNX Runtime Web v(\d+\.\d+\.\d+)|`(1\.\d\d\.\d+)`/g)].map((m) => m[1] ?? m[2]))];
      };
      // Chrome runs it in the encoder's worker only (its model worker answers while the encoder
      // loads: no runtime to parse there), Firefox in the model worker (src/extension/model/worker.ts)
      expect(runtimes('model-worker.js'), `${b}: onnxruntime versions in model-worker.js`).toEqual(b === 'chrome' ? [] : [pinned]);
      if (b === 'chrome') expect(runtimes('ort-worker.js'), `${b}: onnxruntime versions in ort-worker.js`).toEqual([pinned]);
      expect(files.includes('ort-worker.js'), `${b}: ort-worker.js`).toBe(b === 'chrome');
      // Buffer.equals: a deep toEqual walks the 5.5 MB element by element (over a minute on a busy machine)
      expect(readFileSync(join(dirs[b], 'models/head.bin')).equals(readFileSync(join(REPO, 'models/head.bin'))), `${b}: models/head.bin differs from models/`).toBe(true);
    }
  });

  // Code only: the model's TF-IDF vocabulary (models/tfidf.json) legitimately holds words such as
  // "cdnjs.cloudflare.com" that askers type; data is not remote code.
  it('contains no CDN or model-hub URL literal in any code file (stores reject remote code by string match)', () => {
    let scanned = 0;
    for (const b of ['chrome', 'firefox'] as const) {
      for (const f of walk(dirs[b]).filter((p) => /\.(js|mjs|html|css)$/.test(p) || p.endsWith('manifest.json'))) {
        const text = readFileSync(f, 'utf8');
        scanned += 1;
        const hit = CDN_LITERAL.exec(text);
        expect(hit, `${relative(REPO, f)}: "${hit ? text.slice(Math.max(0, hit.index - 60), hit.index + 60) : ''}"`).toBeNull();
      }
    }
    expect(scanned).toBeGreaterThan(10);
    // The scan itself must be able to fail: the untouched library still holds such literals.
    expect(CDN_LITERAL.test(readFileSync(join(REPO, 'node_modules/@xenova/transformers/dist/transformers.js'), 'utf8'))).toBe(true);
  });

  it('passes web-ext lint for Firefox with no errors', () => {
    let out: string;
    try {
      out = execFileSync(process.execPath, [join(REPO, 'node_modules/web-ext/bin/web-ext.js'), 'lint', '--source-dir', dirs.firefox, '--output', 'json', '--no-input'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    }
    const report = JSON.parse(out) as { errors: { code: string; message: string; file?: string }[]; summary: { errors: number } };
    expect(report.errors.map((e) => `${e.code} ${e.message} ${e.file ?? ''}`)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });
});
