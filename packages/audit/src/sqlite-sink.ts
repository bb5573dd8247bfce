import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { ArgumentError, type AuditEvent, type AuditSink, parseConfig } from '@parapet/core';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  Chain,
  type ChainProblem,
  type ChainRecord,
  GENESIS,
  sameHead,
  type VerifyReport,
  verifyChain,
} from './chain.js';
import { BatchQueue, type QueueStats } from './queue.js';
import {
  BLOCK_INDEXES,
  blockedIndexes,
  columnsOf,
  headMac,
  layoutOf,
  type MetaRow,
  type RetentionCheckpoint,
  refreshStatistics,
} from './sqlite-schema.js';
import {
  createSqliteWriter,
  eventCount,
  prepareBatch,
  prepareChainedBatch,
  type SqliteWriter,
  type SqliteWriterOptions,
  type SqliteWriterStats,
} from './sqlite-writer.js';
import { CURRENT_WORKER, WorkerChannel } from './worker-channel.js';

export { headMac, type RetentionCheckpoint } from './sqlite-schema.js';

/**
 * SQLite audit sink. Every event becomes one row: the chained record as JSON (`record`, exactly the text that
 * was hashed, so `verifySqlite` re-checks it) plus columns copied out of it for indexed queries. One writer
 * transaction per batch; the chain head (and a MAC over it) lives in `audit_meta`, updated in the same
 * transaction, so a cut tail shows. Retention deletes a prefix of old rows, records the cut in `audit_meta`
 * and appends a `checkpoint` marker (with `retention`) to the chain, so verification starts at the cut.
 */

const RETENTION_EVERY_MS = 3_600_000;

const keySchema = z.union([z.string().min(1), z.instanceof(Buffer)]);

const queueSchema = z
  .object({
    maxQueue: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    flushIntervalMs: z.number().nonnegative().optional(),
    backpressure: z.enum(['drop', 'block']).optional(),
    flushOnExit: z.boolean().optional(),
    flushOnSignals: z.boolean().optional(),
  })
  .strict();

// Parsed on its own (not as a union), so an error names the field inside `chain`.
const chainSchema = z
  .object({
    /** HMAC key: without it anyone who can write the file can also rehash it. */
    key: keySchema.optional(),
    /** A checkpoint record after this many events (0: none). Default 1000. */
    checkpointEvery: z.number().int().nonnegative().optional(),
  })
  .strict();

const sqliteSinkOptionsSchema = z
  .object({
    /** Database file; created with its tables when missing. */
    path: z.string().min(1),
    /** Rows whose time is older than this many days are deleted (on open, then at most once an hour). */
    retentionDays: z.number().positive().optional(),
    /** The hash chain; `false` stores rows without hashes (then `verifySqlite` cannot vouch for them). */
    chain: z
      .custom<false | Record<string, unknown>>(
        (value) => value === false || (typeof value === 'object' && value !== null),
        'must be false or { key?, checkpointEvery? }',
      )
      .optional(),
    queue: queueSchema.optional(),
    /** Insert from a worker thread (see the package README). Default false. */
    thread: z.boolean().optional(),
  })
  .strict();

export type SqliteSinkOptions = Omit<z.input<typeof sqliteSinkOptionsSchema>, 'chain'> & {
  readonly chain?: z.input<typeof chainSchema> | false;
};

export interface SqliteSinkStats extends QueueStats {
  /** Events lost because a batch could not be written (see `lastError`). */
  readonly failed: number;
  readonly lastError?: string;
  /** Rows deleted by retention since the sink opened. */
  readonly retained: number;
  /** `thread: true`: batches that waited because `maxQueue` events were in flight, and how long in all (ms). */
  readonly threadWaits?: number;
  readonly threadWaitedMs?: number;
}

