/**
 * vitest globalSetup: makes `npm test` pass by itself on a fresh machine of this project's kind.
 * Before any test file runs it
 * - creates the four Python venvs the tests use (reference values, a real MLflow server,
 *   schemathesis, the deployment linters and an S3-compatible server) through the same scripts CI
 *   uses; cached by a hash of each requirements file,
 *   so once they exist this costs no pip run;
 * - finds the browsers the extension's end-to-end tests drive (Debian's chromium and firefox-esr),
 *   ffmpeg (the demo video's check) and redis-server (the embedding queue's fault tests); when one is missing it installs them with apt-get if it
 *   runs as root on Debian (as CI and the project's machines do), else prints the one command to
 *   run (the tests that need them then fail saying which binary is missing; the others run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/node/paths';
import { CHROMIUM } from '../../scripts/lib/extension';
import { FIREFOX } from '../../scripts/lib/firefox';

const onPath = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** What the tests run, and the Debian package that brings it. */
const SYSTEM_TOOLS = [
  { found: () => existsSync(CHROMIUM), pkg: 'chromium' },
  { found: () => existsSync(FIREFOX), pkg: 'firefox-esr' },
  { found: () => onPath('ffmpeg') && onPath('ffprobe'), pkg: 'ffmpeg' },
  { found: () => onPath('redis-server'), pkg: 'redis-server' }, // the scale-out queue's fault tests
];

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

function ensureVenvs(): void {
  const started = Date.now();
  run('bash', ['-c', 'source scripts/ci/venv.sh && make_venv .venv scripts/python/requirements.txt']);
  run('bash', ['scripts/ci/mlflow.sh', 'install']);
  run('bash', ['scripts/ci/schemathesis.sh', 'install']);
  run('bash', ['scripts/ci/deploy-lint.sh', 'install']);
  process.stdout.write(`test setup: Python venvs ready (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function ensureSystemTools(): void {
  const missing = SYSTEM_TOOLS.filter((t) => !t.found()).map((t) => t.pkg);
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    process.stderr.write(`test setup: the browser, video and queue tests need ${missing.join(', ')} (Debian packages): run 'sudo ${line}'\n`);
    return;
  }
  process.stdout.write(`test setup: installing ${missing.join(', ')} (Debian): ${line}\n`);
  run('bash', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${line} -qq >/dev/null`]);
}

export default function setup(): void {
  if (!existsSync(join(PACKAGE_ROOT, 'node_modules'))) throw new Error('run npm ci first');
  ensureSystemTools();
  ensureVenvs();
}
