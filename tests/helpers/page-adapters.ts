/**
 * The ask-page adapters (src/extension/page) bundled as one script that publishes
 * `globalThis.TagsmithPages`, for tests that run them inside a page (an init script may run wrapped
 * in a function, so the global is published explicitly).
 */
import { join } from 'node:path';
import { bundleForPage } from '../../scripts/lib/browser-bundle';
import { REPO } from './paths';

export async function pageAdaptersScript(): Promise<string> {
  const code = await bundleForPage(join(REPO, 'src/extension/page/index.ts'), { globalName: 'TagsmithPages' });
  return `${code}\nglobalThis.TagsmithPages = TagsmithPages;`;
}
