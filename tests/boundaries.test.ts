/**
 * Architecture rules, checked on the sources (docs/architecture.md draws the same table):
 * - each part of src/ imports only the parts the table below allows (so arrows point one way and
 *   the parts form no cycle), and no files import each other around a loop;
 * - code that runs in the browser (core, learn, runtime, ui, extension) imports no Node-only module;
 * - entrypoints/ only calls into the extension; scripts/ import no test code.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO } from './helpers/paths';

type Part = 'core' | 'learn' | 'runtime' | 'ui' | 'extension' | 'node' | 'charts' | 'pipeline' | 'tracking' | 'drift' | 'server' | 'cli';

/** Where each part of src/ runs, and which parts it may import (besides itself). */
const PARTS: Record<Part, { runs: 'browser' | 'node'; imports: Part[] }> = {
  core: { runs: 'browser', imports: [] }, // pure: text, features, head, suggester, metrics
  learn: { runs: 'browser', imports: ['core'] }, // pure learners: logreg, thresholds, evaluation, vocabulary
  runtime: { runs: 'browser', imports: ['core'] }, // the sentence encoder (transformers.js), Node or browser
  ui: { runs: 'browser', imports: ['core'] }, // preact components shared by the popup and the API demo page
  extension: { runs: 'browser', imports: ['core', 'runtime', 'ui'] },
  node: { runs: 'node', imports: [] }, // Node helpers: atomic files, paths, usage errors, progress
  charts: { runs: 'node', imports: ['core'] }, // vega-lite specs rendered to SVG/PNG
  tracking: { runs: 'node', imports: ['core', 'node', 'charts'] }, // MLflow run stores and model registry (REST, file store); no training
  pipeline: { runs: 'node', imports: ['core', 'learn', 'runtime', 'node', 'charts', 'tracking'] },
  drift: { runs: 'node', imports: ['core', 'learn', 'node', 'charts', 'pipeline'] },
  server: { runs: 'node', imports: ['core', 'ui', 'node', 'pipeline'] },
  cli: { runs: 'node', imports: ['core', 'learn', 'node', 'pipeline', 'tracking', 'drift', 'server'] },
};

function sources(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|tsx)$/.test(e)) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    specs.push((m[1] ?? m[2] ?? m[3]).split('?')[0]);
  }
  return specs;
}

const NODE_ONLY = new Set([
  ...builtinModules,
  'onnxruntime-node', 'sharp', 'csv-parse', 'saxes', 'cli-progress', 'commander', 'fastify', '@fastify/swagger',
  '@fastify/swagger-ui', '@resvg/resvg-js', 'playwright-core', 'puppeteer-core', 'tsx', 'esbuild',
]);
const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isNodeOnly = (spec: string) => spec.startsWith('node:') || NODE_ONLY.has(packageOf(spec));

/** The top folder of a repository path: a part of src/ by name, else the top folder ('tests', 'scripts', ...). */
function topOf(path: string): string {
  const [top, part] = relative(REPO, path).split('/');
  return top === 'src' ? part : top;
}

/** Every relative import as an edge between top folders (src parts, entrypoints, scripts, tests). */
function edges(files: string[]): { from: string; to: string; where: string }[] {
  return files.flatMap((f) =>
    imports(f)
      .filter((s) => s.startsWith('.'))
      .map((s) => ({ from: topOf(f), to: topOf(resolve(dirname(f), s)), where: `${relative(REPO, f)} imports ${s}` }))
      .filter((e) => e.from !== e.to),
  );
}

/** A cycle in a directed graph (as a path that ends where it starts), or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('module boundaries', () => {
  const srcFiles = sources(join(REPO, 'src'));
  const srcEdges = edges(srcFiles);

  it('knows every part of src/ and finds their sources', () => {
    const folders = readdirSync(join(REPO, 'src')).filter((e) => statSync(join(REPO, 'src', e)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(PARTS).sort());
    expect(srcFiles.length).toBeGreaterThan(100);
  });

  it('each part imports only the parts the table allows', () => {
    const bad = srcEdges.filter((e) => !PARTS[e.from as Part].imports.includes(e.to as Part)).map((e) => `${e.where} (${e.from} -> ${e.to})`);
    expect(bad).toEqual([]);
  });

  it('the table has no cycle, so neither do the parts', () => {
    const table = new Map(Object.entries(PARTS).map(([p, { imports: to }]) => [p, new Set<string>(to)]));
    expect(findCycle(table)).toBeUndefined();
    const actual = new Map<string, Set<string>>();
    for (const e of srcEdges) actual.set(e.from, (actual.get(e.from) ?? new Set()).add(e.to));
    expect(findCycle(actual)).toBeUndefined();
  });

  it('no two files import each other, directly or around a loop (type-only imports included)', () => {
    const resolveFile = (from: string, spec: string): string | undefined => {
      const base = resolve(dirname(from), spec);
      return ['', '.ts', '.tsx', '/index.ts', '/index.tsx'].map((e) => base + e).find((p) => existsSync(p) && statSync(p).isFile());
    };
    const graph = new Map(
      srcFiles.map((f) => [relative(REPO, f), new Set(imports(f).filter((s) => s.startsWith('.')).flatMap((s) => resolveFile(f, s) ?? []).map((p) => relative(REPO, p)))]),
    );
    expect(findCycle(graph)).toBeUndefined();
  });

  it('browser-side code imports no Node-only module, and only browser-side parts', () => {
    const browserParts = new Set(Object.entries(PARTS).filter(([, v]) => v.runs === 'browser').map(([k]) => k));
    for (const p of browserParts) for (const to of PARTS[p as Part].imports) expect(browserParts.has(to), `${p} -> ${to}`).toBe(true);
    const offenders = srcFiles
      .filter((f) => browserParts.has(topOf(f)))
      .flatMap((f) => imports(f).filter(isNodeOnly).map((s) => `${relative(REPO, f)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it('entrypoints/ only call into the extension; scripts/ never import tests', () => {
    const entry = edges(sources(join(REPO, 'entrypoints'))).filter((e) => e.to !== 'extension');
    expect(entry.map((e) => e.where)).toEqual([]);
    const scripts = edges(sources(join(REPO, 'scripts'))).filter((e) => e.to === 'tests');
    expect(scripts.map((e) => e.where)).toEqual([]);
  });

  it('the rules themselves catch what they are meant to catch', () => {
    expect(isNodeOnly('node:fs')).toBe(true);
    expect(isNodeOnly('fs/promises')).toBe(true);
    expect(isNodeOnly('@fastify/swagger-ui')).toBe(true);
    expect(isNodeOnly('htmlparser2')).toBe(false);
    expect(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toBeUndefined();
    expect(topOf(join(REPO, 'src/core/model.ts'))).toBe('core');
    expect(topOf(join(REPO, 'scripts/lib/extension.ts'))).toBe('scripts');
  });
});
