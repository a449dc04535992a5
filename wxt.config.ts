import { defineConfig } from 'wxt';

// The extension (content script, worker, popup) is built in the extension issue; this file already
// pins the layout: entrypoints/ (thin), public/ (static files), models/ (copied in at build time).
export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  manifest: {
    name: 'tagsmith',
    description: 'Stack Overflow tag suggestions, computed in your browser.',
  },
});
