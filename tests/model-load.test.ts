/**
 * Model loading trusts nothing (issue #12, item 4): crafted model folders, copies of the shipped
 * model with one thing wrong at a time, must be refused with a message naming the file and the
 * problem; the shipped model and an honest copy must load and answer as before.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportModel, loadNodeSuggester } from '../src/pipeline/model-io';
import { createNodeEncoder } from '../src/pipeline/encoder-node';
import { Head, makeLayout } from '../src/core/head';
import { DEFAULT_NORMALIZE_OPTIONS, NORMALIZATION_VERSION } from '../src/core/normalize';
import { sha256Hex } from '../src/core/hash';
import { createModelService } from '../src/extension/model/service';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { copyShippedModel, editManifest, ENCODER_ID, MODELS, readManifest, truncateFile, versionOf, type Manifest } from './helpers/model-folder';

const dirs: string[] = [];
const folder = (opts?: { encoder?: boolean }) => {
  const d = copyShippedModel(opts);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const question = { title: 'How do I merge two dictionaries in a single expression in Python?', body: '' };

interface Case {
  name: string;
  edit: (m: Manifest) => void;
  /** Give the edited manifest the version of its content (an export that made this model). */
  resign: boolean;
  error: RegExp;
}

// Figures of the shipped model the messages name (read, not written down: they change with each export).
const shipped = JSON.parse(readFileSync(join(MODELS, 'tagsmith.json'), 'utf8')) as Manifest & { head: { dim: number; bytes: number; sha256: string }; tfidf: { features: number } };
const NT = shipped.tags.length;
const DIM = shipped.head.dim;
const TF = shipped.tfidf.features;
const BW = shipped.blockWeights as [number, number];