export interface SqliteSink extends AuditSink {
  readonly name: 'sqlite';
  write(event: AuditEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SqliteSinkStats;
}

/** Writes audit events to a SQLite database, hash-chained, batched off the caller's path. */
export function sqliteSink(options: SqliteSinkOptions): SqliteSink {
  const config = parseConfig(sqliteSinkOptionsSchema, options, 'sqliteSink() options');
  const chainConfig =
    config.chain === false ? undefined : parseConfig(chainSchema, config.chain ?? {}, 'sqliteSink() options', 'chain');
  const writerOptions: SqliteWriterOptions = {
    path: config.path,
    ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
    ...(chainConfig === undefined
      ? {}
      : { chain: { ...chainConfig, checkpointEvery: chainConfig.checkpointEvery ?? 1000 } }),
  };
  // Opened here in both modes, so a path that cannot be opened throws now, and retention runs at once.
  const first = createSqliteWriter(writerOptions);
  first.retain();
  const backend = config.thread ? threadBackend(first, writerOptions, config.queue?.maxQueue) : inlineBackend(first);
  const queue = new BatchQueue((batch) => backend.write(batch), config.queue, 'parapet-audit-sqlite', backend.drain);
  let retentionTimer: NodeJS.Timeout | undefined;
  if (config.retentionDays !== undefined) {
    retentionTimer = setInterval(() => {
      queue.flush();
      backend.retain();
    }, RETENTION_EVERY_MS);
    retentionTimer.unref();
  }
  let closed = false;
  let rejected = 0;

  const sink: SqliteSink & { readonly [CURRENT_WORKER]: () => Worker | undefined } = {
    [CURRENT_WORKER]: () => backend.worker?.(),
    name: 'sqlite',
    write(event) {
      // A sink never throws at the caller; after close there is nowhere to write.
      if (closed) {
        rejected++;
        return;
      }
      queue.push(event);
    },
    async flush() {
      if (closed) return;
      queue.flush();
      await backend.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      await backend.close();
    },
    stats() {
      const { failed, retained, lastError, threadWaits, threadWaitedMs } = backend.stats();
      return {
        ...queue.stats,
        failed: failed + rejected,
        retained,
        ...(lastError === undefined ? {} : { lastError }),
        ...(threadWaits === undefined ? {} : { threadWaits, threadWaitedMs }),
      };
    },
  };
  return sink;
}

/** Where the database writer runs: this thread or a worker. */
interface Backend {
  write(batch: readonly AuditEvent[]): void;
  readonly drain?: () => void;
  retain(): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SqliteWriterStats & { readonly threadWaits?: number; readonly threadWaitedMs?: number };
  readonly worker?: () => Worker | undefined;
}

function inlineBackend(writer: SqliteWriter): Backend {
  return {
    write: (batch) => writer.write(prepareBatch(batch, writer.layout)),
    retain: () => writer.retain(),
    async flush() {},
    async close() {
      writer.close(true);
    },
    stats: () => writer.stats,
  };
}

function threadBackend(first: SqliteWriter, options: SqliteWriterOptions, maxQueue: number | undefined): Backend {
  // The worker opens its own connection; this one was for the checks and the first retention run (and tells
  // which columns the table has, so this thread prepares the batches the worker's inserts take).
  const layout = first.layout;
  // The chain is continued here, on the caller's thread, and the worker stores the records as they come when
  // they start at its own head (it chains them again itself when not). That takes the record text and its
  // hash (~5 µs per event) off the worker, the sink's bottleneck (see the package README, "Measured").
  const chainOptions = options.chain;
  let chain =
    chainOptions === undefined || first.head === undefined
      ? undefined
      : new Chain({ ...chainOptions, resume: first.head });
  first.close(false);
  let failed = first.stats.failed;
  // Rows deleted by retention runs on this thread (at open, and hourly while no worker runs).
  let retained = first.stats.retained;
  let lastError = first.stats.lastError;
  const channel = new WorkerChannel<SqliteWriterStats>({
    entry: 'sqlite-worker',
    options,
    maxInFlight: maxQueue ?? 10_000,
    initialStats: { failed: 0, retained: 0, pending: 0 },
    // The worker's writer reports a failed batch (counted in its stats) as an error: warn from here.
    onError: (error) => process.emitWarning(error instanceof Error ? error.message : String(error), 'ParapetAudit'),
    onLost(count, error) {
      failed += count;
      lastError = error instanceof Error ? error.message : String(error);
      process.emitWarning(
        `parapet audit: sqlite writer thread died, ${count} event(s) lost: ${lastError}`,
        'ParapetAudit',
      );
    },
  });
  /** Runs `work` with a short-lived writer on this thread; never throws (a timer or close() calls it). */
  const onThisThread = (work: (writer: SqliteWriter) => void, checkpoint: boolean): void => {
    try {
      const writer = createSqliteWriter(options);
      work(writer);
      writer.close(checkpoint);
      retained += writer.stats.retained;
      failed += writer.stats.failed;
      if (writer.stats.lastError !== undefined) lastError = writer.stats.lastError;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      process.emitWarning(
        `parapet audit: sqlite ${checkpoint ? 'close' : 'retention'} failed: ${lastError}`,
        'ParapetAudit',
      );
    }
  };
  return {
    write(batch) {
      if (chain !== undefined && channel.statsUpToDate) {
        // Nothing in flight that the worker has not reported: its head is where the chain stands. It differs
        // from this copy after another process appended, a failed batch, or a retention marker; until this
        // copy catches up, the worker chains the batches again itself (correct, only slower).
        const head = channel.stats.head;
        if (head !== undefined && !sameHead(head, chain.head)) chain = new Chain({ ...chainOptions, resume: head });
      }
      const prepared = chain === undefined ? prepareBatch(batch, layout) : prepareChainedBatch(batch, layout, chain);
      channel.hand({ type: 'write', ...prepared } as { type: 'write' }, eventCount(prepared));
    },
    drain: () => channel.drain(),
    retain() {
      if (channel.worker !== undefined) channel.send({ type: 'retain' });
      else onThisThread((writer) => writer.retain(), false);
    },
    flush: () => channel.request('flush'),
    async close() {
      if (channel.worker !== undefined) {
        await channel.request('close');
        return;
      }
      // No worker ever started (or it died): close the chain from here, as the inline sink does.
      onThisThread(() => {}, true);
    },
    worker: () => channel.worker,
    stats() {
      const worker = channel.stats;
      const last = worker.lastError ?? lastError;
      return {
        failed: failed + worker.failed,
        retained: retained + worker.retained,
        pending: 0,
        ...(last === undefined ? {} : { lastError: last }),
        threadWaits: channel.backpressure.waits,
        threadWaitedMs: channel.backpressure.waitedMs,
      };
    },
  };
}

export interface SqliteReindexReport {
  /** True when the trace and session indexes were rebuilt; false when the file had the block-led ones. */
  readonly rebuilt: boolean;
  /** Rows in `audit_records`. */
  readonly rows: number;
}

/**
 * Gives a file made before session 10 the trace and session indexes new files get, led by the row's block
 * of ids (see the package README, "Schema"): with random trace and session ids its inserts then stop slowing
 * down as it grows. Nothing else changes: no row, no chain, no other index. It holds the write lock while it
 * rebuilds (a sink writing to the file meanwhile waits up to its busy timeout, then loses that batch, counted
 * and warned), so run it while no sink writes. A no-op on a file that already has them.
 */
export function reindexSqlite(path: string): SqliteReindexReport {
  // Opened read-only first for the same checks and errors as verify and query.
  openAuditDatabase(path, 'reindexSqlite()').close();
  const db = new Database(path, { fileMustExist: true });
  try {
    const rows = db.prepare('SELECT COUNT(*) FROM audit_records').pluck().get() as number;
    if (blockedIndexes(db)) return { rebuilt: false, rows };
    db.transaction(() => {
      db.exec('DROP INDEX IF EXISTS audit_records_trace; DROP INDEX IF EXISTS audit_records_session;');
      db.exec(BLOCK_INDEXES);
    }).immediate();
    refreshStatistics(db);
    return { rebuilt: true, rows };
  } finally {
    db.close();
  }
}

export interface SqliteVerifyOptions {
  /** The HMAC key the sink was given; without it the plain SHA-256 chain is checked. */
  readonly key?: string | Buffer;
  readonly maxProblems?: number;
}

/** A chain problem with the `audit_records.id` of the row (`position` is the row id too; 0: no row). */
export interface SqliteChainProblem extends ChainProblem {
  readonly rowId?: number;
}

export interface SqliteVerifyReport extends VerifyReport {
  readonly problems: readonly SqliteChainProblem[];
  /** Where the kept chain starts (1 unless retention cut it). */
  readonly firstSeq: number;
}

const verifyOptionsSchema = z
  .object({ key: keySchema.optional(), maxProblems: z.number().int().positive().optional() })
  .strict();

/** Opens an existing audit database read-only; a clear error when there is none. */
export function openAuditDatabase(path: string, where: string): Database.Database {
  if (typeof path !== 'string' || path.length === 0 || !existsSync(path)) {
    throw new ArgumentError({
      message: `${where}: no audit database at "${String(path)}". Pass the file a sqliteSink({ path }) wrote.`,
    });
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_records'").get() !== undefined) {
      return db;
    }
    db.close();
  } catch (error) {
    throw new ArgumentError({
      message: `${where}: "${path}" cannot be read as a SQLite database (${(error as Error).message}). Pass the file a sqliteSink({ path }) wrote.`,
      cause: error,
    });
  }
  throw new ArgumentError({
    message: `${where}: "${path}" is a SQLite database without an audit_records table, not an audit trail. Pass the file a sqliteSink({ path }) wrote.`,
  });
}

