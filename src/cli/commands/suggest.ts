import type { BodyFormat } from '../../core/types';
import { loadNodeSuggester } from '../../pipeline/model-io';
import { UsageError } from '../../node/errors';

export async function runSuggestCommand(opts: { title: string; body: string; bodyFormat: BodyFormat; k: number; model: string; json?: boolean }): Promise<void> {
  if (!opts.title.trim() && !opts.body.trim()) throw new UsageError('--title (or --body) must contain some text');
  const suggester = await loadNodeSuggester(opts.model);
  const tags = await suggester.suggest({ title: opts.title, body: opts.body, bodyFormat: opts.bodyFormat }, { k: opts.k });
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ tags: tags.map((t) => ({ name: t.name, score: Number(t.score.toFixed(4)) })), model: { version: suggester.version } })}\n`,
    );
    return;
  }
  for (const t of tags) {
    process.stdout.write(`${t.name.padEnd(24)} ${t.score.toFixed(3)}${t.confident ? '' : '  (below its threshold ' + t.threshold.toFixed(2) + ')'}\n`);
  }
  process.stdout.write(`model ${suggester.version}\n`);
}