const cases: Case[] = [
  { name: 'one tag fewer than the head has', edit: (m) => (m.tags.pop(), m.thresholds.pop()), resign: true, error: new RegExp(`head\\.bin: the head scores ${NT} tags but the manifest names ${NT - 1}`) },
  { name: 'two tags more than the head has', edit: (m) => (m.tags.push('extra-1', 'extra-2'), m.thresholds.push(0.5, 0.5)), resign: true, error: new RegExp(`head\\.bin: the head scores ${NT} tags but the manifest names ${NT + 2}`) },
  { name: '199 tags, version left as exported', edit: (m) => (m.tags.pop(), m.thresholds.pop()), resign: false, error: /tagsmith\.json: the manifest says version [0-9a-f]{12} but its content hashes to [0-9a-f]{12}: it was edited after export/ },
  { name: 'an edited threshold', edit: (m) => (m.thresholds[0] = 0.01), resign: false, error: /it was edited after export/ },
  { name: 'thresholds that do not match the tags', edit: (m) => m.thresholds.pop(), resign: true, error: new RegExp(`${NT - 1} thresholds for ${NT} tags`) },
  { name: 'a threshold above 1', edit: (m) => (m.thresholds[3] = 1.5), resign: true, error: /\/thresholds\/3 must be <= 1/ },
  { name: 'a duplicate tag', edit: (m) => (m.tags[1] = m.tags[0]), resign: true, error: /\/tags must not have duplicate items/ },
  { name: 'another normalization version', edit: (m) => (m.normalization.version = 'tagsmith-normalize-0'), resign: true, error: /normalization\.version is "tagsmith-normalize-0" but this build normalises questions as "tagsmith-normalize-1"/ },
  { name: 'head.dim that disagrees with the encoder and TF-IDF', edit: (m) => (m.head.dim = TF), resign: true, error: new RegExp(`head\\.dim is ${TF} but encoder\\.dim \\+ tfidf\\.features is ${DIM}`) },
  { name: 'TF-IDF features that disagree with the head', edit: (m) => ((m.tfidf.features = TF - 1), (m.head.dim = DIM - 1)), resign: true, error: new RegExp(`head\\.bin: the head has ${DIM} features, the manifest says head\\.dim ${DIM - 1}`) },
  { name: 'block weights that disagree with the head', edit: (m) => (m.blockWeights = [BW[0], 2]), resign: true, error: new RegExp(`head\\.bin: the head weights its blocks \\[${BW[0]}, 1\\], the manifest says blockWeights \\[${BW[0]}, 2\\]`) },
  { name: 'body block weights of zero', edit: (m) => (m.bodyBlockWeights = [0, 1]), resign: true, error: /\/bodyBlockWeights\/0 must be > 0/ },
  { name: 'a head sha256 that is not the file\'s', edit: (m) => (m.head.sha256 = '0'.repeat(64)), resign: true, error: new RegExp(`head\\.bin: sha256 ${shipped.head.sha256.slice(0, 12)}… \\(${shipped.head.bytes} bytes\\) does not match the manifest's 000000000000…`) },
  { name: 'head.file outside the folder (..)', edit: (m) => (m.head.file = '../models/head.bin'), resign: true, error: /head\.file "\.\.\/models\/head\.bin" is not a path inside the model folder/ },
  { name: 'head.file absolute', edit: (m) => (m.head.file = `${MODELS}/head.bin`), resign: true, error: /head\.file ".*" is not a path inside the model folder/ },
  { name: 'head.file with a backslash', edit: (m) => (m.head.file = 'sub\\head.bin'), resign: true, error: /head\.file "sub\\head\.bin" is not a path inside the model folder/ },
  { name: 'tfidf.file outside the folder', edit: (m) => (m.tfidf.file = '../models/tfidf.json'), resign: true, error: /tfidf\.file "\.\.\/models\/tfidf\.json" is not a path inside/ },
  { name: 'rerank.file outside the folder', edit: (m) => (m.rerank.file = '../models/rerank.bin'), resign: true, error: /rerank\.file "\.\.\/models\/rerank\.bin" is not a path inside/ },
  { name: 'a re-ranker sha256 that is not the file\'s', edit: (m) => (m.rerank.sha256 = 'a'.repeat(64)), resign: true, error: /rerank\.bin: sha256 [0-9a-f]{12}… \(\d+ bytes\) does not match the manifest's aaaaaaaaaaaa…/ },
  { name: 'a re-ranker on a model without the embeddings it needs', edit: (m) => ((m.vectorizer = 'tfidf'), delete m.encoder, delete m.blockWeights, delete m.bodyBlockWeights, (m.head.dim = TF)), resign: true, error: /a re-ranker on a tfidf model/ },
  { name: 'encoder.id outside the folder', edit: (m) => (m.encoder.id = '..'), resign: true, error: /encoder\.id "\.\." is not a path inside/ },
  { name: 'an encoder file path outside the folder', edit: (m) => (m.encoder.files['../../etc/passwd'] = '0'.repeat(64)), resign: true, error: /encoder\.files key "\.\.\/\.\.\/etc\/passwd" is not a path inside/ },
  { name: 'no encoder hashes (a manifest from before them)', edit: (m) => delete m.encoder.files, resign: true, error: /encoder\.files .* is missing: .*scripts\/model\/upgrade-manifest\.ts/ },
  { name: 'an encoder hash missing', edit: (m) => delete m.encoder.files['onnx/model_quantized.onnx'], resign: true, error: /encoder\.files has no sha256 for onnx\/model_quantized\.onnx/ },
  { name: 'an encoder other than the shipped one, no encoder folder', edit: (m) => (m.encoder.files['tokenizer.json'] = 'f'.repeat(64)), resign: true, error: /has no encoder folder all-MiniLM-L6-v2\/ and the shipped one is not the encoder this model was trained with \(.*tokenizer\.json: sha256 71a31309bdd8… does not match the manifest's ffffffffffff…/ },
  { name: 'an unknown format version', edit: (m) => (m.formatVersion = 2), resign: true, error: /formatVersion 2 is not supported by this build \(expected 1\)/ },
];

describe('loading a model folder checks the manifest against its files', () => {
  it('the shipped manifest carries the version of its content (the format the helper writes out)', () => {
    const m = readManifest(MODELS);
    expect(versionOf(m)).toBe(m.version);
  });

  it.each(cases)('refuses $name', async ({ edit, resign, error }) => {
    const dir = folder();
    editManifest(dir, edit, resign);
    const err = await loadNodeSuggester(dir).then(() => undefined, (e: Error) => e);
    expect(err, 'the model was loaded').toBeInstanceOf(Error);
    expect(err!.message).toMatch(error);
    expect(err!.message).toContain(dir); // names where
  });

  it('refuses a manifest that is not JSON, naming the file', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'tagsmith.json'), '{"format": "tagsmith-model",');
    await expect(loadNodeSuggester(dir)).rejects.toThrow(`${join(dir, 'tagsmith.json')}: not valid JSON`);
  });

  it('names a model file that is missing', async () => {
    const dir = folder();
    rmSync(join(dir, 'tfidf.json'));
    await expect(loadNodeSuggester(dir)).rejects.toThrow(`${join(dir, 'tfidf.json')}: cannot read this model file (ENOENT); the model folder is incomplete`);
  });

  it('refuses a damaged rerank.bin even when the manifest was re-signed for it, naming the file and the problem', async () => {
    const dir = folder();
    const bytes = readFileSync(join(dir, 'rerank.bin'));
    bytes.writeUInt32LE(7, 4); // an unknown format version
    writeFileSync(join(dir, 'rerank.bin'), bytes);
    const sha = await sha256Hex(bytes);
    editManifest(dir, (m) => (m.rerank.sha256 = sha), true);
    await expect(loadNodeSuggester(dir)).rejects.toThrow(`${join(dir, 'rerank.bin')}: not a tagsmith re-ranker file: format 7, this build reads 1; export the model again`);
  });

  it('refuses a truncated head.bin', async () => {
    const dir = folder();
    truncateFile(dir, 'head.bin', 1000);
    await expect(loadNodeSuggester(dir)).rejects.toThrow(new RegExp(`${join(dir, 'head.bin')}: sha256 [0-9a-f]{12}… \\(1000 bytes\\) does not match`));
  });

  it('refuses a folder whose own encoder is damaged, naming the file, and does not fall back to the shipped one', async () => {
    const dir = folder({ encoder: true });
    truncateFile(dir, `${ENCODER_ID}/onnx/model_quantized.onnx`, 1_000_000);
    await expect(loadNodeSuggester(dir)).rejects.toThrow(
      new RegExp(`${join(dir, ENCODER_ID, 'onnx/model_quantized.onnx')}: sha256 [0-9a-f]{12}… does not match the manifest's c150fcde37d7…: not the encoder the model was trained with`),
    );
  });

  it('loads a folder without an encoder with the shipped one when the hashes match, answering as the shipped model', async () => {
    const dir = folder();
    const [copy, shipped] = [await loadNodeSuggester(dir), await loadNodeSuggester(MODELS)];
    expect(copy.version).toBe(shipped.version);
    expect(await copy.suggest(question)).toEqual(await shipped.suggest(question));
  });

  it('loads a folder with its own intact encoder', async () => {
    const dir = folder({ encoder: true });
    const s = await loadNodeSuggester(dir);
    expect((await s.suggest(question, { k: 3 })).map((t) => t.name)).toContain('python');
  });

  it('a copied model whose shipped encoder was replaced is refused, the copy with its own encoder still loads', async () => {
    // the fallback depends on the shipped encoder's hashes, not on its presence
    const dir = folder({ encoder: true });
    const other = folder();
    cpSync(join(dir, ENCODER_ID), join(other, ENCODER_ID), { recursive: true });
    truncateFile(other, `${ENCODER_ID}/tokenizer.json`, 10);
    await expect(loadNodeSuggester(other)).rejects.toThrow(/tokenizer\.json: sha256 .* does not match/);
    await expect(loadNodeSuggester(dir)).resolves.toBeDefined();
  });

  it('an exported embeddings model records its encoder files and loads back with the shipped encoder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-model-export-'));
    dirs.push(dir);
    const { spec } = await createNodeEncoder(MODELS);
    const tags = ['python', 'javascript'];
    const weights = Float32Array.from({ length: spec.dim * tags.length }, (_, i) => Math.sin(i));
    const manifest = await exportModel(dir, {
      vectorizer: 'embeddings',
      normalization: { version: NORMALIZATION_VERSION, options: { ...DEFAULT_NORMALIZE_OPTIONS } },
      encoder: spec,
      tags,
      thresholds: [0.5, 0.5],
      head: Head.fromMatrix(makeLayout({ denseDim: spec.dim }), tags.length, weights, new Float32Array(tags.length)),
      training: {},
      metrics: {},
    });
    for (const [path, sha] of Object.entries(manifest.encoder!.files)) {
      expect(await sha256Hex(readFileSync(join(MODELS, ENCODER_ID, path))), path).toBe(sha);
    }
    expect(Object.keys(manifest.encoder!.files)).toContain('onnx/model_quantized.onnx');
    expect(versionOf(readManifest(dir))).toBe(manifest.version);
    const s = await loadNodeSuggester(dir);
    expect(s.version).toBe(manifest.version);
    expect((await s.suggest(question)).map((t) => t.name).sort()).toEqual([...tags].sort());
  });

  it.each(cases.filter((c) => c.resign && !c.name.startsWith('an encoder other')) /* the extension does not hash the encoder (see service.ts) */)('the extension\'s model service refuses $name too (same loadSuggester)', async ({ edit, error }) => {
    const dir = folder();
    editManifest(dir, edit, true);
    const service = createModelService({
      modelBaseUrl: `${pathToFileURL(dir).href}/`,
      fetchImpl: (async (url: string | URL) => new Response(await readFile(fileURLToPath(url)))) as typeof fetch,
      // the encoder starts loading beside the head (loadSuggester); whatever it does, the model is refused
      encoderFactory: async () => {
        throw new Error('an encoder that fails too');
      },
    });
    await expect(service.warmup()).rejects.toThrow(error);
    expect(service.status()).toMatchObject({ state: 'failed', error: expect.stringMatching(error) });
  });
});

