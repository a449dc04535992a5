/** The `tagsmith retrain` command a "retrain" verdict calls for (printed by the CLI and the report). */

const shellQuote = (s: string) => (/^[\w./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Retrain on the drift data (reference period and newer ones), holding out the newest analysed
 * period to score champion and candidate on, with the vectorizer of the monitored model.
 */
export function retrainCommand(dataFiles: readonly string[], newestPeriod: string, vectorizer: string): string {
  return ['tagsmith', 'retrain', '--data', ...dataFiles, '--holdout-from', newestPeriod, '--vectorizer', vectorizer].map(shellQuote).join(' ');
}
