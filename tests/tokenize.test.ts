import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TOKEN_PATTERN, tokenize } from '../src/core/tokenize';
import { REPO } from './helpers/paths';

/** Written by scripts/reference/sklearn_fixtures.py: tokens from Python `re.findall(pattern, text.lower())`. */
interface TfidfFixture {
  tokenPattern: string;
  fitTexts: string[];
  heldOutTexts: string[];
  fitTokens: string[][];
  heldOutTokens: string[][];
  parity: { text: string; tokens: string[] }[];
}
const fixture = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/tfidf.json'), 'utf8')) as TfidfFixture;

describe('tokenize: parity with Python re / scikit-learn', () => {
  it('uses the very pattern the reference script gave to scikit-learn', () => {
    expect(TOKEN_PATTERN).toBe(fixture.tokenPattern);
  });

  it('has no capturing group (sklearn would return the group instead of the token)', () => {
    const groups = new RegExp(`${TOKEN_PATTERN}|`).exec('')!.length - 1;
    expect(groups).toBe(0);
  });

  it('tokenises every fixture text exactly as Python re does', () => {
    const texts = [...fixture.fitTexts, ...fixture.heldOutTexts, ...fixture.parity.map((p) => p.text)];
    const expected = [...fixture.fitTokens, ...fixture.heldOutTokens, ...fixture.parity.map((p) => p.tokens)];
    expect(texts.length).toBeGreaterThan(60);
    texts.forEach((t, i) => expect(tokenize(t), JSON.stringify(t)).toEqual(expected[i]));
  });
});

describe('tokenize: what a token is (specification examples)', () => {
  const cases: [string, string[]][] = [
    ['C# and F# vs C++ or g++', ['c#', 'and', 'f#', 'vs', 'c++', 'or', 'g++']],
    ['Using .NET with ASP.NET and Node.js or Vue.js.', ['using', '.net', 'with', 'asp.net', 'and', 'node.js', 'or', 'vue.js']],
    ['Objective-C, python-3.x, ruby-on-rails, x86-64', ['objective-c', 'python-3.x', 'ruby-on-rails', 'x86-64']],
    ['asp.net-mvc-3 on .net-4.0 with c++11', ['asp.net-mvc-3', 'on', '.net-4.0', 'with', 'c++11']],
    ['Python 3.6.4 vs v2.0', ['python', '3.6.4', 'vs', 'v2.0']],
    ['tools, e.g. grep; i.e., awk', ['tools', 'e.g', 'grep', 'i.e', 'awk']],
    ['Plot in R with C? a b x 1 2', ['plot', 'in', 'r', 'with', 'c']],
    ['c+ and c/c++', ['c', 'and', 'c', 'c++']],
    ['#include <stdio.h> and $scope @Override', ['include', 'stdio.h', 'and', 'scope', 'override']],
    ["don't -- (parens) [brackets] .5", ['don', 'parens', 'brackets']],
    ['!!! ??? ... --- ###', []],
    ['', []],
    ['Café NAÏVE Привет', ['café', 'naïve', 'привет']],
  ];
  it.each(cases)('%j', (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  it('never yields a one-character token other than c and r', () => {
    const all = fixture.fitTexts.flatMap(tokenize);
    expect(all.length).toBeGreaterThan(500);
    for (const t of all) if (t.length < 2) expect(['c', 'r']).toContain(t);
  });

  it('rejects a non-string with a clear error', () => {
    expect(() => tokenize(undefined as unknown as string)).toThrow(/expected a string, got undefined/);
  });
});
