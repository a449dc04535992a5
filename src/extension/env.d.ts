// What WXT defines for extension code at build time (wxt/dist/core/utils/globals.mjs); only the
// keys this project reads. Replaced by literals when bundling, so the other browser's branch is
// left out of the bundle.
interface ImportMetaEnv {
  readonly FIREFOX: boolean;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
