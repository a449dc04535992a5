/**
 * The extension build (WXT, Chrome MV3 and Firefox MV3). Layout: entrypoints/ (thin), src/extension
 * (logic), public/ (static files); the model (models/) and onnxruntime-web's WASM are copied into
 * the build here, so the extension loads everything from its own files and never from a network.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import type { Plugin } from 'vite';

const ROOT = dirname(fileURLToPath(import.meta.url));
const MODELS = join(ROOT, 'models');
/** A model directory whose head files replace those at the top of models/ (scripts/build-extension.ts sets it from TAGSMITH_MODEL). */
const HEAD_DIR = process.env.TAGSMITH_MODEL_DIR;
const ORT_DIST = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
/**
 * onnxruntime-web (the version package.json pins; src/runtime/ort-web.ts) in its plain WASM build:
 * the Emscripten glue (.mjs, loaded with a dynamic import, and the script each WASM thread's
 * Worker starts from) and the SIMD + threads binary. Served from ort/ untouched by Vite, so the
 * glue's own URL stays the extension's. The WebGPU/JSEP, JSPI and asyncify builds are left out.
 */
const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
/**
 * The runtime's JS without the glue inlined (the `onnxruntime-web-use-extern-wasm` build): the
 * inlined one starts its thread Workers from its own bundle URL, which WXT's bundling rewrites.
 */
const ORT_WASM_JS = join(ORT_DIST, 'ort.wasm.min.mjs');
/** What transformers.js' own onnxruntime-web import gets in the bundles (see the alias below). */
const ORT_WEB_STUB = join(ROOT, 'src', 'runtime', 'ort-web-stub.ts');
/** Model files the extension needs (not READMEs or checksums). */
const MODEL_FILE = /(^|\/)(tagsmith\.json|head\.bin|tfidf\.json|rerank\.bin|config\.json|tokenizer\.json|tokenizer_config\.json|model_quantized\.onnx)$/;

/** Hosts whose URLs must not appear in the bundles (stores reject "remote code" by string match). */
export const REMOTE_URL_PATTERNS = [/https?:\/\/cdn\.jsdelivr\.net[^'"`\s]*/g, /https?:\/\/unpkg\.com[^'"`\s]*/g, /https?:\/\/huggingface\.co[^'"`\s]*/g];
/** Bare host names used as string literals (transformers.js checks URLs against them before adding auth headers). */
const REMOTE_HOST_LITERALS = /(['"`])(huggingface\.co|hf\.co|cdn\.jsdelivr\.net|unpkg\.com)\1/g;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * transformers.js 2.x carries default URLs (jsDelivr for the WASM files, the Hugging Face hub for
 * models). We never use them (wasmPaths and localModelPath point into the extension, remote models
 * are off), so they are replaced by an empty string at build time.
 */
function stripRemoteUrls(): Plugin {
  return {
    name: 'tagsmith:strip-remote-urls',
    enforce: 'pre',
    transform(code, id) {
      if (!/node_modules[\\/](@xenova|onnxruntime-web|onnxruntime-common)/.test(id)) return null;
      let out = code;
      for (const re of REMOTE_URL_PATTERNS) out = out.replace(re, '');
      out = out.replace(REMOTE_HOST_LITERALS, '$1remote.invalid$1');
      return out === code ? null : { code: out, map: null };
    },
  };
}

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  outDir: '.output',
  manifestVersion: 3, // Firefox too (WXT's default there is MV2)
  imports: false,
  manifest: ({ browser }) => ({
    name: 'tagsmith',
    description: 'Stack Overflow tag suggestions while you ask, computed in your browser: nothing leaves your machine.',
    permissions: browser === 'firefox' ? ['storage'] : ['storage', 'offscreen'],
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
    // Chrome: cross-origin isolated extension pages, so the offscreen document's Worker has
    // SharedArrayBuffer and the encoder runs two WASM threads. Firefox ignores these keys (one thread).
    ...(browser === 'firefox'
      ? {}
      : { cross_origin_embedder_policy: { value: 'require-corp' }, cross_origin_opener_policy: { value: 'same-origin' } }),
    action: { default_title: 'tagsmith: test the tag model' },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: 'tagsmith@tagsmith.dev', strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
          },
        }
      : {}),
  }),
  hooks: {
    'build:publicAssets': (_wxt, files) => {
      for (const abs of walk(MODELS)) {
        const rel = relative(MODELS, abs).split('\\').join('/');
        if (MODEL_FILE.test(rel) && !(HEAD_DIR && !rel.includes('/'))) files.push({ absoluteSrc: abs, relativeDest: `models/${rel}` });
      }
      for (const name of HEAD_DIR ? readdirSync(HEAD_DIR) : []) {
        if (MODEL_FILE.test(name)) files.push({ absoluteSrc: join(HEAD_DIR!, name), relativeDest: `models/${name}` });
      }
      for (const f of ORT_FILES) files.push({ absoluteSrc: join(ORT_DIST, f), relativeDest: `ort/${f}` });
    },
  },
  vite: () => ({
    plugins: [stripRemoteUrls()],
    // The encoder's worker imports 'onnxruntime-web/wasm': the pinned runtime. transformers.js (the
    // tokenizer only, in the model worker) imports 'onnxruntime-web' too, its own 1.14: it gets a
    // stub (src/runtime/ort-web-stub.ts), so no bundle carries a second runtime.
    resolve: {
      alias: [
        { find: /^onnxruntime-web\/wasm$/, replacement: ORT_WASM_JS },
        { find: /^onnxruntime-web$/, replacement: ORT_WEB_STUB },
      ],
    },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { chunkSizeWarningLimit: 2000 },
  }),
  zip: { artifactTemplate: '{{name}}-{{version}}-{{browser}}.zip' },
});
