import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ArgumentError, type AuditEvent, type AuditSink, parseConfig } from '@parapet/core';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  CHAIN_VERSION,
  Chain,
  type ChainProblem,
  type ChainRecord,
  type CheckpointRecord,
  type EventRecord,
  GENESIS,
  hashRecord,
  type VerifyReport,
  verifyChain,
} from './chain.js';
import { BatchQueue, type QueueStats } from './queue.js';

/**
 * SQLite audit sink. Every event becomes one row: the chained record as JSON (`record`, exactly the text that
 * was hashed, so `verifySqlite` re-checks it) plus columns copied out of it for indexed queries. One writer
 * transaction per batch; the chain head (and a MAC over it) lives in `audit_meta`, updated in the same
 * transaction, so a cut tail shows. Retention deletes a prefix of old rows, records the cut in `audit_meta`
 * and appends a `checkpoint` marker (with `retention`) to the chain, so verification starts at the cut.
 */

const DAY_MS = 86_400_000;
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
}

export interface SqliteSink extends AuditSink {
  readonly name: 'sqlite';
  write(event: AuditEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SqliteSinkStats;
}

/** The checkpoint a retention run appends: where the kept chain now starts. */
export interface RetentionCheckpoint extends CheckpointRecord {
  readonly retention: { readonly firstSeq: number; readonly firstPrev: string; readonly deleted: number };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  time TEXT,
  time_ms INTEGER,
  trace_id TEXT,
  span_id TEXT,
  session TEXT,
  "user" TEXT,
  tenant TEXT,
  stage TEXT,
  type TEXT,
  action TEXT,
  decided TEXT,
  guard TEXT,
  tool TEXT,
  latency_us INTEGER,
  findings_count INTEGER,
  detectors TEXT,
  categories TEXT,
  record TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time_ms);
CREATE INDEX IF NOT EXISTS audit_records_trace ON audit_records (trace_id);
CREATE INDEX IF NOT EXISTS audit_records_session ON audit_records (session);
CREATE INDEX IF NOT EXISTS audit_records_action ON audit_records (action);
CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records (type);
CREATE TABLE IF NOT EXISTS audit_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  chain_version INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  first_prev TEXT NOT NULL,
  head_seq INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  head_events INTEGER NOT NULL,
  head_mac TEXT NOT NULL
);
`;

const COLUMNS = [
  'seq',
  'kind',
  'time',
  'time_ms',
  'trace_id',
  'span_id',
  'session',
  '"user"',
  'tenant',
  'stage',
  'type',
  'action',
  'decided',
  'guard',
  'tool',
  'latency_us',
  'findings_count',
  'detectors',
  'categories',
  'record',
  'prev',
  'hash',
] as const;

interface MetaRow {
  first_seq: number;
  first_prev: string;
  head_seq: number;
  head_hash: string;
  head_events: number;
  head_mac: string;
}

/** A MAC over the chain head, so deleting the last rows and copying the new last row's hash into meta shows. */
export function headMac(seq: number, hash: string, events: number, key?: string | Buffer): string {
  const body = `parapet-audit-head\n${seq}\n${hash}\n${events}`;
  return key === undefined
    ? createHash('sha256').update(body).digest('hex')
    : createHmac('sha256', key).update(body).digest('hex');
}

/** Opens (creating when missing) an audit database with the schema and the writer pragmas. */
function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  // 16 KiB pages for a new file (a no-op on an existing one): rows are ~1 KB of JSON plus five indexes, and
  // with 4 KiB pages the same inserts ran 15–40 % slower here (bench/audit.bench.ts prints both floors).
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  db.prepare(
    `INSERT OR IGNORE INTO audit_meta (id, chain_version, first_seq, first_prev, head_seq, head_hash, head_events, head_mac)
     VALUES (1, ?, 1, ?, 0, ?, 0, '')`,
  ).run(CHAIN_VERSION, GENESIS, GENESIS);
  return db;
}

function commaList(values: Iterable<string>): string | null {
  const unique = [...new Set(values)];
  return unique.length === 0 ? null : unique.join(',');
}

function timeMs(time: string | undefined): number | null {
  if (time === undefined) return null;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? null : ms;
}

/** The row's columns, in `COLUMNS` order, derived from the record (verify recomputes and compares them). */
function columnsOf(record: ChainRecord, json: string): unknown[] {
  if (record.kind === 'checkpoint') {
    // biome-ignore format: one slot per column
    return [record.seq, 'checkpoint', record.time, timeMs(record.time), null, null, null, null, null, null, null, null,
      null, null, null, null, null, null, null, json, record.prev, record.hash];
  }
  const event = record.event;
  const findings = event.findings;
  let detectors: string | null = null;
  let categories: string | null = null;
  if (findings.length === 1) {
    detectors = findings[0]?.detector ?? null;
    categories = findings[0]?.category ?? null;
  } else if (findings.length > 1) {
    detectors = commaList(findings.map((finding) => finding.detector));
    categories = commaList(findings.map((finding) => finding.category));
  }
  return [
    record.seq,
    'event',
    event.time ?? null,
    timeMs(event.time),
    event.traceId ?? null,
    event.spanId ?? null,
    event.session ?? null,
    event.user ?? null,
    event.tenant ?? null,
    event.stage ?? null,
    event.type ?? null,
    event.action ?? null,
    event.decided ?? null,
    event.guard ?? null,
    event.tool ?? null,
    event.latencyUs ?? null,
    findings.length,
    detectors,
    categories,
    json,
    record.prev,
    record.hash,
  ];
}

/**
 * `data` is free-form: a Date or a class with toJSON would hash (canonical JSON) differently from how it is
 * stored (JSON.stringify). Round-trip it once, so what is stored is what was hashed.
 */
function plainEvent(event: AuditEvent): AuditEvent {
  if (event.data === undefined) return event;
  return { ...event, data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown> };
}

/** Writes audit events to a SQLite database, hash-chained, batched off the caller's path. */
export function sqliteSink(options: SqliteSinkOptions): SqliteSink {
  const config = parseConfig(sqliteSinkOptionsSchema, options, 'sqliteSink() options');
  const chainConfig =
    config.chain === false ? undefined : parseConfig(chainSchema, config.chain ?? {}, 'sqliteSink() options', 'chain');
  const chained = chainConfig !== undefined;
  const key = chainConfig?.key;
  const checkpointEvery = chainConfig?.checkpointEvery ?? (chained ? 1000 : 0);
  const db = openDatabase(config.path);

  const insert = db.prepare(
    `INSERT INTO audit_records (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
  );
  const readMeta = db.prepare('SELECT * FROM audit_meta WHERE id = 1');
  const writeHead = db.prepare(
    'UPDATE audit_meta SET head_seq = ?, head_hash = ?, head_events = ?, head_mac = ? WHERE id = 1',
  );
  const writeCut = db.prepare('UPDATE audit_meta SET first_seq = ?, first_prev = ? WHERE id = 1');
  const firstKept = db.prepare(
    // Only events decide where the cut goes; checkpoints before the first kept event go with the old events.
    "SELECT id FROM audit_records WHERE kind = 'event' AND (time_ms >= ? OR time_ms IS NULL) ORDER BY id LIMIT 1",
  );
  const lastId = db.prepare('SELECT MAX(id) AS id FROM audit_records');
  const rowAfter = db.prepare('SELECT seq, prev FROM audit_records WHERE id > ? ORDER BY id LIMIT 1');
  const deleteUpTo = db.prepare('DELETE FROM audit_records WHERE id <= ?');

  const chainFrom = (meta: MetaRow): Chain =>
    new Chain({
      key,
      checkpointEvery,
      resume: { seq: meta.head_seq, hash: meta.head_hash, events: meta.head_events },
    });
  let chain = chainFrom(readMeta.get() as MetaRow);
  let failed = 0;
  let lastError: string | undefined;
  let retained = 0;
  let closed = false;

  /** Another writer (process) may have appended since our last batch: continue from the stored head. */
  const syncHead = (): void => {
    const meta = readMeta.get() as MetaRow;
    const head = chain.head;
    if (meta.head_seq !== head.seq || meta.head_hash !== head.hash) chain = chainFrom(meta);
  };

  const storeHead = (): void => {
    const head = chain.head;
    writeHead.run(head.seq, head.hash, head.events, chained ? headMac(head.seq, head.hash, head.events, key) : '');
  };

  const insertRecord = (record: ChainRecord): void => {
    insert.run(...columnsOf(record, JSON.stringify(record)));
  };

  // Sequence numbers are kept even without the chain, so rows stay ordered and countable.
  let unchainedSeq = 0;
  const appendUnchained = (event: AuditEvent): ChainRecord => {
    unchainedSeq++;
    return { v: CHAIN_VERSION, kind: 'event', seq: unchainedSeq, prev: '', event, hash: '' };
  };

  const writeBatchTransaction = db.transaction((events: readonly AuditEvent[]) => {
    if (!chained) {
      unchainedSeq = (readMeta.get() as MetaRow).head_seq;
      for (const event of events) insertRecord(appendUnchained(plainEvent(event)));
      writeHead.run(unchainedSeq, '', 0, '');
      return;
    }
    syncHead();
    for (const event of events) {
      // One serialization per event: the chain's JSON line is both what is hashed and what is stored.
      const plain = plainEvent(event);
      const prev = chain.head.hash;
      const line = chain.appendLine(plain);
      const head = chain.head;
      const record: EventRecord = {
        v: CHAIN_VERSION,
        kind: 'event',
        seq: head.seq,
        prev,
        event: plain,
        hash: head.hash,
      };
      insert.run(...columnsOf(record, line.slice(0, -1)));
      if (chain.checkpointDue) insertRecord(chain.checkpoint());
    }
    storeHead();
  });

  /** Runs a write; on failure the transaction has rolled back, so the chain goes back to the head before it. */
  const attempt = (work: () => void, lost: number): void => {
    const head = chain.head;
    try {
      work();
    } catch (error) {
      chain = new Chain({ key, checkpointEvery, resume: head });
      failed += lost;
      lastError = error instanceof Error ? error.message : String(error);
      process.emitWarning(`parapet audit: sqlite write failed, ${lost} event(s) lost: ${lastError}`, 'ParapetAudit');
    }
  };

  const writeBatch = (events: readonly AuditEvent[]): void => {
    attempt(() => writeBatchTransaction.immediate(events), events.length);
  };

  const runRetention = db.transaction((cutoffMs: number) => {
    if (chained) syncHead();
    const kept = firstKept.get(cutoffMs) as { id: number } | undefined;
    const cutId = kept === undefined ? ((lastId.get() as { id: number | null }).id ?? 0) : kept.id - 1;
    if (cutId <= 0) return;
    const deleted = deleteUpTo.run(cutId).changes;
    if (deleted === 0) return;
    retained += deleted;
    const next = rowAfter.get(cutId) as { seq: number; prev: string } | undefined;
    const stored = readMeta.get() as MetaRow;
    const head = chained ? chain.head : { seq: stored.head_seq, hash: '', events: 0 };
    // Nothing kept: the chain now starts at the marker written below.
    const firstSeq = next?.seq ?? head.seq + 1;
    const firstPrev = next?.prev ?? head.hash;
    writeCut.run(firstSeq, firstPrev);
    if (!chained) return;
    const base = {
      v: CHAIN_VERSION,
      kind: 'checkpoint' as const,
      seq: head.seq + 1,
      prev: head.hash,
      events: head.events,
      time: new Date().toISOString(),
      retention: { firstSeq, firstPrev, deleted },
    };
    const marker: RetentionCheckpoint = { ...base, hash: hashRecord(base, key) };
    insertRecord(marker);
    chain = new Chain({ key, checkpointEvery, resume: { seq: marker.seq, hash: marker.hash, events: head.events } });
    storeHead();
  });

  const closeTransaction = db.transaction(() => {
    syncHead();
    insertRecord(chain.checkpoint());
    storeHead();
  });

  const retain = (): void => {
    if (config.retentionDays === undefined || closed) return;
    const cutoff = Date.now() - config.retentionDays * DAY_MS;
    attempt(() => runRetention.immediate(cutoff), 0);
  };

  const queue = new BatchQueue(writeBatch, config.queue, 'parapet-audit-sqlite');
  let retentionTimer: NodeJS.Timeout | undefined;
  if (config.retentionDays !== undefined) {
    retain();
    retentionTimer = setInterval(() => {
      queue.flush();
      retain();
    }, RETENTION_EVERY_MS);
    retentionTimer.unref();
  }

  return {
    name: 'sqlite',
    write(event) {
      // A sink never throws at the caller; after close there is nowhere to write.
      if (closed) {
        failed++;
        return;
      }
      queue.push(event);
    },
    async flush() {
      if (!closed) queue.flush();
    },
    async close() {
      if (closed) return;
      queue.close();
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      if (chained) {
        // A checkpoint on close states how many events the chain holds, so a later cut tail shows.
        attempt(() => closeTransaction.immediate(), 0);
      }
      closed = true;
      db.close();
    },
    stats() {
      return { ...queue.stats, failed, retained, ...(lastError === undefined ? {} : { lastError }) };
    },
  };
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
  return new Database(path, { readonly: true, fileMustExist: true });
}

const COLUMN_NAMES = COLUMNS.map((column) => column.replaceAll('"', ''));

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

    const rows = db.prepare(`SELECT id, ${COLUMNS.join(', ')} FROM audit_records ORDER BY id`).raw(true);
    function* records(): Generator<unknown> {
      for (const row of rows.iterate() as IterableIterator<unknown[]>) {
        const id = row[0] as number;
        ids.push(id);
        const text = row[20] as string;
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
          const expected = columnsOf(record, text);
          for (let index = 0; index < expected.length; index++) {
            if (expected[index] !== row[index + 1]) {
              extra.push({
                kind: 'modified',
                position: id,
                rowId: id,
                seq: record.seq,
                message: `row ${id}: column ${COLUMN_NAMES[index]} does not match the record`,
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
