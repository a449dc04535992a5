/**
 * README screenshots of the extension, taken in headless Chromium with the built extension on the
 * stand-in ask pages (tests/fixtures/ask-pages): docs/img/extension-chips.png (classic form, chips
 * under the tag field), docs/img/extension-wizard.png (Ask Wizard), docs/img/extension-popup.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASK_URL, ensureBuilt, launchWithExtension } from '../lib/extension';
import { PACKAGE_ROOT as REPO } from '../../src/node/paths';

const OUT = join(REPO, 'docs', 'img');
const TITLE = 'How do I merge two dictionaries in a single expression in Python?';
const BODY = 'I have two dictionaries `x` and `y` and want a new dict `z` with the values of `y` replacing those of `x`, in one expression, without changing `x`.';

async function main() {
  const s = await launchWithExtension(await ensureBuilt('chrome'));
  try {
    for (const [file, title, body, out] of [
      ['classic-textarea.html', '#title', 'textarea#wmd-input', 'extension-chips.png'],
      ['wizard.html', '#post-title-input', '#editor-container-question [contenteditable="true"]', 'extension-wizard.png'],
    ] as const) {
      s.servePage(readFileSync(join(REPO, 'tests/fixtures/ask-pages', file), 'utf8'));
      const p = await s.context.newPage();
      await p.setViewportSize({ width: 1000, height: 900 });
      await p.goto(ASK_URL);
      await p.locator(title).click();
      await p.keyboard.type(TITLE);
      await p.locator(body).click();
      await p.keyboard.type(BODY);
      await p.locator('tagsmith-suggestions button.ts-chip').first().waitFor({ timeout: 60_000 });
      await p.waitForTimeout(300);
      const box = await p.locator(title).boundingBox();
      const bar = await p.locator('tagsmith-suggestions').boundingBox();
      if (!box || !bar) throw new Error('title field or suggestion row not visible');
      const y = Math.max(0, box.y - 60);
      await p.screenshot({ path: join(OUT, out), clip: { x: 0, y, width: 1000, height: Math.min(900, bar.y + bar.height + 40 - y) } });
      console.log(`written docs/img/${out}`);
      await p.close();
    }
    const p = await s.context.newPage();
    await p.setViewportSize({ width: 490, height: 640 });
    await p.goto(`chrome-extension://${s.extensionId}/popup.html`);
    await p.locator('input[name="title"]').fill(TITLE);
    await p.locator('textarea[name="body"]').fill(BODY);
    await p.getByRole('button', { name: 'Suggest tags' }).click();
    await p.locator('.ts-tag-name').first().waitFor({ timeout: 60_000 });
    await p.waitForTimeout(300);
    await p.screenshot({ path: join(OUT, 'extension-popup.png'), fullPage: true });
    console.log('written docs/img/extension-popup.png');
    if (s.leaked.length) throw new Error(`network requests left the browser: ${s.leaked.join(', ')}`);
  } finally {
    await s.close();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
