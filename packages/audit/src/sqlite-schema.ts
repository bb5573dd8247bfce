import { createHash, createHmac } from 'node:crypto';
import type { AuditEvent } from '@parapet/core';
import Database from 'better-sqlite3';
import { CHAIN_VERSION, type ChainRecord, type CheckpointRecord, GENESIS } from './chain.js';

/**
 * The SQLite sink's table layout and the pieces both its writer and `verifySqlite` need: the schema, the
 * column list, the head MAC and the query columns derived from a record.
 */

/** The checkpoint a retention run appends: where the kept chain now starts. */
export interface RetentionCheckpoint extends CheckpointRecord {
  readonly retention: { readonly firstSeq: number; readonly firstPrev: string; readonly deleted: number };
}

/** The trace and session indexes of new files lead with `id >> ID_BLOCK_SHIFT` (see `SCHEMA`). */
export const ID_BLOCK_SHIFT = 16;

/** The trace and session indexes new files get (and `reindexSqlite` gives a file made before). */
export const BLOCK_INDEXES = `CREATE INDEX IF NOT EXISTS audit_records_trace ON audit_records (id >> ${ID_BLOCK_SHIFT}, trace_id);
CREATE INDEX IF NOT EXISTS audit_records_session ON audit_records (id >> ${ID_BLOCK_SHIFT}, session);`;

/**
 * Index statistics for SQLite's query planner (`ANALYZE`, bounded by `analysis_limit`, so milliseconds on any
 * file): with them plain SQL `WHERE trace_id = ?` skips through the blocks of the block-led indexes.
 * A failure leaves the old statistics, which only guide the planner.
 */
export function refreshStatistics(db: Database.Database): void {
  try {
    db.pragma('analysis_limit = 1000');
    db.exec('ANALYZE audit_records');
  } catch {
    // Nothing is lost: the statistics only guide SQLite's query planner.
  }
}

/**
 * The table a new file gets: the record (the hashed text, which holds every field) and only the columns the
 * indexes need; the `audit_events` view shows every event field as a column for plain-SQL readers (it costs
 * nothing on insert, and uses only `json_extract`, which SQLite has had since 3.9, so an older `sqlite3`
 * shell still opens the file). Filters on other fields (type, tenant, detector, category) read them out of `record` with
 * SQLite's JSON functions. Fewer columns and indexes per row made inserts 1.3–1.8× faster here than the
 * wide layout below (bench/audit.bench.ts prints both floors).
 *
 * The trace and session indexes lead with the row's block of 65 536 rows (`id >> 16`, `ID_BLOCK_SHIFT`).
 * Trace and session ids are random, so a plain index on them takes each insert to any of its pages: every
 * transaction then dirties, logs and later checkpoints most of the index, and inserts slowed as the file
 * grew (better-sqlite3 alone, 1 000-row transactions: 43 k rows/s at 100 k rows, 20–27 k at 1 M). Led by
 * the block, new entries all go to the newest block's part of the index, which stays small: 45–66 k rows/s
 * at 1 M rows in the same runs. A lookup by trace or session then seeks once per block
 * (`idBlocksClause`); files made before keep their plain indexes (`blockedIndexes` tells which).
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  time_ms INTEGER,
  trace_id TEXT,
  session TEXT,
  action TEXT,
  record TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time_ms);
${BLOCK_INDEXES}
CREATE INDEX IF NOT EXISTS audit_records_action ON audit_records (action);
CREATE VIEW IF NOT EXISTS audit_events AS
  SELECT id, seq, time_ms,
    json_extract(record, '$.event.time') AS time,
    trace_id,
    json_extract(record, '$.event.spanId') AS span_id,
    session,
    json_extract(record, '$.event.user') AS "user",
    json_extract(record, '$.event.tenant') AS tenant,
    json_extract(record, '$.event.stage') AS stage,
    json_extract(record, '$.event.type') AS type,
    action,
    json_extract(record, '$.event.decided') AS decided,
    json_extract(record, '$.event.guard') AS guard,
    json_extract(record, '$.event.tool') AS tool,
    json_extract(record, '$.event.latencyUs') AS latency_us,
    json_array_length(record, '$.event.findings') AS findings_count,
    json_extract(record, '$.event.findings') AS findings,
    record
  FROM audit_records WHERE kind = 'event' AND json_valid(record);
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

/**
 * The query columns an event has, in the wide layout's order. Files created by earlier versions of this
 * package store all of them, and the sink keeps writing them there; new files store `SLIM_EVENT_COLUMNS`.
 */
export const EVENT_COLUMN_NAMES = [
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
] as const;

