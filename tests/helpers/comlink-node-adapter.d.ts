// comlink ships this module's types as node-adapter.d.ts beside node-adapter.mjs, which TypeScript
// looks for as node-adapter.d.mts: point it at them.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
