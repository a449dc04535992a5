/**
 * `npm run demo:video`: records the product at work in headless Chromium with the built extension
 * and writes docs/demo.webm (VP9, 1280 px) and docs/img/demo.gif (<= 8 MB). The ask page is the
 * classic-form stand-in with Stack Overflow's real editor (scripts/demo/ask-page.ts) served at the
 * real URL; captions are an overlay injected into each page. Frames come from the DevTools
 * screencast (CDP Page.startScreencast), timed by their own timestamps, and Debian's ffmpeg encodes
 * them. Nothing leaves the machine: the API is started in-process on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { buildServer } from '../../src/server/app';
import { DEFAULT_MODEL_DIR } from '../../src/node/paths';
import { ASK_URL, ensureBuilt, launchWithExtension, type ExtensionSession } from '../lib/extension';
import { realStacksEditorPage } from './ask-page';
import { DEMO_GIF, DEMO_WEBM, demoProblems } from './probe';

const WIDTH = 1280;
const HEIGHT = 800;
/** Human typing speed: ~50 ms a key (about 200 characters a minute would be slower; this keeps the video short). */
const TYPING = { delay: 45 };
const CHIP = (tag: string) => `tagsmith-suggestions button.ts-chip[data-tag="${tag}"]`;
/** The editor's view, rich text or markdown. */
const RICH = '.js-stacks-editor-container .js-editor.ProseMirror[contenteditable="true"]';

interface Frame {
  file: string;
  /** Seconds, from the screencast's own frame timestamps. */
  at: number;
}

/** Screencast frames of one tab after another; the time between two tabs is not in the video. */
class Recorder {
  private readonly segments: { frames: Frame[]; end: number }[] = [];
  private session?: { cdp: CDPSession; frames: Frame[] };
  private count = 0;

  constructor(private readonly dir: string) {}

  async start(page: Page): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    const frames: Frame[] = [];
    cdp.on('Page.screencastFrame', ({ data, metadata, sessionId }) => {
      const file = join(this.dir, `f${String(this.count++).padStart(5, '0')}.jpg`);
      writeFileSync(file, Buffer.from(data, 'base64'));
      frames.push({ file, at: metadata.timestamp ?? Date.now() / 1000 });
      cdp.send('Page.screencastFrameAck', { sessionId }).catch(() => undefined); // the tab may be closing
    });
    await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 92, maxWidth: WIDTH, maxHeight: HEIGHT, everyNthFrame: 1 });
    this.session = { cdp, frames };
  }

  async stop(): Promise<void> {
    if (!this.session) return;
    const { cdp, frames } = this.session;
    await cdp.send('Page.stopScreencast');
    await cdp.detach();
    if (frames.length) this.segments.push({ frames, end: Date.now() / 1000 });
    this.session = undefined;
  }

  /** ffmpeg's concat list: every frame shown until the next one (the last of a tab until it stopped). */
  concatList(): string {
    const lines: string[] = [];
    for (const { frames, end } of this.segments) {
      frames.forEach((f, i) => {
        const until = frames[i + 1]?.at ?? Math.max(end, f.at + 0.04);
        lines.push(`file '${f.file}'`, `duration ${Math.max(0.001, until - f.at).toFixed(4)}`);
      });
    }
    lines.push(lines.at(-2)!); // the concat demuxer ignores the last entry's duration unless it is repeated
    return lines.join('\n') + '\n';
  }

  get seconds(): number {
    return this.segments.reduce((s, { frames, end }) => s + (end - frames[0].at), 0);
  }
}

/** Shows (or replaces) the caption bar at the bottom of the page. */
async function caption(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    let bar = document.getElementById('tagsmith-demo-caption');
    if (!bar) {
      bar = document.createElement('div');
      bar.id = 'tagsmith-demo-caption';
      // CSSOM, not a style attribute: the extension pages' CSP forbids inline style attributes
      Object.assign(bar.style, {
        position: 'fixed', left: '0', right: '0', bottom: '0', zIndex: '2147483647', padding: '16px 32px',
        background: 'rgba(20, 24, 28, 0.88)', color: '#fff', font: '600 22px/1.35 system-ui, sans-serif',
        textAlign: 'center', pointerEvents: 'none', transition: 'opacity 200ms',
      });
      document.documentElement.appendChild(bar);
    }
    bar.textContent = t;
  }, text);
}

