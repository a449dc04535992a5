/**
 * Architecture rules, checked on the sources: code that runs in the browser (core, runtime,
 * extension) never imports Node-only modules, and imports point inwards only
 * (core <- runtime <- extension/pipeline/drift/server; core imports nothing of ours but core).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { REPO } from './helpers/paths';

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
    specs.push(m[1] ?? m[2] ?? m[3]);
  }
  return specs;
}

const NODE_ONLY = new Set([...builtinModules, 'onnxruntime-node', 'sharp', 'csv-parse', 'saxes', 'cli-progress', 'commander']);
const isNodeOnly = (spec: string) => spec.startsWith('node:') || NODE_ONLY.has(spec.split('/')[0]);

describe('module boundaries', () => {
  const browser = ['src/core', 'src/runtime', 'src/extension', 'src/ui'].flatMap((d) => sources(join(REPO, d)));

  it('finds the browser-side sources', () => {
    expect(browser.length).toBeGreaterThan(5);
  });

  it('browser-side code imports no Node-only module', () => {
    const offenders = browser.flatMap((f) => imports(f).filter(isNodeOnly).map((s) => `${relative(REPO, f)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it('core imports only core; runtime only core and runtime', () => {
    const bad: string[] = [];
    for (const f of sources(join(REPO, 'src/core'))) {
      for (const s of imports(f)) if (s.startsWith('.') && !s.startsWith('./')) bad.push(`${relative(REPO, f)} imports ${s}`);
    }
    for (const f of sources(join(REPO, 'src/runtime'))) {
      for (const s of imports(f)) if (s.startsWith('../') && !s.startsWith('../core/')) bad.push(`${relative(REPO, f)} imports ${s}`);
    }
    expect(bad).toEqual([]);
  });

  it('the rule itself catches a Node import', () => {
    expect(isNodeOnly('node:fs')).toBe(true);
    expect(isNodeOnly('fs/promises')).toBe(true);
    expect(isNodeOnly('htmlparser2')).toBe(false);
  });
});
