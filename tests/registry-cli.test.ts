/**
 * The registry loop as a user runs it (real CLI processes, real data from ../shared/data), on both
 * backends: `train` registers versions, `promote` gates the alias, `--force` is recorded, `pull`
 * checks sha256; MLflow itself (its Python client) then lists the versions, the alias and the tags,
 * from the real MLflow server and from our file store (MLFLOW_ALLOW_FILE_STORE=true).
 *
 * Needs .venv-mlflow (scripts/ci/install.sh); without it the tests fail and say so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLFLOW_PYTHON, startMlflowServer, type MlflowServer } from '../scripts/lib/mlflow-server';
import { SHARED_DATA } from './helpers/paths';
import { tagsmith as runCli } from './helpers/cli';

const tagsmith = (args: string[]) => runCli(args, { MLFLOW_TRACKING_URI: '' });

const API = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
/** 2022 questions: no model here trains on them, so both are scored on all of them. */
const EVAL = join(SHARED_DATA, 'stackoverflow-sede-2022-data-science.csv');

const dir = mkdtempSync(join(tmpdir(), 'tagsmith-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** MLflow's own client reads the registry: versions with run ids and tags, and the champion alias. */
function mlflowReads(uri: string): { versions: { version: string; run_id: string; tags: Record<string, string> }[]; champion: string } {
  const script = `
import json, sys
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
vs = sorted(c.search_model_versions("name='tagsmith'"), key=lambda v: int(v.version))
print(json.dumps({'versions': [{'version': str(v.version), 'run_id': v.run_id, 'tags': v.tags} for v in vs],
                  'champion': str(c.get_model_version_by_alias('tagsmith', 'champion').version)}))
`;
  const out = execFileSync(MLFLOW_PYTHON, ['-c', script, uri], {
    // MLflow opens its default tracking store (./mlflow.db) to look up a version's model_id: keep it out of the repository.
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_TRACKING_URI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

interface TrainJson {
  model: { dir: string };
  run: { id: string };
  registered: { name: string; version: string; source: string } | null;
}

async function train(uri: string, out: string, limit: number, tags: number, extra: string[] = []): Promise<TrainJson> {
  const r = await tagsmith([
    'train', '--data', API, '--vectorizer', 'tfidf', '--limit', String(limit), '--tags', String(tags),
    '--out', join(dir, out), '--tracking-uri', uri, '--experiment', 'registry-test', '--json', ...extra,
  ]);
  expect(r.stderr).not.toContain('error');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const promote = (uri: string, version: string, extra: string[] = []) =>
  tagsmith(['promote', '--version', version, '--data', EVAL, '--tracking-uri', uri, '--json', ...extra]);

/**
 * The scenario on one backend. `modelArtifacts(runId)` is where the backend keeps a run's model/
 * files on disk (to tamper with one).
 */
function scenario(label: string, getUri: () => string, modelArtifacts: (runId: string) => string): void {
  describe(`registry loop: ${label}`, () => {
    let v1: TrainJson, v2: TrainJson, v3: TrainJson;

    it('train registers each model as the next version of "tagsmith"; --no-register does not', async () => {
      v1 = await train(getUri(), `${label}-v1`, 500, 20);
      v2 = await train(getUri(), `${label}-v2`, 100, 5);
      v3 = await train(getUri(), `${label}-v3`, 500, 20); // the same training as v1
      const none = await train(getUri(), `${label}-none`, 100, 5, ['--no-register']);
      expect([v1, v2, v3].map((t) => t.registered?.version)).toEqual(['1', '2', '3']);
      expect(none.registered).toBeNull();
      expect(v1.registered!.source).toMatch(new RegExp(`${v1.run.id}/artifacts/model$`));
    }, 240_000);

    it('promote: the first version takes the free alias; a worse candidate is refused, side by side, and the alias stays', async () => {
      const first = await promote(getUri(), '1');
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ promoted: true, forced: false, champion: null, candidate: '1', questions: 1475 });

      const worse = await promote(getUri(), '2');
      expect(worse.code).toBe(1);
      expect(worse.stderr).toMatch(/not promoted: version 2 is worse than version 1 on .*tag coverage/);
      const decision = JSON.parse(worse.stdout);
      expect(decision).toMatchObject({ promoted: false, champion: '1', candidate: '2', questions: 1475 });
      const coverage = decision.checks.find((c: { metric: string }) => c.metric === 'tag coverage');
      expect(coverage.candidate).toBeLessThan(coverage.champion);
      expect(coverage.ok).toBe(false);
    }, 120_000);

    it('promote: a candidate as good as the champion (same training) passes every check', async () => {
      const same = await promote(getUri(), '3');
      expect(same.code).toBe(0);
      const decision = JSON.parse(same.stdout);
      expect(decision).toMatchObject({ promoted: true, forced: false, champion: '1', candidate: '3' });
      expect(decision.checks.map((c: { metric: string; ok: boolean }) => [c.metric, c.ok])).toEqual([
        ['P@1', true], ['R@5', true], ['micro-F1', true], ['tag coverage', true],
      ]);
      for (const c of decision.checks) expect(c.candidate).toBeCloseTo(c.champion, 12);
    }, 120_000);

    it('promote --force moves the alias past a failing gate and records it on the version', async () => {
      const forced = await promote(getUri(), '2', ['--force']);
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({ promoted: true, forced: true, champion: '3', candidate: '2' });
    }, 120_000);

    it('MLflow itself lists the three versions with their runs, the alias and the forced tag', () => {
      const got = mlflowReads(getUri());
      expect(got.champion).toBe('2');
      expect(got.versions.map((v) => [v.version, v.run_id])).toEqual([
        ['1', v1.run.id], ['2', v2.run.id], ['3', v3.run.id],
      ]);
      expect(got.versions[1].tags['tagsmith.promotion.forced']).toMatch(/^champion: set by --force/);
      expect(JSON.parse(got.versions[2].tags['tagsmith.promotion.champion'])).toMatchObject({ replaced: '1', questions: 1475 });
      expect(Object.keys(JSON.parse(got.versions[0].tags['tagsmith.files'])).sort()).toEqual(['head.bin', 'tagsmith.json', 'tfidf.json']);
    }, 60_000);

    it('pull fetches the champion, byte for byte the files train exported', async () => {
      const out = join(dir, `${label}-pulled`);
      const r = await tagsmith(['pull', '--alias', 'champion', '--out', out, '--tracking-uri', getUri(), '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ version: '2', files: ['head.bin', 'tagsmith.json', 'tfidf.json'] });
      for (const f of readdirSync(out)) expect(readFileSync(join(out, f))).toEqual(readFileSync(join(v2.model.dir, f)));
    }, 60_000);

    it('pull refuses a version whose stored file changed, and writes nothing', async () => {
      const head = join(modelArtifacts(v3.run.id), 'head.bin');
      const bytes = readFileSync(head);
      bytes[bytes.length - 1] ^= 0xff;
      writeFileSync(head, bytes);
      const out = join(dir, `${label}-tampered`);
      const r = await tagsmith(['pull', '--version', '3', '--out', out, '--tracking-uri', getUri()]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/version 3 .* failed its sha256 check, nothing written .*head\.bin has sha256 [0-9a-f]{64}, registered [0-9a-f]{64}/);
      expect(existsSync(out)).toBe(false);
    }, 60_000);
  });
}

const store = join(dir, 'mlruns');
/** A run's artifact directory in the file store, from its meta.yaml (whatever the experiment id). */
function fileStoreArtifacts(runId: string): string {
  for (const exp of readdirSync(store)) {
    const meta = join(store, exp, runId, 'meta.yaml');
    if (existsSync(meta)) return fileURLToPath(/artifact_uri: (\S+)/.exec(readFileSync(meta, 'utf8'))![1]) + '/model';
  }
  throw new Error(`run ${runId} not in ${store}`);
}
scenario('file store', () => store, fileStoreArtifacts);

let server: MlflowServer | undefined;
beforeAll(async () => {
  server = await startMlflowServer();
}, 120_000);
afterAll(async () => server?.stop());
/** The server keeps artifacts under <dir>/artifacts/<experiment>/<run>/artifacts. */
function serverArtifacts(runId: string): string {
  const root = join(server!.dir, 'artifacts');
  for (const exp of readdirSync(root)) if (existsSync(join(root, exp, runId))) return join(root, exp, runId, 'artifacts', 'model');
  throw new Error(`run ${runId} not in ${root}`);
}
scenario('MLflow server', () => server!.url, serverArtifacts);