/** A ring where the (invisible, headless) pointer is about to click, so the viewer sees what was clicked. */
async function showClick(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible: cannot show the click on it`);
  await page.evaluate(({ x, y }) => {
    const ring = document.createElement('div');
    Object.assign(ring.style, {
      position: 'fixed', left: `${x - 22}px`, top: `${y - 22}px`, width: '44px', height: '44px', borderRadius: '50%',
      border: '4px solid #f48225', boxSizing: 'border-box', zIndex: '2147483647', pointerEvents: 'none',
    });
    document.documentElement.appendChild(ring);
    ring.animate([{ transform: 'scale(1.6)', opacity: 0.2 }, { transform: 'scale(1)', opacity: 1 }], { duration: 500, fill: 'forwards' });
    setTimeout(() => ring.remove(), 1400);
  }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
  await page.waitForTimeout(600);
}

async function openAskPage(s: ExtensionSession): Promise<Page> {
  const page = await s.context.newPage();
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  await page.goto(ASK_URL);
  await page.locator(RICH).waitFor();
  return page;
}

async function record(s: ExtensionSession, rec: Recorder, apiUrl: string): Promise<void> {
  // 1. A first question, in the rich-text editor, typed at human speed.
  let page = await openAskPage(s);
  await rec.start(page);
  await caption(page, "Stack Overflow's “Ask a question” page (an offline copy with its real editor), with the tagsmith extension installed");
  await page.waitForTimeout(3000);
  await caption(page, 'The author types a title…');
  await page.locator('#title').click();
  await page.keyboard.type('How do I merge two dictionaries in Python?', TYPING);
  await caption(page, '…and the problem. tagsmith suggests tags under the Tags field, computed inside the browser');
  await page.evaluate(() => window.scrollTo({ top: 150, behavior: 'smooth' }));
  await page.locator(RICH).click();
  await page.keyboard.type('I have two dicts x and y and want a new dict z with the values of y replacing those of x, in one expression.', TYPING);
  await page.locator(CHIP('python')).waitFor({ timeout: 60_000 });
  await caption(page, 'The suggestions update as the question changes; nothing is sent anywhere');
  await page.waitForTimeout(2000);
  await caption(page, "One click adds a suggested tag through Stack Overflow's own tag field");
  await showClick(page, CHIP('python'));
  await page.locator(CHIP('python')).click();
  await page.waitForFunction(() => (document.querySelector('#tagnames') as HTMLInputElement).value === 'python');
  await page.waitForTimeout(2500);
  await rec.stop();
  await page.close();

  // 2. A second question, written in the editor's Markdown mode.
  page = await openAskPage(s);
  await rec.start(page);
  await caption(page, 'A second question, written in Markdown mode: different suggestions');
  await page.locator('label[for^="mode-toggle-markdown-"]').click();
  await page.locator('#title').click();
  await page.keyboard.type('Center a div horizontally and vertically with CSS flexbox', TYPING);
  await page.evaluate(() => window.scrollTo({ top: 150, behavior: 'smooth' }));
  await page.locator(RICH).click(); // the markdown view is a ProseMirror too, holding one code block
  await page.keyboard.type('My div stays at the top left of the page:', TYPING);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('    .box { display: flex; margin: auto; }', TYPING);
  await page.locator(CHIP('css')).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await showClick(page, CHIP('css'));
  await page.locator(CHIP('css')).click();
  await page.waitForFunction(() => (document.querySelector('#tagnames') as HTMLInputElement).value === 'css');
  await page.waitForTimeout(2000);
  await rec.stop();
  await page.close();

  // 3. The toolbar popup, opened in a tab.
  page = await s.context.newPage();
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  await page.goto(`chrome-extension://${s.extensionId}/popup.html`);
  // the popup is laid out for a ~460 px wide panel: larger and centred in the 1280 px tab
  await page.evaluate(() => Object.assign(document.body.style, { zoom: '1.4', display: 'flex', justifyContent: 'center' }));
  await rec.start(page);
  await caption(page, "The extension's popup suggests tags for any question, with the same in-browser model");
  await page.locator('input[name="title"]').click();
  await page.keyboard.type('useEffect runs twice in React', { delay: 30 });
  await page.locator('textarea[name="body"]').fill('My useEffect with an empty dependency array fetches the data two times when the component mounts.');
  await page.getByRole('button', { name: 'Suggest tags' }).click();
  await page.locator('.ts-tag-name').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(3000);
  await rec.stop();
  await page.close();

  // 4. The same model as an HTTP API, and its demo page.
  page = await s.context.newPage();
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  await page.goto(apiUrl);
  await page.evaluate(() => Object.assign(document.body.style, { zoom: '1.15' }));
  await rec.start(page);
  await caption(page, 'The same model also runs as an HTTP API (tagsmith serve), with this demo page');
  await page.waitForTimeout(1200);
  await page.getByRole('button', { name: 'Example: pandas' }).click();
  await page.waitForTimeout(800);
  await page.getByRole('button', { name: 'Suggest tags' }).click();
  await page.locator('.ts-tag-name').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(3500);
  await rec.stop();
  await page.close();
}

