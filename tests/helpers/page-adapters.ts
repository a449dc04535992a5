/**
 * The ask-page adapters (src/extension/page) bundled as one script that publishes
 * `globalThis.TagsmithPages`, for tests that run them inside a page (an init script may run wrapped
 * in a function, so the global is published explicitly).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO } from './paths';

export async function pageAdaptersScript(): Promise<string> {
  const out = await build({
    entryPoints: [join(REPO, 'src/extension/page/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'TagsmithPages',
    platform: 'browser',
    target: 'chrome120',
    write: false,
  });
  return `${out.outputFiles[0].text}\nglobalThis.TagsmithPages = TagsmithPages;`;
}