describe('loading order (cold start)', () => {
  const fileFetch = (dir: string, hold?: { file: string; until: Promise<void> }) =>
    (async (url: string | URL) => {
      const path = fileURLToPath(url);
      if (hold && path.endsWith(hold.file)) await hold.until;
      return new Response(await readFile(path));
    }) as typeof fetch;
  const fakeEncoder = (calls: string[][]) => async () => ({
    runtime: 'fake',
    embed: async (texts: string[]) => {
      calls.push(texts);
      return texts.map(() => Float32Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)));
    },
  });

  it('starts building the encoder before the head file is read (they overlap)', async () => {
    const dir = folder();
    let encoderStarted!: () => void;
    const started = new Promise<void>((r) => (encoderStarted = r));
    const service = createModelService({
      modelBaseUrl: `${pathToFileURL(dir).href}/`,
      // head.bin is served only once the encoder is being built: a loader that read the head first would wait forever
      fetchImpl: fileFetch(dir, { file: 'head.bin', until: started }),
      encoderFactory: async () => {
        encoderStarted();
        return fakeEncoder([])();
      },
    });
    const status = await Promise.race([service.warmup(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('the head waited for the encoder, or the reverse')), 5000))]);
    expect(status).toMatchObject({ state: 'ready', tags: NT });
  });

  it('reports where the load went and warms the runtime up before the first suggestion', async () => {
    const asked: string[][] = [];
    const cold = createModelService({ modelBaseUrl: `${pathToFileURL(folder()).href}/`, fetchImpl: fileFetch(''), encoderFactory: fakeEncoder(asked) });
    const reply = await cold.suggest({ title: question.title, body: '', bodyFormat: 'markdown', k: 3 });
    expect(reply.tags.length).toBeGreaterThan(0);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toEqual(['warm up']); // first, so the suggestion does not meet the cold runtime
    expect(asked[1][0]).toContain('merge two dictionaries');
    const st = cold.status();
    expect(st).toMatchObject({ state: 'ready', phases: { encoderMs: expect.any(Number), warmupMs: expect.any(Number) } });
    if (st.state === 'ready') expect(st.phases!.encoderMs! + st.phases!.warmupMs).toBeLessThanOrEqual(st.loadMs);
  });
});