function encode(rec: Recorder, dir: string): void {
  const list = join(dir, 'frames.txt');
  writeFileSync(list, rec.concatList());
  mkdirSync(dirname(DEMO_GIF), { recursive: true });
  const input = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list];
  // VP9 at constant quality; screen content is mostly still, so a high CRF stays sharp and small
  execFileSync('ffmpeg', [...input, '-vf', `fps=25,scale=${WIDTH}:-2,format=yuv420p`, '-c:v', 'libvpx-vp9', '-crf', '38', '-b:v', '0', '-row-mt', '1', '-deadline', 'good', '-cpu-used', '4', '-an', DEMO_WEBM], { stdio: 'inherit' });
  // GIF: fewer frames and one palette for the whole video, only changed rectangles re-dithered
  const gif = 'fps=8,scale=1000:-1:flags=lanczos,split[a][b];[a]palettegen=max_colors=128:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle';
  execFileSync('ffmpeg', [...input, '-vf', gif, '-loop', '0', DEMO_GIF], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-demo-'));
  const app = await buildServer({ modelDir: DEFAULT_MODEL_DIR, logger: { level: 'warn' } });
  const s = await launchWithExtension(await ensureBuilt('chrome'));
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the API did not report its port');
    const apiUrl = `http://127.0.0.1:${address.port}/`;
    // the launcher refuses every http(s) request but the ask page: let the local API through
    await s.context.route(`${apiUrl}**`, (route) => route.continue());
    s.servePage(await realStacksEditorPage());
    // load the model before recording, so the video shows suggestions, not a first load
    const warm = await s.context.newPage();
    await warm.goto(`chrome-extension://${s.extensionId}/options.html`);
    await warm.evaluate(`chrome.runtime.sendMessage(${JSON.stringify({ target: 'background', type: 'warmup' })})`);
    await warm.close();

    const rec = new Recorder(dir);
    await record(s, rec, apiUrl);
    const leaked = s.leaked.filter((url) => !url.startsWith(apiUrl));
    if (leaked.length) throw new Error(`requests left the browser during the demo: ${leaked.join(', ')}`);
    console.log(`recorded ${rec.seconds.toFixed(1)} s; encoding…`);
    encode(rec, dir);
    const problems = demoProblems();
    if (problems.length) throw new Error(`the demo does not meet its limits:\n${problems.join('\n')}`);
    console.log(`written ${DEMO_WEBM} and ${DEMO_GIF}`);
  } finally {
    await s.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
