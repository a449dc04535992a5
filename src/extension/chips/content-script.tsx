/**
 * The content script on the ask page: waits for the page's fields (they mount late), mounts the
 * suggestion row in a shadow root right under the tag field, and runs a {@link SuggestionController}
 * that talks to the background.
 */
import { render } from 'preact';
import { browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi, type ShadowRootContentScriptUi } from 'wxt/utils/content-script-ui/shadow-root';
import { detectAskPage } from '../page/detect';
import type { AskPageAdapter } from '../page/types';
import { newInstanceId, sendWhenListening, unwrapReply, type BackgroundMessage, type ModelStatus, type Reply, type SuggestResponse } from '../protocol';
import { loadSettings, saveSettings, watchSettings } from '../settings/store';
import type { BarState } from './suggestions';
import { SuggestionBar } from './SuggestionBar';
import { SuggestionController } from './controller';

const UI_NAME = 'tagsmith-suggestions';

/** Resolves with the page's adapter once a title field exists (the page renders late). */
export function waitForAskPage(ctx: ContentScriptContext, doc: Document = document): Promise<AskPageAdapter> {
  return new Promise((resolve) => {
    const found = detectAskPage(doc);
    if (found) return resolve(found);
    const mo = new MutationObserver(() => {
      const a = detectAskPage(doc);
      if (a) {
        mo.disconnect();
        resolve(a);
      }
    });
    mo.observe(doc.documentElement, { childList: true, subtree: true });
    ctx.onInvalidated(() => mo.disconnect());
  });
}

function sendToBackground<T>(msg: BackgroundMessage): Promise<Reply<T>> {
  return sendWhenListening(() => browser.runtime.sendMessage(msg) as Promise<Reply<T>>);
}

export async function startContentScript(ctx: ContentScriptContext): Promise<void> {
  let settings = await loadSettings();
  if (settings.enabled) void sendToBackground({ target: 'background', type: 'warmup' }).catch(() => undefined);
  const adapter = await waitForAskPage(ctx);

  let ui: ShadowRootContentScriptUi<HTMLElement> | undefined;
  let mountedAt: Element | null = null;
  let lastState: BarState | null = null;
  let lastNotice: string | undefined;
  let controller: SuggestionController;

  const draw = () => {
    const container = ui?.mounted;
    if (!container) return;
    render(
      lastState ? (
        <SuggestionBar
          state={lastState}
          notice={lastNotice}
          onAdd={(name) => void controller.add(name)}
          onHide={() => void saveSettings({ ...settings, showPanel: false })}
        />
      ) : null,
      container,
    );
  };

  /** (Re)mounts the row after the tag field; the page may replace that element at any time. */
  const ensureMounted = async () => {
    const anchor = adapter.anchor();
    if (!lastState || !anchor) {
      if (ui && !lastState) ui.remove();
      return;
    }
    if (ui?.mounted && mountedAt === anchor && ui.shadowHost.isConnected) return;
    ui?.remove();
    mountedAt = anchor;
    ui = await createShadowRootUi(ctx, {
      name: UI_NAME,
      position: 'inline',
      anchor: () => anchor,
      append: 'after',
      onMount: (container) => container,
      onRemove: (container) => {
        if (container) render(null, container);
      },
    });
    ui.mount();
  };

  const instance = newInstanceId(); // this page load's own sequence of requests
  controller = new SuggestionController({
    adapter,
    settings,
    send: (request, seq) => sendToBackground<SuggestResponse>({ target: 'background', type: 'suggest', instance, seq, request }),
    whenReady: async () => unwrapReply(await sendToBackground<ModelStatus>({ target: 'background', type: 'warmup' })),
    render: (state, notice) => {
      lastState = state;
      lastNotice = notice;
      void ensureMounted().then(draw);
    },
  });
  // One watcher on the page: the controller's (each change ends in a render, which re-mounts the
  // row if the page re-rendered the tag editor and dropped it).
  controller.start();
  const unwatch = watchSettings((s) => {
    settings = s;
    controller.updateSettings(s);
  });
  ctx.onInvalidated(() => {
    unwatch();
    controller.stop();
    ui?.remove();
  });
}
