import type { Worker } from 'node:worker_threads';
import { type AuditEvent, type AuditSink, parseConfig } from '@parapet/core';
import { z } from 'zod';
import {
  createJsonlWriter,
  type JsonlErrorOperation,
  type JsonlWriterOptions,
  type JsonlWriterStats,
} from './jsonl-writer.js';
import { BatchQueue, type BatchQueueOptions, type QueueStats } from './queue.js';
import { CURRENT_WORKER, WorkerChannel } from './worker-channel.js';

/**
 * Appends audit events to a JSON Lines file, one hash-chained record per line. The caller's `write()` only
 * queues; batches are written with one `writeSync` each on an fd opened once. Rotation by size or age
 * closes the file with a checkpoint, renames it to `<stem>.<UTC time>.jsonl` (sortable) and, with `gzip`,
 * compresses it in the background; the chain continues in the next file so a series verifies as one.
 *
 * With `thread: true` the file side (hash chain, rotation, gzip, writes) runs in a worker thread: the
 * caller's thread serializes each batch (`JSON.stringify`, the only step that needs the event objects) and
 * hands the text over. See `docs/audit.md` for when that pays.
 */

export type { JsonlErrorOperation } from './jsonl-writer.js';

export interface JsonlSinkOptions {
  /** The active file, e.g. `audit/parapet.jsonl`; the directory is created if missing. */
  readonly path: string;
  /** Rotate when the file reaches `maxBytes` or is older than `maxAgeMs` (checked when a batch is written). */
  readonly rotate?: { readonly maxBytes?: number; readonly maxAgeMs?: number };
  /** Gzip rotated files in the background (`<name>.jsonl.gz`); `flush()`/`close()` wait for them. */
  readonly gzip?: boolean;
  /** Hash chain options; `false` writes bare events (no tamper evidence). Default: SHA-256 chain. */
  readonly chain?: { readonly key?: string | Buffer; readonly checkpointEvery?: number } | false;
  readonly queue?: BatchQueueOptions;
  /**
   * Hash and write in a worker thread (started at the first batch). At most `queue.maxQueue` events are
   * handed over and not yet written; past that the next batch waits for the worker (the caller pays, as it
   * always does inline). Default false.
   */
  readonly thread?: boolean;
  /** Called for every I/O failure; the sink never throws into `write()`. */
  readonly onError?: (error: unknown, operation: JsonlErrorOperation) => void;
}

export interface JsonlSinkStats extends QueueStats {
  /** I/O failures so far (open, write, rotate, gzip). */
  readonly errors: number;
  /** Events taken from the queue but not yet on disk (waiting for a retry after a write error). */
  readonly pending: number;
  /** Files rotated so far by this sink. */
  readonly rotations: number;
  /** Bytes in the active file (with `thread: true`, as of the last batch the worker reported). */
  readonly bytes: number;
  readonly lastError?: string;
  /** `thread: true`: batches that waited because `maxQueue` events were in flight, and how long in all (ms). */
  readonly threadWaits?: number;
  readonly threadWaitedMs?: number;
}

