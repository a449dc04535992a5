/**
 * The classic ask form with Stack Overflow's real editor, as one offline HTML page: the stand-in
 * tests/fixtures/ask-pages/classic-stacks-editor.html (late mount, title, jQuery-like tag editor)
 * with its imitation editor's mount replaced by the real `StacksEditor`
 * (scripts/demo/real-stacks-editor.ts, bundled by esbuild), and Stacks' own
 * CSS (`@stackoverflow/stacks`, the editor's styles) inlined after the stand-in's styles so the real
 * rules win. Nothing is fetched: the page is served at the ask URL by route fulfilment.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundleForPage } from '../lib/browser-bundle';
import { PACKAGE_ROOT as REPO } from '../../src/node/paths';

const PAGES = join(REPO, 'tests/fixtures/ask-pages');
const require = createRequire(join(REPO, 'package.json'));

/** The stand-in's call that mounts its imitation editor, and what replaces it. */
const IMITATION_MOUNT = `mountStacksEditor(host.querySelector('.js-stacks-editor-container'), host.querySelector('textarea[name="post-text"]'), 'Body');`;
const REAL_MOUNT = `window.mountRealStacksEditor(host.querySelector('.js-stacks-editor-container'), host.querySelector('textarea[name="post-text"]'));`;

/** `</` cannot appear inside an inline script or style: the HTML parser would end the element there. */
const inline = (code: string) => code.replace(/<\/(script|style)/gi, '<\\/$1');

export async function realStacksEditorPage(): Promise<string> {
  const standIn = readFileSync(join(PAGES, 'classic-stacks-editor.html'), 'utf8');
  const calls = standIn.split(IMITATION_MOUNT).length - 1;
  if (calls !== 1) {
    throw new Error(`classic-stacks-editor.html: expected its editor mount \`${IMITATION_MOUNT}\` exactly once, found it ${calls} times; update IMITATION_MOUNT in scripts/demo/ask-page.ts to the stand-in's call`);
  }
  const bundle = await bundleForPage(join(REPO, 'scripts/demo/real-stacks-editor.ts'), { minify: true });
  const css = [require.resolve('@stackoverflow/stacks/dist/css/stacks.min.css'), require.resolve('@stackoverflow/stacks-editor/dist/styles.css')]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  return standIn
    .replace(IMITATION_MOUNT, REAL_MOUNT)
    .replace('</style>', () => `</style>\n<style>${inline(css)}</style>`)
    .replace('<script>', () => `<script>${inline(bundle)}</script>\n<script>`);
}
