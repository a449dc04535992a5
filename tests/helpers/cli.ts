/** Runs the `tagsmith` CLI as a user does: a real process (node bin/tagsmith.js) from the repository root. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './paths';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function tagsmith(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO, 'bin/tagsmith.js'), ...args],
      { cwd: REPO, env: { ...process.env, CI: 'true', TAGSMITH_QUIET: '1', ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