export interface JsonlSink extends AuditSink {
  readonly name: 'jsonl';
  readonly path: string;
  readonly stats: JsonlSinkStats;
  write(event: AuditEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const positiveInt = z.number().int().positive();
const optionsSchema = z.object({
  path: z.string().min(1),
  rotate: z.object({ maxBytes: positiveInt.optional(), maxAgeMs: positiveInt.optional() }).strict().optional(),
  gzip: z.boolean().optional(),
  chain: z
    .union([
      z.literal(false),
      z
        .object({
          key: z.union([z.string().min(1), z.instanceof(Buffer)]).optional(),
          checkpointEvery: z.number().int().nonnegative().optional(),
        })
        .strict(),
    ])
    .optional(),
  queue: z
    .object({
      maxQueue: positiveInt.optional(),
      batchSize: positiveInt.optional(),
      flushIntervalMs: z.number().nonnegative().optional(),
      backpressure: z.enum(['drop', 'block']).optional(),
      flushOnExit: z.boolean().optional(),
      flushOnSignals: z.boolean().optional(),
    })
    .strict()
    .optional(),
  thread: z.boolean().optional(),
  onError: z.function().optional(),
});

const SOURCE = 'parapet-audit-jsonl';

/** Where the writer runs: this thread or a worker. */
interface Backend {
  /** Hands a batch to the writer; never throws for I/O (failures are counted and reported). */
  write(batch: readonly AuditEvent[]): void;
  /** Waits synchronously until everything handed over is written (exit and signal paths). */
  readonly drain?: () => void;
  /** Retries kept events, waits for gzip jobs (and for the worker to finish what it holds). */
  flush(): Promise<void>;
  readonly worker?: () => Worker | undefined;
  close(): Promise<void>;
  stats(): JsonlWriterStats & {
    readonly dropped: number;
    readonly threadWaits?: number;
    readonly threadWaitedMs?: number;
  };
}

export function jsonlSink(options: JsonlSinkOptions): JsonlSink {
  const config = parseConfig(optionsSchema, options, 'jsonlSink() options') as JsonlSinkOptions;
  const userOnError = config.onError;
  const onError = (error: unknown, operation: JsonlErrorOperation): void => {
    try {
      userOnError?.(error, operation);
    } catch {
      // A throwing callback must not break the writer either.
    }
  };
  const writerOptions: Omit<JsonlWriterOptions, 'onError'> = {
    path: config.path,
    ...(config.rotate?.maxBytes === undefined ? {} : { maxBytes: config.rotate.maxBytes }),
    ...(config.rotate?.maxAgeMs === undefined ? {} : { maxAgeMs: config.rotate.maxAgeMs }),
    gzip: config.gzip ?? false,
    ...(config.chain === false ? {} : { chain: config.chain ?? {} }),
    maxPending: config.queue?.maxQueue ?? 10_000,
    source: SOURCE,
  };
  const backend = config.thread
    ? threadBackend(writerOptions, onError, config.queue ?? {})
    : inlineBackend(writerOptions, onError);
  const queue = new BatchQueue((batch) => backend.write(batch), config.queue, SOURCE, backend.drain);
  let closed = false;
  let rejected = 0;

  const sink: JsonlSink & { readonly [CURRENT_WORKER]: () => Worker | undefined } = {
    [CURRENT_WORKER]: () => backend.worker?.(),
    name: 'jsonl',
    path: config.path,
    get stats(): JsonlSinkStats {
      const queued = queue.stats;
      const { dropped, ...written } = backend.stats();
      return { ...queued, ...written, dropped: queued.dropped + rejected + dropped };
    },
    write(event) {
      if (closed) {
        rejected++;
        return;
      }
      queue.push(event);
    },
    async flush() {
      queue.flush();
      await backend.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      await backend.close();
    },
  };
  return sink;
}

function serialize(batch: readonly AuditEvent[]): string[] {
  const jsons = new Array<string>(batch.length);
  for (let index = 0; index < batch.length; index++) jsons[index] = JSON.stringify(batch[index]);
  return jsons;
}

function inlineBackend(options: Omit<JsonlWriterOptions, 'onError'>, onError: JsonlWriterOptions['onError']): Backend {
  const writer = createJsonlWriter({ ...options, onError });
  return {
    write: (batch) => writer.write(serialize(batch)),
    async flush() {
      writer.retry();
      await writer.settle();
    },
    close: () => writer.close(),
    stats: () => ({ ...writer.stats, dropped: 0 }),
  };
}

function threadBackend(
  options: Omit<JsonlWriterOptions, 'onError'>,
  onError: JsonlWriterOptions['onError'],
  queue: BatchQueueOptions,
): Backend {
  // Events lost with a dead worker, not yet reported (an events-dropped record starts the next batch).
  let unreported = 0;
  let dropped = 0;
  let errors = 0;
  let lastError: string | undefined;
  const failHere = (error: unknown, operation: JsonlErrorOperation): void => {
    errors++;
    lastError = `${operation}: ${error instanceof Error ? error.message : String(error)}`;
    onError(error, operation);
  };
  let closedStats: JsonlWriterStats | undefined;
  const channel = new WorkerChannel<JsonlWriterStats>({
    entry: 'jsonl-worker',
    options,
    maxInFlight: queue.maxQueue ?? 10_000,
    initialStats: { errors: 0, pending: 0, rotations: 0, bytes: 0 },
    onError(error, operation) {
      // Counted in the worker's stats; remembered here so `lastError` is the most recent from either side.
      lastError = `${operation}: ${error instanceof Error ? error.message : String(error)}`;
      onError(error, operation as JsonlErrorOperation);
    },
    onLost(count, error) {
      unreported += count;
      dropped += count;
      failHere(error, 'write');
    },
  });
  const hand = (jsons: readonly string[]): void => {
    channel.hand({ type: 'write', jsons, dropped: unreported } as { type: 'write' }, jsons.length);
    unreported = 0;
  };

  return {
    write: (batch) => hand(serialize(batch)),
    drain: () => channel.drain(),
    async flush() {
      if (unreported > 0) hand([]);
      await channel.request('flush');
    },
    async close() {
      if (channel.worker === undefined) {
        // Nothing in flight: end the chain here (a checkpoint), as the inline sink does.
        const writer = createJsonlWriter({ ...options, onError: failHere });
        if (unreported > 0) writer.write([], unreported);
        unreported = 0;
        await writer.close();
        closedStats = writer.stats;
        return;
      }
      if (unreported > 0) hand([]);
      await channel.request('close');
    },
    worker: () => channel.worker,
    stats() {
      const worker = channel.stats;
      // A close without a worker ran its own writer; its failures went through failHere already.
      const local = closedStats ?? { errors: 0, pending: 0, rotations: 0, bytes: worker.bytes };
      return {
        errors: worker.errors + errors,
        pending: worker.pending + local.pending,
        rotations: worker.rotations + local.rotations,
        bytes: closedStats === undefined ? worker.bytes : local.bytes,
        ...(lastError === undefined ? {} : { lastError }),
        dropped,
        threadWaits: channel.backpressure.waits,
        threadWaitedMs: channel.backpressure.waitedMs,
      };
    },
  };
}