/**
 * Verifies the chain in an audit database, row by row in insertion order (`id`), so swapped or reordered
 * rows show. Starts at the retention cut point in `audit_meta`; checks the stored head (and its MAC), the
 * latest retention marker against `audit_meta`, and that the query columns still match each row's record.
 */
export function verifySqlite(path: string, options: SqliteVerifyOptions = {}): SqliteVerifyReport {
  const config = parseConfig(verifyOptionsSchema, options, 'verifySqlite() options');
  const limit = config.maxProblems ?? 1000;
  const db = openAuditDatabase(path, 'verifySqlite()');
  try {
    const meta = db.prepare('SELECT * FROM audit_meta WHERE id = 1').get() as MetaRow | undefined;
    const firstSeq = meta?.first_seq ?? 1;
    const firstPrev = meta?.first_prev ?? GENESIS;
    const ids: number[] = [];
    const extra: SqliteChainProblem[] = [];
    let firstRow: { seq: number; prev: string; id: number } | undefined;
    let maxSeq = 0;
    let maxSeqHash = '';
    let marker: RetentionCheckpoint | undefined;

    const layout = layoutOf(db);
    const names = layout.columns.map((column) => column.replaceAll('"', ''));
    const recordAt = names.indexOf('record') + 1;
    const rows = db.prepare(`SELECT id, ${layout.columns.join(', ')} FROM audit_records ORDER BY id`).raw(true);
    function* records(): Generator<unknown> {
      for (const row of rows.iterate() as IterableIterator<unknown[]>) {
        const id = row[0] as number;
        ids.push(id);
        const text = row[recordAt] as string;
        let record: ChainRecord | string;
        try {
          record = JSON.parse(text) as ChainRecord;
        } catch {
          yield text;
          continue;
        }
        if (record !== null && typeof record === 'object' && typeof record.seq === 'number') {
          if (firstRow === undefined) firstRow = { seq: record.seq, prev: String(record.prev), id };
          if (record.seq > maxSeq) {
            maxSeq = record.seq;
            maxSeqHash = String(record.hash);
          }
          if (record.kind === 'checkpoint' && 'retention' in record) marker = record as RetentionCheckpoint;
          const expected = columnsOf(record, text, layout);
          for (let index = 0; index < expected.length; index++) {
            if (expected[index] !== row[index + 1]) {
              extra.push({
                kind: 'modified',
                position: id,
                rowId: id,
                seq: record.seq,
                message: `row ${id}: column ${names[index]} does not match the record`,
              });
              break;
            }
          }
        }
        yield record;
      }
    }

    const report = verifyChain(records(), { key: config.key, maxProblems: Number.MAX_SAFE_INTEGER });
    const problems: SqliteChainProblem[] = [];
    for (const problem of report.problems) {
      // Rows before the retention cut were deleted on purpose.
      if (problem.kind === 'deleted' && problem.seq !== undefined && problem.seq < firstSeq) continue;
      const rowId = problem.position > 0 ? ids[problem.position - 1] : undefined;
      problems.push(
        rowId === undefined
          ? { ...problem, position: 0 }
          : { ...problem, position: rowId, rowId, message: `row ${rowId}: ${problem.message}` },
      );
    }
    problems.push(...extra);
    if (firstRow !== undefined && firstRow.seq === firstSeq && firstRow.prev !== firstPrev) {
      problems.push({
        kind: 'broken-link',
        position: firstRow.id,
        rowId: firstRow.id,
        seq: firstRow.seq,
        message: `row ${firstRow.id}: the first record does not link to the retention cut point in audit_meta`,
      });
    }
    const checkedMarker = marker as RetentionCheckpoint | undefined;
    if (
      (checkedMarker !== undefined &&
        (checkedMarker.retention.firstSeq !== firstSeq || checkedMarker.retention.firstPrev !== firstPrev)) ||
      (checkedMarker === undefined && (firstSeq !== 1 || firstPrev !== GENESIS))
    ) {
      problems.push({
        kind: 'modified',
        position: 0,
        message: 'the retention cut point in audit_meta does not match the latest retention checkpoint',
      });
    }
    if (meta !== undefined && meta.head_mac !== '') {
      if (meta.head_mac !== headMac(meta.head_seq, meta.head_hash, meta.head_events, config.key)) {
        problems.push({
          kind: 'modified',
          position: 0,
          message: 'the chain head in audit_meta does not match its MAC (edited, or a different key)',
        });
      }
      if (maxSeq < meta.head_seq) {
        for (let seq = Math.max(maxSeq + 1, firstSeq); seq <= meta.head_seq && seq < maxSeq + 10_000; seq++) {
          problems.push({ kind: 'deleted', position: 0, seq, message: `record ${seq} is missing (the tail was cut)` });
        }
      } else if (maxSeq > meta.head_seq) {
        problems.push({
          kind: 'inserted',
          position: 0,
          seq: maxSeq,
          message: `records after the stored chain head (${meta.head_seq}) were added outside the sink`,
        });
      } else if (maxSeqHash !== meta.head_hash) {
        problems.push({
          kind: 'modified',
          position: 0,
          seq: maxSeq,
          message: `the last record (${maxSeq}) is not the stored chain head`,
        });
      }
    }
    const kept = problems.slice(0, limit);
    return { ...report, ok: problems.length === 0, problems: kept, firstSeq };
  } finally {
    db.close();
  }
}
