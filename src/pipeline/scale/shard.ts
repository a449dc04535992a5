/**
 * Deterministic shards of the questions: a question belongs to shard `sha256(site, id) mod N`, so
 * any machine computes the same partition from the question alone (no coordinator, no shared
 * state), every question is in exactly one shard, and a shard's questions do not depend on the
 * order or the other contents of the input files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { UsageError } from '../../node/errors';
import type { Question } from '../../core/types';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Most shards a run may be split into. */
export const MAX_SHARDS = 1_000_000;

/** Parses `i/N` (0 <= i < N), as `--shard` takes it; Kubernetes' `$JOB_COMPLETION_INDEX/N` fits. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(text)}: expected i/N, e.g. 0/8 (shard i of N, counted from 0)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`${flag} ${text}: N must be between 1 and ${MAX_SHARDS}`);
  if (index >= count) throw new UsageError(`${flag} ${text}: i must be below N (shards are numbered 0 to ${count - 1})`);
  return { index, count };
}

/** The shard (0 to count-1) of a question. */
export function shardOf(question: Pick<Question, 'site' | 'id'>, count: number): number {
  const digest = createHash('sha256').update(`shard\u0000${question.site}\u0000${question.id}`).digest();
  // 48 bits: exact in a double, and no visible bias for any count up to MAX_SHARDS
  return digest.readUIntBE(0, 6) % count;
}

/** `i/N`, as --shard takes it and reports print it. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** The name every segment file of a shard starts with. */
export function shardPrefix(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.`;
}

/**
 * The segment file one run of a shard writes: the shard's prefix and a writer id (host, process,
 * random), so two runs of one shard (a job taken again while its first worker still lives, a
 * retried pod) never append to the same file, on a shared volume least of all; each reads the
 * others' whole records.
 */
export function shardSegment(shard: Shard): string {
  const host = hostname().replace(/[^\w.-]+/g, '_').slice(0, 40);
  return `${shardPrefix(shard)}${host}-${process.pid}-${randomBytes(3).toString('hex')}.bin`;
}
