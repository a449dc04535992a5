/**
 * The `tagsmith` command line: ingest, train, evaluate, suggest, runs, drift, embed, worker, serve.
 * Each command (src/cli/commands/) is a thin layer over the pipeline, tracking, drift or server;
 * errors are printed as one clear message with a non-zero exit (set TAGSMITH_DEBUG=1 for the stack).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { DEFAULT_MODEL_DIR, DEFAULT_TAGS, DEFAULT_TRAINING_DATA } from '../node/paths';
import { DEFAULT_TRAIN } from '../pipeline/train-defaults';
import { UsageError } from '../node/errors';

function positiveInt(name: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max} (got "${value}").`);
    }
    return n;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number above 0 (got "${value}").`);
    return n;
  };
}


export function buildProgram(): Command {
  const program = new Command('tagsmith')
    .description('Stack Overflow tag suggestions: ingest exports, train and evaluate the tag model, suggest tags.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('ingest')
    .description('Read Stack Overflow exports (Data Explorer CSV, Posts.xml, API JSON), print counts, optionally write the normalised questions as JSON lines.')
    .requiredOption('--data <file...>', 'input files (any of the three formats, gzip or not)')
    .option('--out <file>', 'write the de-duplicated questions here as JSON lines (.gz to compress)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { data: string[]; out?: string; json?: boolean }) => {
      const { runIngest } = await import('./commands/ingest');
      await runIngest(opts);
    });

  program
    .command('train')
    .description('Train the tag head and export it (default: into models/).')
    .option('--data <file...>', 'training files (default: the five Stack Overflow files in ../shared/data)')
    .option('--out <dir>', 'directory to export the model to', DEFAULT_MODEL_DIR)
    .addOption(new Option('--vectorizer <kind>', 'text features').choices(['tfidf', 'embeddings', 'hybrid']).default('hybrid'))
    .option('--tags <n>', 'vocabulary size: the N most frequent tags', positiveInt('--tags', 1, 5000), DEFAULT_TAGS)
    .option('--seed <n>', 'seed of the train/validation/test split and of the SVM row order', positiveInt('--seed', 0), 42)
    .addOption(new Option('--head <learner>', 'svc: SVM on TF-IDF + ridge on embeddings; logreg: L-BFGS logistic regression (the 200-tag model)').choices(['svc', 'logreg']).default(DEFAULT_TRAIN.head))
    .option('--C <c>', `regularisation (scikit-learn C; default ${DEFAULT_TRAIN.svcC} for svc, ${DEFAULT_TRAIN.C} for logreg)`, positiveNumber('--C'))
    .option('--keep <n>', `svc head: TF-IDF weights kept per tag, 0 for all (default ${DEFAULT_TRAIN.keep})`, positiveInt('--keep', 0))
    .option('--threads <n>', 'svc head: training threads (default: the cores available)', positiveInt('--threads', 1))
    .option('--no-rerank', 'svc head, hybrid: no re-ranker (neighbours\' votes and trees over the head\'s candidates); the head\'s scores are final')
    .option('--class-weight <mode>', 'none or balanced', 'none')
    .option('--max-epochs <n>', `optimiser epoch cap (default ${DEFAULT_TRAIN.maxEpochs})`, positiveInt('--max-epochs'))
    .option('--max-features <n>', `TF-IDF vocabulary size (default ${DEFAULT_TRAIN.maxFeatures})`, positiveInt('--max-features'))
    .option('--limit <n>', 'use only the first N questions (after de-duplication), for quick runs', positiveInt('--limit'))
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--json', 'print the evaluation as JSON')
    .option('--tracking-uri <uri>', 'MLflow server (http://host:port) or file store path/file:// URI (default: MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--experiment <name>', 'MLflow experiment of the run', 'tagsmith-train')
    .option('--run-name <name>', 'MLflow run name (default: run-<UTC time>-<random>)')
    .option('--no-track', 'do not log the run to MLflow')
    .option('--register <name>', 'register the model as a new version of this MLflow registered model (needs tracking)', 'tagsmith')
    .option('--no-register', 'do not register the model')
    .action(async (opts) => {
      const { runTrainCommand } = await import('./commands/train');
      await runTrainCommand({ ...opts, data: opts.data ?? DEFAULT_TRAINING_DATA });
    });

  program
    .command('evaluate')
    .description('Evaluate a model on any ingestible files.')
    .requiredOption('--data <file...>', 'evaluation files')
    .option('--model <dir>', 'model directory', DEFAULT_MODEL_DIR)
    .addOption(
      new Option('--part <part>', "which questions: all, or only the model's own test/validation part of the split")
        .choices(['all', 'test', 'validation', 'unseen'])
        .default('all'),
    )
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      const { runEvaluateCommand } = await import('./commands/evaluate');
      await runEvaluateCommand(opts);
    });

  program
    .command('suggest')
    .description('Suggest tags for one question.')
    .requiredOption('--title <title>', 'question title')
    .option('--body <body>', 'question body', '')
    .addOption(new Option('--body-format <format>', 'how the body is written').choices(['markdown', 'html', 'text']).default('markdown'))
    .option('--k <k>', 'number of tags', positiveInt('--k', 1, 20), 5)
    .option('--model <dir>', 'model directory', DEFAULT_MODEL_DIR)
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runSuggestCommand } = await import('./commands/suggest');
      await runSuggestCommand(opts);
    });

  program
    .command('runs')
    .description('Write a static HTML page of the tracked experiments and runs (MLflow file store or server).')
    .option('--tracking-uri <uri>', 'MLflow server (http://host:port) or file store path/file:// URI (default: MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--out <dir>', 'directory of the page (index.html)', 'runs-report')
    .option('--json', 'print where the page went as JSON')
    .action(async (opts: { trackingUri?: string; out: string; json?: boolean }) => {
      const { runRunsCommand } = await import('./commands/runs');
      await runRunsCommand(opts);
    });

  program
    .command('drift')
    .description('Drift monitoring: per-period model quality and text drift against a reference period; HTML reports and drift.json.')
    .requiredOption('--data <file...>', 'question files with creation dates (any ingestible format)')
    .requiredOption('--reference <period>', 'reference period: 2010-01 (month), 2010-Q1 (quarter) or 2010 (year)')
    .option('--months <periods>', 'periods to compare: a range 2010-02..2010-12 or a list 2018,2022 (default: the later periods with data, at most 12)')
    .addOption(new Option('--by <unit>', 'period length (default: as the reference is written)').choices(['month', 'quarter', 'year']))
    .option('--model <dir>', 'model directory', DEFAULT_MODEL_DIR)
    .option('--min-questions <n>', 'periods with fewer questions are listed, not analysed', positiveInt('--min-questions', 3), 50)
    .option('--sample <n>', 'questions sampled per period (seeded)', positiveInt('--sample', 3), 800)
    .option('--seed <n>', 'seed of the sampling and the domain classifier folds', positiveInt('--seed', 0), 42)
    .addOption(new Option('--text <what>', 'title: ignore bodies (compare files with bodies fairly against a titles-only export)').choices(['full', 'title']).default('full'))
    .option('--out <dir>', 'report directory (index.html, a page per period, drift.json)', 'drift-report')
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--tracking-uri <uri>', 'log the report directory as artifacts of a run on this MLflow server or file store (not logged without it)')
    .option('--experiment <name>', 'MLflow experiment of the run', 'tagsmith-drift')
    .option('--json', 'print a JSON summary')
    .action(async (opts) => {
      const { runDriftCommand } = await import('./commands/drift');
      await runDriftCommand(opts);
    });

  program
    .command('promote')
    .description(
      'Promotion gate: give a registered version the alias (default champion) only if, on the same --data questions neither ' +
        'model trained on, it is within 0.5 points of the current holder on P@1, R@5 and micro-F1 and covers no fewer gold tags.',
    )
    .requiredOption('--version <n>', 'the candidate version')
    .requiredOption('--data <file...>', 'evaluation files (questions either model trained on are left out)')
    .option('--name <name>', 'registered model', 'tagsmith')
    .option('--alias <alias>', 'alias to move', 'champion')
    .option('--force', 'set the alias even if the gate fails (recorded as version tag tagsmith.promotion.forced)')
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--tracking-uri <uri>', 'MLflow server (http://host:port) or file store path/file:// URI (default: MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--json', 'print the decision as JSON')
    .action(async (opts) => {
      const { runPromoteCommand } = await import('./commands/promote');
      await runPromoteCommand(opts);
    });

  program
    .command('pull')
    .description("Download a registered version's model files into a directory, each checked against the sha256 recorded at registration.")
    .requiredOption('--out <dir>', 'directory to write the model files to')
    .option('--name <name>', 'registered model', 'tagsmith')
    .option('--alias <alias>', 'the version this alias points to (default: champion)')
    .option('--version <n>', 'this version number instead of an alias')
    .option('--tracking-uri <uri>', 'MLflow server (http://host:port) or file store path/file:// URI (default: MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--json', 'print what was pulled as JSON')
    .action(async (opts) => {
      const { runPullCommand } = await import('./commands/pull');
      await runPullCommand(opts);
    });

  program
    .command('retrain')
    .description(
      'Retrain from drift: train a candidate on the --data questions created before --holdout-from, register it, and promote it ' +
        'through the gate (see promote) scored on the held-out newest period, which neither model trained on.',
    )
    .requiredOption('--data <file...>', 'reference data plus newer data (files with creation dates)')
    .requiredOption('--holdout-from <period>', 'questions created from this year/month/day on (2021, 2021-03, 2021-03-15) score the models; older ones train')
    .option('--name <name>', 'registered model', 'tagsmith')
    .option('--alias <alias>', 'alias to move when the candidate passes', 'champion')
    .addOption(new Option('--vectorizer <kind>', 'text features').choices(['tfidf', 'embeddings', 'hybrid']).default('hybrid'))
    .option('--tags <n>', 'vocabulary size', positiveInt('--tags', 1, 5000), 200)
    .option('--seed <n>', 'seed of the train/validation/test split', positiveInt('--seed', 0), 42)
    .option('--limit <n>', 'train on only N questions, for quick runs', positiveInt('--limit'))
    .option('--work-dir <dir>', 'where the training part and the candidate model are written', 'retrain')
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--tracking-uri <uri>', 'MLflow server (http://host:port) or file store path/file:// URI (default: MLFLOW_TRACKING_URI, else ./mlruns)')
    .option('--experiment <name>', 'MLflow experiment of the candidate run', 'tagsmith-train')
    .option('--json', 'print the decision as JSON')
    .action(async (opts) => {
      const { runRetrainCommand } = await import('./commands/retrain');
      await runRetrainCommand(opts);
    });

  program
    .command('embed')
    .description(
      'Fill the embedding cache (what train, evaluate and drift read) for data files: all questions, or one deterministic shard ' +
        '(--shard i/N, by a hash of site and id) so machines can split the work; --workers K threads on this machine.',
    )
    .option('--data <file...>', 'data files (default: the five Stack Overflow files in ../shared/data)')
    .option('--shard <i/N>', 'only shard i of N (0 <= i < N), e.g. $JOB_COMPLETION_INDEX/64 in a Kubernetes Indexed Job')
    .option('--cache <dir>', 'embedding cache directory (a shard writes its own segment file there; copying segment files into one folder merges caches)', '.cache/embeddings')
    .option('--workers <k>', 'embedding worker threads (each its own ONNX session; vectors equal one worker\'s bit for bit)', positiveInt('--workers', 1, 256), 1)
    .option('--bucket <s3url>', 'S3-compatible storage (s3://BUCKET/PREFIX; AWS_* variables, AWS_ENDPOINT_URL for MinIO etc.): resume the shard from it, upload its segment when done')
    .option('--pull', 'with --bucket: download every shard\'s segment into --cache (the merge train and drift read), embed nothing')
    .option('--queue <url>', 'a BullMQ queue on Redis (redis://HOST:PORT): with --enqueue, add the shards as jobs for `tagsmith worker` processes')
    .option('--enqueue', 'with --queue: split the data into --shards jobs instead of embedding here')
    .option('--shards <n>', 'with --enqueue: number of shard jobs', positiveInt('--shards', 1, 1_000_000))
    .option('--attempts <n>', 'with --enqueue: tries per shard before it is reported failed', positiveInt('--attempts', 1, 100), 3)
    .option('--wait', 'with --enqueue: wait until every shard is done or failed, report, exit 1 if any failed')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { data?: string[]; shard?: string; cache: string; workers: number; bucket?: string; pull?: boolean; queue?: string; enqueue?: boolean; shards?: number; attempts: number; wait?: boolean; json?: boolean }, cmd: Command) => {
      const { runEmbedCommand } = await import('./commands/embed');
      const cacheGiven = cmd.getOptionValueSource('cache') === 'cli';
      await runEmbedCommand({ ...opts, data: opts.data ?? DEFAULT_TRAINING_DATA, cacheGiven });
    });

  program
    .command('worker')
    .description('Take embedding shard jobs from a BullMQ queue on Redis (added by tagsmith embed --queue URL --enqueue) until stopped (SIGTERM/SIGINT finish the job at hand).')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT')
    .option('--cache <dir>', "embedding cache directory shared by the workers (default: the one the job names, else .cache/embeddings)")
    .option('--workers <k>', 'embedding threads per job', positiveInt('--workers', 1, 256), 1)
    .option('--bucket <s3url>', 'S3-compatible storage for the shards\' segments (s3://BUCKET/PREFIX), when the workers share no folder')
    .option('--name <name>', 'this worker\'s name in the queue (default: host:pid)')
    .option('--lock-ms <ms>', 'job lock time: a worker that died mid-job gives its job to another after about this long', positiveInt('--lock-ms', 1000, 3_600_000), 30_000)
    .action(async (opts: { queue: string; cache?: string; workers: number; bucket?: string; name?: string; lockMs: number }) => {
      const { runWorkerCommand } = await import('./commands/embed');
      await runWorkerCommand(opts);
    });

  program
    .command('serve')
    .description('Serve the HTTP API: POST /predict/, Swagger UI at /docs, a demo page at /.')
    .option('--port <n>', 'port to listen on (0: any free port)', positiveInt('--port', 0, 65535), Number(process.env.PORT ?? 3000))
    .option('--host <host>', 'interface to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--model <dir>', 'model directory', DEFAULT_MODEL_DIR)
    .option('--queue-size <n>', 'requests allowed to wait for inference before answering 503', positiveInt('--queue-size', 0, 10_000), 16)
    .action(async (opts: { port: number; host: string; model: string; queueSize: number }) => {
      const { runServeCommand } = await import('./commands/serve');
      await runServeCommand(opts);
    });

  return program;
}

/** Runs the CLI; never throws: prints a clear error and sets the exit code instead. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the message (and help where relevant).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`tagsmith: error: ${message}\n`);
    if (process.env.TAGSMITH_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

