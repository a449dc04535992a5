/**
 * The one error type ingestion throws for a file it cannot read at all (missing, unknown format,
 * corrupt). Row-level problems are never thrown: they are counted as skips in the file's report.
 */
export class IngestError extends Error {
  /** The file the problem is in, as given by the caller. */
  readonly file: string;
  /** 1-based line of the problem, when known. */
  readonly line?: number;

  /**
   * @param file the file concerned
   * @param message what is wrong and how to fix it (the file and line are prefixed automatically)
   * @param line 1-based line, when known
   */
  constructor(file: string, message: string, line?: number) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
    this.name = 'IngestError';
    this.file = file;
    if (line !== undefined) this.line = line;
  }
}

/** Wraps any error thrown while reading `file` into an IngestError (IngestErrors pass through). */
export function asIngestError(file: string, err: unknown, line?: number): IngestError {
  if (err instanceof IngestError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/unexpected end of file|incorrect header check|invalid (block|distance|stored)/i.test(msg)) {
    return new IngestError(file, `the gzip data is truncated or corrupt (${msg}); download or compress the file again`, line);
  }
  return new IngestError(file, `could not be read: ${msg}`, line);
}
