import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type AuditEvent, type AuditSink, parseConfig } from '@parapet/core';
import { z } from 'zod';
import {
  createJsonlWriter,
  type JsonlErrorOperation,
  type JsonlWriterOptions,
  type JsonlWriterStats,
} from './jsonl-writer.js';
import { BatchQueue, type BatchQueueOptions, type QueueStats } from './queue.js';

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

/** Internal (tests): the sink's current worker thread, if `thread: true` started one. Not exported by the package. */
export const CURRENT_WORKER: unique symbol = Symbol('parapet.audit.jsonl.worker');

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
  stats(): JsonlWriterStats & { readonly dropped: number };
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

/** The worker's entry: built next to this module (`.js`), or the TypeScript source when run from source. */
function workerEntry(): { url: URL; execArgv?: string[]; source?: { tsx: string; entry: string } } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./jsonl-worker.js', here) };
  // From source (tests, tsx): a small JS bootstrap loads tsx in the worker, then the TypeScript entry.
  const tsx = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(here).resolve('tsx/package.json'))).href;
  return {
    url: new URL('./source-worker.mjs', here),
    execArgv: ['--conditions=@parapet/source'],
    source: { tsx, entry: new URL('./jsonl-worker.ts', here).href },
  };
}

/** How long the exit and signal paths wait, at most, for the worker to write what it holds. */
const DRAIN_TIMEOUT_MS = 10_000;

type WorkerReply =
  | { readonly type: 'error'; readonly error: unknown; readonly operation: JsonlErrorOperation }
  | { readonly type: 'stats'; readonly stats: JsonlWriterStats }
  | { readonly type: 'done'; readonly id: number; readonly stats: JsonlWriterStats };

function threadBackend(
  options: Omit<JsonlWriterOptions, 'onError'>,
  onError: JsonlWriterOptions['onError'],
  queue: BatchQueueOptions,
): Backend {
  const maxInFlight = queue.maxQueue ?? 10_000;
  let worker: Worker | undefined;
  // [0]: batches the current worker has finished (it adds one and notifies after each).
  let finished = new Int32Array(new SharedArrayBuffer(4));
  let posted = 0;
  let seen = 0;
  // Sizes of the batches handed over and not finished yet, oldest first.
  let sizes: number[] = [];
  let inFlight = 0;
  // Events lost with a crashed worker, not yet reported (an events-dropped record starts the next batch).
  let unreported = 0;
  let dropped = 0;
  let stats: JsonlWriterStats = { errors: 0, pending: 0, rotations: 0, bytes: 0 };
  let errors = 0;
  let lastError: string | undefined;
  let nextId = 0;
  const waiters = new Map<number, () => void>();

  const settle = (): void => {
    const done = Atomics.load(finished, 0);
    while (seen < done && sizes.length > 0) {
      inFlight -= sizes.shift() as number;
      seen++;
    }
  };

  const failHere = (error: unknown, operation: JsonlErrorOperation): void => {
    errors++;
    lastError = `${operation}: ${error instanceof Error ? error.message : String(error)}`;
    onError(error, operation);
  };

  /** The worker died: what it held is lost, counted and reported with the next batch. */
  const lost = (current: Worker, error: unknown): void => {
    if (worker !== current) return;
    settle();
    const count = inFlight + stats.pending;
    unreported += count;
    dropped += count;
    inFlight = 0;
    sizes = [];
    stats = { ...stats, pending: 0 };
    worker = undefined;
    failHere(error, 'write');
    for (const resolve of waiters.values()) resolve();
    waiters.clear();
  };

  const start = (): Worker => {
    if (worker !== undefined) return worker;
    finished = new Int32Array(new SharedArrayBuffer(4));
    posted = 0;
    seen = 0;
    const { url, execArgv, source } = workerEntry();
    const created = new Worker(url, {
      workerData: { options, finished: finished.buffer, source },
      ...(execArgv === undefined ? {} : { execArgv }),
    });
    // Like the queue's timer, the worker never keeps the process alive; exit paths drain it.
    created.unref();
    created.on('message', (reply: WorkerReply) => {
      if (reply.type === 'error') {
        onError(reply.error, reply.operation);
        return;
      }
      if (worker === created) {
        stats = reply.stats;
        if (reply.stats.lastError !== undefined) lastError = reply.stats.lastError;
      }
      if (reply.type === 'done') {
        waiters.get(reply.id)?.();
        waiters.delete(reply.id);
      }
    });
    created.on('error', (error) => lost(created, error));
    created.on('exit', (code) => lost(created, new Error(`the audit writer thread exited (code ${code})`)));
    worker = created;
    return created;
  };

  /** Waits (blocking this thread) until the worker has finished `until` batches, or the timeout. */
  const waitFor = (until: () => boolean): void => {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    settle();
    while (worker !== undefined && !until()) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(finished, 0, Atomics.load(finished, 0), Math.min(left, 50));
      settle();
    }
  };

  /** Hands a batch (possibly empty: only the events-dropped record) to the worker. */
  const hand = (current: Worker, jsons: readonly string[]): void => {
    posted++;
    sizes.push(jsons.length);
    inFlight += jsons.length;
    current.postMessage({ type: 'write', jsons, dropped: unreported });
    unreported = 0;
  };

  /** Sends a request the worker answers with `done` once everything before it is written. */
  const request = async (current: Worker, message: { type: 'flush' | 'close' }): Promise<void> => {
    const id = ++nextId;
    const answered = new Promise<void>((resolve) => waiters.set(id, resolve));
    // Waiting on the worker must keep the process alive (a top-level `await sink.close()`).
    current.ref();
    try {
      current.postMessage({ ...message, id });
      await answered;
    } finally {
      current.unref();
    }
    settle();
  };

  return {
    write(batch) {
      settle();
      // The worker is a whole queue behind: this batch waits for it. The caller pays, as it always does
      // inline (there it writes each full batch itself), and nothing is dropped for being in flight.
      if (worker !== undefined && inFlight + batch.length > maxInFlight) {
        waitFor(() => inFlight + batch.length <= maxInFlight);
      }
      hand(start(), serialize(batch));
    },
    drain() {
      waitFor(() => Atomics.load(finished, 0) >= posted);
    },
    async flush() {
      const current = worker ?? (unreported > 0 ? start() : undefined);
      if (current === undefined) return;
      if (unreported > 0) hand(current, []);
      await request(current, { type: 'flush' });
    },
    async close() {
      const current = worker;
      if (current === undefined) {
        // Nothing in flight: end the chain here (a checkpoint), as the inline sink does.
        const writer = createJsonlWriter({ ...options, onError: failHere });
        if (unreported > 0) writer.write([], unreported);
        unreported = 0;
        await writer.close();
        // Its failures went through failHere (counted on this side already).
        const { errors: _counted, lastError: _reported, ...counts } = writer.stats;
        stats = { ...stats, ...counts, rotations: stats.rotations + counts.rotations };
        return;
      }
      if (unreported > 0) hand(current, []);
      await request(current, { type: 'close' });
      worker = undefined;
      await current.terminate();
    },
    worker: () => worker,
    stats: () => ({
      ...stats,
      errors: stats.errors + errors,
      ...(lastError === undefined ? {} : { lastError }),
      dropped,
    }),
  };
}
