/** The tags MLflow's own client sets on every run (source, user, git commit), computed for a Node process. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { relative } from 'node:path';
import { checkKey, checkTagValue } from './validate';

export const TAG_RUN_NAME = 'mlflow.runName';
export const TAG_GIT_COMMIT = 'mlflow.source.git.commit';
export const TAG_SOURCE_NAME = 'mlflow.source.name';
export const TAG_SOURCE_TYPE = 'mlflow.source.type';
export const TAG_USER = 'mlflow.user';

/** The HEAD commit of the git work tree containing `cwd`, or undefined (no git, not a repo, no commit yet). */
export function gitCommit(cwd: string = process.cwd()): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** The OS user name (what MLflow records as `user_id`), or 'unknown'. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** The entry script, relative to the working directory when inside it (MLflow uses `sys.argv[0]`). */
export function sourceName(): string {
  const script = process.argv[1];
  if (!script) return 'node';
  const rel = relative(process.cwd(), script);
  return rel && !rel.startsWith('..') ? rel : script;
}

/** A readable unique run name like `run-20261128-135501-a3f9` (UTC), used when the caller gives none. */
export function defaultRunName(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${randomBytes(2).toString('hex')}`;
}

export interface RunContext {
  runName: string;
  user: string;
  tags: Record<string, string>;
}

/**
 * Run name, user and the full tag set for a new run: the automatic tags first, then the caller's,
 * which win.
 */
export function runContext(runName: string | undefined, callerTags: Record<string, string> | undefined, cwd?: string): RunContext {
  const user = currentUser();
  const name = runName ?? callerTags?.[TAG_RUN_NAME] ?? defaultRunName();
  const tags: Record<string, string> = {
    [TAG_RUN_NAME]: name,
    [TAG_SOURCE_NAME]: sourceName(),
    [TAG_SOURCE_TYPE]: 'LOCAL',
    [TAG_USER]: user,
  };
  const commit = gitCommit(cwd);
  if (commit) tags[TAG_GIT_COMMIT] = commit;
  Object.assign(tags, callerTags ?? {});
  if (runName !== undefined) tags[TAG_RUN_NAME] = runName;
  return { runName: tags[TAG_RUN_NAME], user, tags };
}

/** {@link runContext} with every tag checked as MLflow would (both backends start runs through this). */
export function checkedRunContext(runName: string | undefined, callerTags: Record<string, string> | undefined): RunContext {
  const ctx = runContext(runName, callerTags);
  for (const [k, v] of Object.entries(ctx.tags)) {
    checkKey('tag', k);
    checkTagValue(k, v);
  }
  return ctx;
}
