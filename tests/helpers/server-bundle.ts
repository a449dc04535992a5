/**
 * Builds the server bundle with the real script (scripts/bundle-server.ts, as `npm run bundle:server`
 * does) and runs it the way a platform does: `node server.js` from inside its own directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { REPO } from './paths';

export interface BuiltBundle {
  stdout: string;
  status: number | null;
}

/** Runs scripts/bundle-server.ts; returns its output and exit status (never throws). */
export function buildBundle(args: string[]): BuiltBundle {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bundle-server.ts', ...args], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  return { stdout: `${r.stdout}${r.stderr}`, status: r.status };
}

export interface RunningBundle {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM, resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** Starts `node server.js --port 0` in `dir` (no NODE_PATH, nothing from the repository) and waits for it to listen. */
export async function startBundle(dir: string, timeoutMs = 60_000): Promise<RunningBundle> {
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['server.js', '--port', '0', '--host', '127.0.0.1'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bundle did not listen within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const poll = setInterval(() => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`bundle exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
