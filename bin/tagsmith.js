#!/usr/bin/env node
// Entry point of the `tagsmith` CLI. The sources are TypeScript; tsx loads them without a build step.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../src/cli/index.ts', import.meta.url);
await main(process.argv);
