import { resolve } from 'node:path';
import { writeRunsPage } from '../../tracking/runs-page';
import { resolveTrackingUri } from '../../tracking';

export interface RunsCommandOptions {
  trackingUri?: string;
  out: string;
  json?: boolean;
}

/** `tagsmith runs`: writes the static runs page of a tracking store (file store or MLflow server). */
export async function runRunsCommand(opts: RunsCommandOptions): Promise<void> {
  const out = resolve(opts.out);
  const uri = resolveTrackingUri(opts.trackingUri);
  let page;
  try {
    page = await writeRunsPage(uri, out);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot read runs from ${uri}: ${msg}. Pass --tracking-uri with an MLflow file store (e.g. ./mlruns, written by \`tagsmith train\`) or a server URL (http://host:port).`,
    );
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(page)}\n`);
  else process.stdout.write(`runs page: ${page.file} (${page.experiments} experiment(s), ${page.runs} run(s) from ${page.source})\n`);
}