const SLIM_EVENT_COLUMNS = ['time_ms', 'trace_id', 'session', 'action'] as const;

/** Whether a database's trace and session indexes lead with the row block (files made since session 10). */
export function blockedIndexes(db: Database.Database): boolean {
  const sql = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'audit_records_trace'")
    .pluck()
    .get() as string | null | undefined;
  return typeof sql === 'string' && sql.includes('>>');
}

/**
 * The condition that lets a trace or session lookup use the block-led index: the row's block is one of the
 * blocks the table spans (one index seek each: 16 blocks for a million rows). Empty for plain indexes.
 */
export function idBlocksClause(db: Database.Database): { sql: string; params: number[] } | undefined {
  if (!blockedIndexes(db)) return undefined;
  const span = db.prepare('SELECT MIN(id) AS low, MAX(id) AS high FROM audit_records').get() as {
    low: number | null;
    high: number | null;
  };
  // Row ids may pass 2^31, where JavaScript's >> would wrap: divide instead.
  const low = Math.floor((span.low ?? 0) / 2 ** ID_BLOCK_SHIFT);
  const high = Math.floor((span.high ?? 0) / 2 ** ID_BLOCK_SHIFT);
  return {
    sql: `(id >> ${ID_BLOCK_SHIFT}) IN (WITH RECURSIVE block(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM block WHERE n < ?) SELECT n FROM block)`,
    params: [low, high],
  };
}

/** Which columns a database's `audit_records` has: `slim` (new files) or `wide` (files from earlier versions). */
export interface Layout {
  readonly name: 'slim' | 'wide';
  /** The columns written per row: seq, kind, the event's query columns, record, prev, hash. */
  readonly columns: readonly string[];
  /** The number of event query columns (between kind and record). */
  readonly eventColumns: number;
}

function layout(name: Layout['name'], events: readonly string[]): Layout {
  return { name, columns: ['seq', 'kind', ...events, 'record', 'prev', 'hash'], eventColumns: events.length };
}

export const SLIM: Layout = layout('slim', SLIM_EVENT_COLUMNS);
export const WIDE: Layout = layout('wide', EVENT_COLUMN_NAMES);

/** The layout of an open audit database (its `audit_records` must exist). */
export function layoutOf(db: Database.Database): Layout {
  const names = db.prepare("SELECT name FROM pragma_table_info('audit_records')").pluck().all() as string[];
  return names.includes('tenant') ? WIDE : SLIM;
}

export interface MetaRow {
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
export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  // 16 KiB pages for a new file (a no-op on an existing one): rows are ~1 KB of JSON plus five indexes, and
  // with 4 KiB pages the same inserts ran 15–40 % slower here (bench/audit.bench.ts prints both floors).
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoint the log into the file every 4 000 pages (64 MiB at 16 KiB) instead of SQLite's 1 000: index
  // pages that change in every batch are copied and synced a quarter as often. 150 000 events through the
  // threaded sink, three alternated rounds: 41 → 45 k events/s (random ids), 44 → 51 k (monotonic). The
  // log file then stays at up to ~64 MiB; durability is unchanged.
  db.pragma('wal_autocheckpoint = 4000');
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

/** Appends an event's query columns for `layout` (`layout.eventColumns` values, in its order) to `out`. */
export function pushEventColumns(event: AuditEvent, out: unknown[], layout: Layout): void {
  if (layout.name === 'slim') {
    out.push(timeMs(event.time), event.traceId ?? null, event.session ?? null, event.action ?? null);
    return;
  }
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
  out.push(
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
  );
}

/** The row's columns, in `layout.columns` order, derived from the record (verify recomputes and compares them). */
export function columnsOf(record: ChainRecord, json: string, layout: Layout): unknown[] {
  const row: unknown[] = [record.seq, record.kind === 'checkpoint' ? 'checkpoint' : 'event'];
  if (record.kind === 'checkpoint') {
    // A checkpoint has a time and nothing else to query by.
    if (layout.name === 'wide') row.push(record.time);
    row.push(timeMs(record.time));
    while (row.length < layout.eventColumns + 2) row.push(null);
  } else {
    pushEventColumns(record.event, row, layout);
  }
  row.push(json, record.prev, record.hash);
  return row;
}

/**
 * `data` is free-form: a Date or a class with toJSON would hash (canonical JSON) differently from how it is
 * stored (JSON.stringify). Round-trip it once, so what is stored is what was hashed.
 */
export function plainEvent(event: AuditEvent): AuditEvent {
  if (event.data === undefined) return event;
  return { ...event, data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown> };
}