describe('provisional answers while the encoder loads (cold start)', () => {
  const fileFetch = (hold?: { file: string; until: Promise<void> }) =>
    (async (url: string | URL) => {
      const path = fileURLToPath(url);
      if (hold && path.endsWith(hold.file)) await hold.until;
      return new Response(await readFile(path));
    }) as typeof fetch;
  const gate = () => {
    let open!: () => void;
    return { opened: new Promise<void>((r) => (open = r)), open: () => open() };
  };
  const ask = { title: 'How do I merge two dictionaries in a single expression in Python?', body: 'I want `z = merge(x, y)` with the keys of both dicts.', bodyFormat: 'markdown' as const, k: 5 };

  it('answers from the TF-IDF block while the encoder loads, the same tags as the Suggester without the encoder, then the full model', async () => {
    const encoder = gate();
    let embedded = 0;
    const node = await loadNodeSuggester(MODELS);
    const service = createModelService({
      modelBaseUrl: `${pathToFileURL(folder()).href}/`,
      fetchImpl: fileFetch(),
      encoderFactory: async () => {
        await encoder.opened; // the ONNX session still loading
        const real = await createNodeEncoder(`${MODELS}/`);
        return { runtime: 'node', embed: (texts: string[]) => ((embedded += texts.length), real.embed(texts)) };
      },
    });
    let fullAnswered = false;
    const full = service.suggest({ ...ask }).then((r) => ((fullAnswered = true), r));
    const first = await service.suggest({ ...ask, provisional: true });
    expect(first.provisional).toBe(true);
    expect(first.tags.map((t) => t.name)).toEqual(node.suggestWithoutEncoder(ask, { k: 5 })!.map((t) => t.name));
    expect(first.tags[0].name).toBe('python');
    expect(embedded).toBe(0);
    expect(service.status()).toEqual({ state: 'loading' });
    await new Promise((r) => setTimeout(r, 50));
    expect(fullAnswered).toBe(false); // a request without `provisional` waits for the whole model
    encoder.open();
    const [status, answer] = await Promise.all([service.warmup(), full]);
    expect(status).toMatchObject({ state: 'ready', phases: { headMs: expect.any(Number), encoderMs: expect.any(Number) } });
    if (status.state === 'ready') expect(status.phases!.headMs!).toBeLessThanOrEqual(status.phases!.encoderMs!);
    expect(answer.provisional).toBeUndefined();
    expect(answer.tags.map((t) => t.name)).toEqual((await node.suggest(ask, { k: 5 })).map((t) => t.name));
    const after = await service.suggest({ ...ask, provisional: true }); // ready: the full model, whatever the flag
    expect(after.provisional).toBeUndefined();
    expect(after.tags.map((t) => t.name)).toEqual(answer.tags.map((t) => t.name));
  }, 60_000);

  it('the TF-IDF block alone ranks differently from the full model but finds the obvious tag, and never calls the encoder', async () => {
    const node = await loadNodeSuggester(MODELS);
    const scores = node.scoreWithoutEncoder(node.textOf(ask))!;
    expect(scores).toHaveLength(node.tags.length);
    const full = (await node.scoreTexts([node.textOf(ask)]))[0];
    expect(Array.from(scores)).not.toEqual(Array.from(full)); // the embedding and the re-ranker count in the full model
    expect(node.rank(scores, { k: 3 }).map((t) => t.name)).toContain('python');
  });

  it('the tokenizer starts only after the head files are in; the ONNX session at once', async () => {
    const head = gate();
    let tokenizerAfter: Promise<unknown> | undefined;
    let headIn = false;
    let headInWhenStarted: boolean | undefined;
    const started = gate();
    const service = createModelService({
      modelBaseUrl: `${pathToFileURL(folder()).href}/`,
      fetchImpl: fileFetch({ file: 'rerank.bin', until: head.opened }), // the last of the head's files
      encoderFactory: async (o) => {
        tokenizerAfter = o.tokenizerAfter;
        headInWhenStarted = headIn;
        started.open();
        await o.tokenizerAfter;
        expect(headIn).toBe(true);
        return { runtime: 'fake', embed: async (texts: string[]) => texts.map(() => new Float32Array(384)) };
      },
    });
    const loaded = service.warmup();
    // wait for the factory itself, not a fixed delay (a loaded CI machine took longer than 50 ms);
    // with the head's last file held back, a factory that waited for the head would never start
    // and the test would time out
    await started.opened;
    expect(headInWhenStarted).toBe(false); // the encoder was started before the head files were in
    expect(tokenizerAfter).toBeInstanceOf(Promise);
    headIn = true;
    head.open();
    expect(await loaded).toMatchObject({ state: 'ready' });
  });

  it('a provisional answer, then the encoder fails: warmup and a full request report its error', async () => {
    const encoder = gate();
    const service = createModelService({
      modelBaseUrl: `${pathToFileURL(folder()).href}/`,
      fetchImpl: fileFetch(),
      encoderFactory: async () => {
        await encoder.opened;
        throw new Error('cannot load model "all-MiniLM-L6-v2": truncated file');
      },
    });
    expect((await service.suggest({ ...ask, provisional: true })).provisional).toBe(true);
    encoder.open();
    await expect(service.warmup()).rejects.toThrow(/truncated file/);
    expect(service.status()).toMatchObject({ state: 'failed', error: expect.stringMatching(/truncated file/) });
  });
  it('after a failed load, calls fail at once with its error (no provisional answer, no new load) until the retry wait has passed; the wait doubles with each failure in a row', async () => {
    let loads = 0;
    let clock = 1_000;
    const service = createModelService({
      modelBaseUrl: `${pathToFileURL(folder()).href}/`,
      fetchImpl: fileFetch(),
      retryAfterMs: 300,
      now: () => clock,
      encoderFactory: async () => {
        loads++;
        throw new Error('cannot load model "all-MiniLM-L6-v2": truncated file');
      },
    });
    await expect(service.warmup()).rejects.toThrow(/truncated file/);
    clock += 299;
    for (let i = 0; i < 5; i++) await expect(service.suggest({ ...ask, provisional: true })).rejects.toThrow(/truncated file/); // as keystrokes would
    await expect(service.warmup()).rejects.toThrow(/truncated file/);
    expect(loads).toBe(1);
    clock += 1; // 300 ms after the failure: the next call loads again
    await expect(service.suggest({ ...ask, provisional: true })).resolves.toMatchObject({ provisional: true }); // answering as loads do
    await expect(service.warmup()).rejects.toThrow(/truncated file/);
    expect(loads).toBe(2);
    clock += 599; // a second failure in a row: 600 ms
    await expect(service.suggest(ask)).rejects.toThrow(/truncated file/);
    expect(loads).toBe(2);
    clock += 1;
    await expect(service.warmup()).rejects.toThrow(/truncated file/);
    expect(loads).toBe(3);
    for (const wait of [1_200, 2_400, 2_400]) { // 4 failures: 2,400 ms, and no longer after that
      clock += wait - 1;
      await expect(service.warmup()).rejects.toThrow(/truncated file/);
      const before = loads;
      clock += 1;
      await expect(service.warmup()).rejects.toThrow(/truncated file/);
      expect(loads).toBe(before + 1);
    }
  });

  it("frees an encoder that a failed load built: after the failure (the head's file was damaged) and when its warm-up run fails", async () => {
    const encoder = gate();
    let disposed = 0;
    const fake = (embed: () => Promise<Float32Array[]>) => ({ runtime: 'fake', embed, dispose: async () => void disposed++ });
    const damaged = (async (url: string | URL) => {
      const path = fileURLToPath(url);
      if (path.endsWith('rerank.bin')) return new Response(new Uint8Array([1, 2, 3]));
      return new Response(await readFile(path));
    }) as typeof fetch;
    const late = createModelService({
      modelBaseUrl: `${pathToFileURL(folder()).href}/`,
      fetchImpl: damaged,
      encoderFactory: async () => {
        await encoder.opened;
        return fake(async () => [new Float32Array(384)]);
      },
    });
    await expect(late.warmup()).rejects.toThrow(/rerank\.bin/);
    expect(disposed).toBe(0);
    encoder.open(); // the encoder arrives after the load failed
    await new Promise((r) => setTimeout(r, 20));
    expect(disposed).toBe(1);

    const failsToRun = createModelService({
      modelBaseUrl: `${pathToFileURL(folder()).href}/`,
      fetchImpl: fileFetch(),
      encoderFactory: async () => fake(async () => Promise.reject(new Error('out of memory'))),
    });
    await expect(failsToRun.warmup()).rejects.toThrow(/out of memory/);
    expect(disposed).toBe(2);
  });
});

