import { defineContentScript } from 'wxt/utils/define-content-script';
import { startContentScript } from '../src/extension/chips/content-script';
import { ASK_PAGE_MATCHES } from '../src/extension/page/matches';

export default defineContentScript({
  matches: ASK_PAGE_MATCHES,
  runAt: 'document_idle',
  cssInjectionMode: 'manual', // the row's CSS is inlined in its shadow root (src/extension/chips/bar-styles.ts)
  main: (ctx) => startContentScript(ctx),
});
