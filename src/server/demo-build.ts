/**
 * Builds the demo page's script (src/ui/demo.tsx, preact) into one minified browser file with
 * esbuild. The dev server does it once at start; `npm run bundle:server` does it at bundle time and
 * ships the result, so the bundle needs no esbuild.
 */
import { fileURLToPath } from 'node:url';

export const DEMO_ENTRY = fileURLToPath(new URL('../ui/demo.tsx', import.meta.url));

export async function buildDemoScript(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [DEMO_ENTRY],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}