describe('the scoring warm-up after a load (JIT)', () => {
  it('scores the realistic warm-up question JIT_WARMUP_ROUNDS times, one round per task, without the encoder', async () => {
    const { warmUpScoring, JIT_WARMUP_ROUNDS, WARMUP_QUESTION } = await import('../src/extension/model/service');
    const seen: string[] = [];
    const embedding = [new Float32Array(384)];
    let interleaved = 0;
    const fake = {
      textOf: (q: { title: string }) => q.title,
      scoreTexts: async (texts: string[], e?: Float32Array[]) => {
        expect(e).toBe(embedding); // the load's embedding, not a new encoder run
        seen.push(...texts);
        return [new Float32Array(3)];
      },
      rank: () => [],
    };
    // a task queued before the warm-up's second round runs between its rounds, not after all of them
    const warm = warmUpScoring(fake as never, embedding);
    setTimeout(() => (interleaved = seen.length), 0);
    await warm;
    expect(seen).toHaveLength(JIT_WARMUP_ROUNDS);
    expect(new Set(seen)).toEqual(new Set([WARMUP_QUESTION.title]));
    expect(interleaved).toBeLessThan(JIT_WARMUP_ROUNDS);
    expect(WARMUP_QUESTION.body).toMatch(/```[\s\S]*```/); // code, quotes, links, lists: the parser's paths
    expect(WARMUP_QUESTION.body).toMatch(/^> /m);
    expect(WARMUP_QUESTION.body).toMatch(/\[1\]: https?:/);
  });
});
