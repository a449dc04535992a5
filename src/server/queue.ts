/**
 * Bounded inference queue. Inference is CPU-bound (the encoder uses every core for one question),
 * so running many at once only makes each slower; instead `concurrency` run and at most `capacity`
 * wait. A request that finds the queue full is refused at once (the route answers 503 with
 * Retry-After) rather than piling up until clients time out.
 *
 * Built on fastq (the queue fastify's own plugin loader uses); this file adds the bound, the
 * skip of requests whose client has gone, and the service-time estimate behind Retry-After.
 */
import fastq from 'fastq';

export class QueueFullError extends Error {
  readonly statusCode = 503;
  constructor(readonly retryAfterSeconds: number, capacity: number) {
    super(`the inference queue is full (${capacity} waiting); retry in ${retryAfterSeconds} s`);
    this.name = 'QueueFullError';
  }
}

export interface QueueOptions {
  /** Requests waiting at most (not counting the running ones). 0: refuse whenever all workers are busy. */
  capacity: number;
  /** Inferences running at once. */
  concurrency: number;
}

interface Task<R> {
  run: () => Promise<R>;
  /** True when the result is no longer wanted (client disconnected): the task is skipped. */
  cancelled?: () => boolean;
}

export class InferenceQueue {
  private readonly queue: fastq.queueAsPromised<Task<unknown>, unknown>;
  /** Exponentially weighted mean service time in ms (drives Retry-After). */
  private meanMs = 50;
  private skipped = 0;

  constructor(readonly options: QueueOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 0) throw new Error(`queue capacity must be an integer >= 0 (got ${options.capacity})`);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error(`queue concurrency must be an integer >= 1 (got ${options.concurrency})`);
    this.queue = fastq.promise(async (task: Task<unknown>) => {
      if (task.cancelled?.()) {
        this.skipped++;
        return undefined;
      }
      const t0 = performance.now();
      try {
        return await task.run();
      } finally {
        this.meanMs = 0.8 * this.meanMs + 0.2 * (performance.now() - t0);
      }
    }, options.concurrency);
  }

  get running(): number {
    return this.queue.running();
  }

  get waiting(): number {
    return this.queue.length();
  }

  /** Tasks dropped because their client went away while they waited. */
  get skippedCount(): number {
    return this.skipped;
  }

  /** Seconds after which a refused client should retry: the time to drain what is queued now (>= 1). */
  retryAfterSeconds(): number {
    const backlog = (this.waiting + this.running) / this.options.concurrency;
    return Math.max(1, Math.ceil((backlog * this.meanMs) / 1000));
  }

  get full(): boolean {
    return this.running >= this.options.concurrency && this.waiting >= this.options.capacity;
  }

  /** Throws QueueFullError when a task submitted now would be refused (lets a route refuse before reading the body). */
  assertRoom(): void {
    if (this.full) throw new QueueFullError(this.retryAfterSeconds(), this.options.capacity);
  }

  /**
   * Runs `run` when a worker is free. Throws QueueFullError at once when `capacity` tasks already
   * wait. Resolves to undefined when `cancelled()` is true by the time the task's turn comes.
   */
  async submit<R>(run: () => Promise<R>, cancelled?: () => boolean): Promise<R | undefined> {
    this.assertRoom();
    return (await this.queue.push({ run, cancelled })) as R | undefined;
  }

  /** Resolves when nothing runs or waits. */
  async drained(): Promise<void> {
    if (!this.queue.idle()) await this.queue.drained();
  }
}
