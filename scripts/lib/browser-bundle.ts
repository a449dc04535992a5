/**
 * One TypeScript entry bundled into a single classic script for a test or demo page (esbuild,
 * IIFE, Chromium 120+ and Firefox ESR syntax), returned as text: nothing written to disk.
 * Shared by the page-adapter tests (tests/helpers/page-adapters.ts) and the demo's real-editor
 * page (scripts/demo/ask-page.ts), so both pages get their scripts built the same way.
 */
import { build } from 'esbuild';

export async function bundleForPage(entry: string, opts: { globalName?: string; minify?: boolean } = {}): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
    ...(opts.globalName ? { globalName: opts.globalName } : {}),
    minify: opts.minify ?? false,
  });
  return out.outputFiles[0].text;
}
