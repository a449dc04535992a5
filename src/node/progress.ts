/**
 * Progress bars for long CLI steps (cli-progress), on stderr so `--json` output stays clean.
 * Off when stderr is not a terminal or when `CI=true`: then each step logs one line when it ends.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advance to `value` (absolute) out of `total`. */
  update(value: number, total?: number): void;
  stop(): void;
}

export function progressEnabled(): boolean {
  return Boolean(process.stderr.isTTY) && process.env.CI !== 'true' && process.env.TAGSMITH_PROGRESS !== '0';
}

export function startProgress(label: string, total: number, unit = 'items'): Progress {
  const started = Date.now();
  if (!progressEnabled()) {
    let last = 0;
    return {
      update(value) {
        last = value;
      },
      stop() {
        if (process.env.TAGSMITH_QUIET !== '1') {
          process.stderr.write(`${label}: ${last.toLocaleString('en-US')} ${unit} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        }
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(22)} {bar} {percentage}% | {value}/{total} ${unit} | {duration_formatted} (eta {eta_formatted})`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, total), 0);
  return {
    update(value, newTotal) {
      if (newTotal !== undefined) bar.setTotal(Math.max(1, newTotal));
      bar.update(value);
    },
    stop() {
      bar.stop();
    },
  };
}

/** Runs `fn` with a progress bar that is always stopped, even when `fn` throws. */
export async function withProgress<T>(label: string, total: number, unit: string, fn: (p: Progress) => Promise<T>): Promise<T> {
  const p = startProgress(label, total, unit);
  try {
    return await fn(p);
  } finally {
    p.stop();
  }
}
