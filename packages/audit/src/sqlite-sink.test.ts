import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, type AuditEvent, ConfigError } from '@parapet/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Chain, type ProblemKind } from './chain.js';
import { auditStats, parseSince, queryAudit } from './sqlite-query.js';
import { blockedIndexes, idBlocksClause, SCHEMA } from './sqlite-schema.js';
import { reindexSqlite, type SqliteSinkOptions, sqliteSink, verifySqlite } from './sqlite-sink.js';
import { createSqliteWriter, prepareBatch, prepareChainedBatch } from './sqlite-writer.js';
import { currentWorker } from './worker-channel.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dir: string;
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parapet-audit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dbPath(): string {
  counter++;
  return join(dir, `audit-${counter}.db`);
}

const QUIET = { flushOnExit: false } as const;

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

// Every behaviour holds with the database written on the caller's thread and from a worker thread.
const MODES = ['inline', 'worker thread'] as const;
type Mode = (typeof MODES)[number];
const sinkIn = (mode: Mode) => (options: SqliteSinkOptions) =>
  sqliteSink({ ...options, thread: mode === 'worker thread' });

function event(index: number, overrides: Partial<AuditEvent> = {}, ageMs = HOUR): AuditEvent {
  const blocked = index % 3 === 0;
  return {
    schemaVersion: 1,
    id: `e${index}`,
    type: blocked ? 'input-blocked' : 'input-allowed',
    time: new Date(Date.now() - ageMs).toISOString(),
    traceId: `t${index}`,
    spanId: `s${index}`,
    guard: 'test',
    stage: 'input',
    action: blocked ? 'block' : 'allow',
    session: `session-${index % 4}`,
    latencyUs: 100 + index,
    findings: blocked
      ? [
          { detector: 'prompt-injection', category: 'injection', score: 0.9, severity: 'high', action: 'block' },
          { detector: 'secrets', category: 'credential', score: 0.8, severity: 'high', action: 'block' },
        ]
      : [],
    errors: [],
    ...overrides,
  };
}

async function writeEvents(path: string, count: number, options: Parameters<typeof sqliteSink>[0] | object = {}) {
  const sink = sqliteSink({ path, queue: QUIET, ...options });
  for (let index = 0; index < count; index++) sink.write(event(index));
  await sink.close();
  return sink;
}

function kinds(path: string, key?: string): ProblemKind[] {
  return verifySqlite(path, { key }).problems.map((problem) => problem.kind);
}

describe.each(MODES)('sqliteSink (%s)', (mode) => {
  const sqliteSink = sinkIn(mode);
  it('creates a new database with 16 KiB pages and keeps the page size of an existing one', async () => {
    const fresh = dbPath();
    await writeEvents(fresh, 3);
    const freshDb = new Database(fresh, { readonly: true });
    expect(freshDb.pragma('page_size', { simple: true })).toBe(16_384);
    freshDb.close();

    // A database made elsewhere with SQLite's default pages: the sink writes to it as it is.
    const existing = dbPath();
    const made = new Database(existing);
    made.pragma('page_size = 4096');
    made.exec('CREATE TABLE other_data (x)');
    made.close();
    await writeEvents(existing, 3);
    const existingDb = new Database(existing, { readonly: true });
    expect(existingDb.pragma('page_size', { simple: true })).toBe(4096);
    expect(existingDb.prepare("SELECT COUNT(*) AS n FROM audit_records WHERE kind = 'event'").get()).toEqual({ n: 3 });
    existingDb.close();
    expect(verifySqlite(existing).problems).toEqual([]);
  });

  it('writes events as rows with query columns and a chain that verifies', async () => {
    const path = dbPath();
    const sink = await writeEvents(path, 30, { chain: { checkpointEvery: 10 } });
    expect(sink.stats()).toMatchObject({ written: 30, dropped: 0, failed: 0 });
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT * FROM audit_records ORDER BY id').all() as Record<string, unknown>[];
    // 30 events, checkpoints after 10, 20 and 30, and one on close.
    expect(rows).toHaveLength(34);
    // A new file stores the record and the indexed columns only; every other field is read from the record.
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'id',
      'seq',
      'kind',
      'time_ms',
      'trace_id',
      'session',
      'action',
      'record',
      'prev',
      'hash',
    ]);
    const first = JSON.parse(rows[0]?.record as string);
    expect(rows[0]).toMatchObject({
      id: 1,
      seq: 1,
      kind: 'event',
      time_ms: Date.parse(first.event.time),
      trace_id: 't0',
      action: 'block',
      session: 'session-0',
      prev: first.prev,
      hash: first.hash,
    });
    expect(first.event).toMatchObject({ id: 'e0', type: 'input-blocked', latencyUs: 100 });
    expect(rows[10]).toMatchObject({ kind: 'checkpoint', trace_id: null, session: null, action: null });
    expect(rows[10]?.time_ms).toBeTypeOf('number');
    const indexes = db.prepare("SELECT name FROM pragma_index_list('audit_records') ORDER BY name").pluck().all();
    expect(indexes).toEqual([
      'audit_records_action',
      'audit_records_session',
      'audit_records_time',
      'audit_records_trace',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 30, records: 34, problems: [] });
  });

  it('resumes the chain across two sink instances on one database', async () => {
    const path = dbPath();
    await writeEvents(path, 12);
    const second = sqliteSink({ path, queue: QUIET });
    for (let index = 100; index < 110; index++) second.write(event(index));
    await second.close();
    const report = verifySqlite(path);
    expect(report).toMatchObject({ ok: true, events: 22 });
    const db = new Database(path, { readonly: true });
    const seqs = db.prepare('SELECT seq FROM audit_records ORDER BY id').pluck().all() as number[];
    db.close();
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  });

  it('keeps one chain when two sinks write to the same database in turn', async () => {
    const path = dbPath();
    const first = sqliteSink({ path, queue: QUIET });
    const second = sqliteSink({ path, queue: QUIET });
    for (let index = 0; index < 5; index++) {
      first.write(event(index));
      await first.flush();
      second.write(event(index + 50));
      await second.flush();
    }
    await first.close();
    await second.close();
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 10 });
  });

  it('uses the HMAC key: the right key verifies, a wrong or missing key reports modified records', async () => {
    const path = dbPath();
    await writeEvents(path, 10, { chain: { key: 'secret-key' } });
    expect(verifySqlite(path, { key: 'secret-key' }).ok).toBe(true);
    const wrong = verifySqlite(path, { key: 'other-key' });
    expect(wrong.ok).toBe(false);
    expect(wrong.problems.filter((problem) => problem.kind === 'modified').length).toBeGreaterThanOrEqual(11);
    expect(verifySqlite(path).ok).toBe(false);
  });

  it('flushes on demand and reports stats; write after close never throws', async () => {
    const path = dbPath();
    const sink = sqliteSink({ path, queue: { ...QUIET, flushIntervalMs: 60_000 } });
    sink.write(event(1));
    expect(sink.stats()).toMatchObject({ queued: 1, written: 0 });
    await sink.flush();
    expect(sink.stats()).toMatchObject({ queued: 0, written: 1, batches: 1 });
    expect(queryAudit(path)).toHaveLength(1);
    await sink.close();
    await sink.close();
    expect(() => sink.write(event(2))).not.toThrow();
    expect(sink.stats().failed).toBe(1);
  });

  it('stores what it hashed when data holds a Date', async () => {
    const path = dbPath();
    const sink = sqliteSink({ path, queue: QUIET });
    sink.write(event(1, { data: { at: new Date(0), nested: { list: [1, undefined] } } }));
    await sink.close();
    expect(verifySqlite(path).ok).toBe(true);
    expect(queryAudit(path)[0]?.data).toEqual({ at: '1970-01-01T00:00:00.000Z', nested: { list: [1, null] } });
  });

  it('drops past a full queue under backpressure drop, and writes an events-dropped event', async () => {
    const path = dbPath();
    const sink = sqliteSink({
      path,
      queue: { ...QUIET, maxQueue: 5, batchSize: 100, flushIntervalMs: 60_000, backpressure: 'drop' },
    });
    for (let index = 0; index < 8; index++) sink.write(event(index));
    expect(sink.stats()).toMatchObject({ queued: 5, dropped: 3 });
    await sink.close();
    const dropped = queryAudit(path, { type: 'events-dropped' });
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.data).toMatchObject({ dropped: 3 });
    expect(queryAudit(path, { limit: 100 })).toHaveLength(6);
    expect(verifySqlite(path).ok).toBe(true);
  });

  it('blocks instead of dropping under backpressure block', async () => {
    const path = dbPath();
    const sink = sqliteSink({
      path,
      queue: { ...QUIET, maxQueue: 5, batchSize: 100, flushIntervalMs: 60_000, backpressure: 'block' },
    });
    for (let index = 0; index < 12; index++) sink.write(event(index));
    expect(sink.stats().dropped).toBe(0);
    await sink.close();
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 12 });
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => sqliteSink({ path: '' })).toThrow(ConfigError);
    expect(() => sqliteSink({ path: dbPath(), retentionDays: -1 })).toThrow(/retentionDays/);
    expect(() => sqliteSink({ path: dbPath(), chain: { checkpointEvery: 1.5 } })).toThrow(/checkpointEvery/);
    expect(() => sqliteSink({ path: dbPath(), queue: { backpressure: 'wait' as 'drop' } })).toThrow(/backpressure/);
    expect(() => verifySqlite(join(dir, 'missing.db'))).toThrow(/no audit database/);
  });
});

describe.each(MODES)('verifySqlite against tampering (%s)', (mode) => {
  const N = 60;
  let base: string;
  let work: string;
  let rowCount: number;

  beforeAll(async () => {
    base = dbPath();
    work = dbPath();
    // Checkpoints every 10 events and on close: tampering with checkpoint rows is covered too.
    await writeEvents(base, N, { chain: { checkpointEvery: 10 }, thread: mode === 'worker thread' });
    expect(verifySqlite(base).ok).toBe(true);
    const db = new Database(base);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    rowCount = (db.prepare('SELECT COUNT(*) FROM audit_records').pluck().get() as number) ?? 0;
    db.close();
    expect(rowCount).toBeGreaterThanOrEqual(50);
  });

  /** A fresh copy of the clean database, tampered with by `change`, then verified. */
  function tamper(change: (db: Database.Database) => void): ProblemKind[] {
    copyFileSync(base, work);
    const db = new Database(work);
    change(db);
    db.close();
    return kinds(work);
  }

  function recordOf(db: Database.Database, id: number): Record<string, unknown> {
    return JSON.parse(db.prepare('SELECT record FROM audit_records WHERE id = ?').pluck().get(id) as string);
  }

  it('detects an edit to one field of the record JSON, in every row', () => {
    for (let id = 1; id <= rowCount; id++) {
      const found = tamper((db) => {
        const record = recordOf(db, id) as { kind: string; event?: Record<string, unknown>; events?: number };
        if (record.kind === 'event' && record.event) record.event.spanId = 'forged';
        else record.events = (record.events ?? 0) + 1;
        db.prepare('UPDATE audit_records SET record = ? WHERE id = ?').run(JSON.stringify(record), id);
      });
      expect(found, `row ${id}`).toContain('modified');
    }
  });

  it('detects an edit to a query column that the record does not back', () => {
    const found = tamper((db) => db.prepare("UPDATE audit_records SET action = 'allow' WHERE id = 1").run());
    expect(found).toEqual(['modified']);
  });

  it('detects the deletion of every row, head and tail included', () => {
    for (let id = 1; id <= rowCount; id++) {
      const found = tamper((db) => db.prepare('DELETE FROM audit_records WHERE id = ?').run(id));
      expect(found, `row ${id}`).toContain('deleted');
    }
  });

  it('detects a forged copy of every row inserted at the end', () => {
    for (let id = 1; id <= rowCount; id++) {
      const found = tamper((db) =>
        db
          .prepare(
            'INSERT INTO audit_records (seq, kind, time_ms, trace_id, session, action, record, prev, hash) SELECT seq, kind, time_ms, trace_id, session, action, record, prev, hash FROM audit_records WHERE id = ?',
          )
          .run(id),
      );
      expect(found, `row ${id}`).toContain('inserted');
    }
  });

  it('detects a forged copy inserted in the middle of the table', () => {
    const found = tamper((db) => {
      // Make room at id 30 by moving the rest up, then copy row 10 into the gap.
      db.prepare('UPDATE audit_records SET id = -id WHERE id >= 30').run();
      db.prepare('UPDATE audit_records SET id = -id + 1 WHERE id < 0').run();
      db.prepare(
        'INSERT INTO audit_records (id, seq, kind, record, prev, hash) SELECT 30, seq, kind, record, prev, hash FROM audit_records WHERE id = 10',
      ).run();
    });
    expect(found).toContain('inserted');
  });

  it('detects two adjacent rows swapped, for every pair', () => {
    for (let id = 1; id < rowCount; id++) {
      const found = tamper((db) => {
        db.prepare('UPDATE audit_records SET id = -1 WHERE id = ?').run(id);
        db.prepare('UPDATE audit_records SET id = ? WHERE id = ?').run(id, id + 1);
        db.prepare('UPDATE audit_records SET id = ? WHERE id = -1').run(id + 1);
      });
      expect(found, `rows ${id} and ${id + 1}`).toContain('reordered');
    }
  });

  it('detects a forged chain head in audit_meta with a key', async () => {
    const path = dbPath();
    await writeEvents(path, 5, { chain: { key: 'k' } });
    const db = new Database(path);
    // Cut the tail and point the head at the new last row: only the MAC shows it.
    const last = db.prepare('SELECT id FROM audit_records ORDER BY id DESC LIMIT 1').pluck().get() as number;
    db.prepare('DELETE FROM audit_records WHERE id = ?').run(last);
    const row = db.prepare('SELECT seq, hash FROM audit_records ORDER BY id DESC LIMIT 1').get() as {
      seq: number;
      hash: string;
    };
    db.prepare('UPDATE audit_meta SET head_seq = ?, head_hash = ?').run(row.seq, row.hash);
    db.close();
    expect(kinds(path, 'k')).toContain('modified');
  });

  it('reports the row id of a problem', () => {
    copyFileSync(base, work);
    const db = new Database(work);
    db.prepare('UPDATE audit_records SET record = replace(record, \'"e4"\', \'"e4x"\') WHERE id = 5').run();
    db.close();
    const report = verifySqlite(work);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'modified', rowId: 5, position: 5, seq: 5 })]);
  });
});

describe.each(MODES)('retention (%s)', (mode) => {
  const sqliteSink = sinkIn(mode);
  it('removes rows older than retentionDays and the chain still verifies from the cut point', async () => {
    const path = dbPath();
    const sink = sqliteSink({ path, queue: QUIET, chain: { checkpointEvery: 7 } });
    for (let index = 0; index < 20; index++) sink.write(event(index, {}, 10 * DAY));
    for (let index = 20; index < 30; index++) sink.write(event(index, {}, DAY));
    await sink.close();

    const kept = sqliteSink({ path, queue: QUIET, retentionDays: 7 });
    expect(kept.stats().retained).toBeGreaterThan(20);
    kept.write(event(99));
    await kept.close();

    const db = new Database(path, { readonly: true });
    const meta = db.prepare('SELECT first_seq, first_prev FROM audit_meta').get() as { first_seq: number };
    const first = db.prepare('SELECT seq FROM audit_records ORDER BY id LIMIT 1').pluck().get();
    const marker = db.prepare("SELECT record FROM audit_records WHERE record LIKE '%retention%'").pluck().get();
    db.close();
    expect(first).toBe(meta.first_seq);
    expect(JSON.parse(marker as string).retention.firstSeq).toBe(meta.first_seq);
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 11, firstSeq: meta.first_seq });
    expect(queryAudit(path, { limit: 1000 }).map((item) => item.id)).not.toContain('e0');

    // A second run that deletes again still verifies; deleting past the cut point does not.
    const again = sqliteSink({ path, queue: QUIET, retentionDays: 0.5 });
    await again.close();
    expect(verifySqlite(path).ok).toBe(true);
  });

  it('flags a deletion just after the cut point, and a cut point moved in audit_meta', async () => {
    const path = dbPath();
    const sink = sqliteSink({ path, queue: QUIET });
    for (let index = 0; index < 10; index++) sink.write(event(index, {}, 10 * DAY));
    for (let index = 10; index < 20; index++) sink.write(event(index, {}, DAY));
    await sink.close();
    await sqliteSink({ path, queue: QUIET, retentionDays: 7 }).close();
    expect(verifySqlite(path).ok).toBe(true);

    const deleted = join(dir, 'retention-deleted.db');
    const moved = join(dir, 'retention-moved.db');
    for (const copy of [deleted, moved]) {
      const db = new Database(path);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      copyFileSync(path, copy);
    }
    let db = new Database(deleted);
    db.prepare('DELETE FROM audit_records WHERE id = (SELECT MIN(id) FROM audit_records)').run();
    db.close();
    expect(kinds(deleted)).toContain('deleted');

    db = new Database(moved);
    db.prepare('DELETE FROM audit_records WHERE id = (SELECT MIN(id) FROM audit_records)').run();
    const next = db.prepare('SELECT seq, prev FROM audit_records ORDER BY id LIMIT 1').get() as {
      seq: number;
      prev: string;
    };
    db.prepare('UPDATE audit_meta SET first_seq = ?, first_prev = ?').run(next.seq, next.prev);
    db.close();
    expect(kinds(moved)).toContain('modified');
  });
});

/** The table files created by earlier versions of the package had: every query field as a column. */
const WIDE_TABLE = `
CREATE TABLE audit_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, kind TEXT NOT NULL, time TEXT, time_ms INTEGER,
  trace_id TEXT, span_id TEXT, session TEXT, "user" TEXT, tenant TEXT, stage TEXT, type TEXT, action TEXT,
  decided TEXT, guard TEXT, tool TEXT, latency_us INTEGER, findings_count INTEGER, detectors TEXT,
  categories TEXT, record TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX audit_records_time ON audit_records (time_ms);
CREATE INDEX audit_records_trace ON audit_records (trace_id);
CREATE INDEX audit_records_session ON audit_records (session);
CREATE INDEX audit_records_action ON audit_records (action);
CREATE INDEX audit_records_type ON audit_records (type);
`;

/** A new path, or (wide) a file that already has the wide table, as a file from an earlier version has. */
function pathFor(layout: 'slim' | 'wide'): string {
  const path = dbPath();
  if (layout === 'wide') {
    const db = new Database(path);
    db.exec(WIDE_TABLE);
    db.close();
  }
  return path;
}

describe.each(['slim', 'wide'] as const)('a file with the %s table (wide: made by an earlier version)', (layout) => {
  it.each(MODES)('the sink writes every column the table has, and verify checks them (%s)', async (mode) => {
    const path = pathFor(layout);
    const sink = sqliteSink({ path, queue: QUIET, thread: mode === 'worker thread' });
    for (let index = 0; index < 5; index++) sink.write(event(index, { tenant: 'acme' }));
    await sink.close();
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 5 });
    const db = new Database(path);
    // Every layout has the audit_events view: each event field as a column, for plain SQL.
    expect(
      db.prepare('SELECT type, tenant, session, findings_count, latency_us FROM audit_events WHERE id = 1').get(),
    ).toEqual({ type: 'input-blocked', tenant: 'acme', session: 'session-0', findings_count: 2, latency_us: 100 });
    expect(db.prepare('SELECT COUNT(*) FROM audit_events').pluck().get()).toBe(5);
    const row = db.prepare('SELECT * FROM audit_records WHERE id = 1').get() as Record<string, unknown>;
    if (layout === 'wide') {
      expect(row).toMatchObject({ tenant: 'acme', type: 'input-blocked', detectors: 'prompt-injection,secrets' });
      db.prepare("UPDATE audit_records SET tenant = 'forged' WHERE id = 1").run();
    } else {
      expect(row).not.toHaveProperty('tenant');
      db.prepare("UPDATE audit_records SET session = 'forged' WHERE id = 1").run();
    }
    db.close();
    expect(verifySqlite(path).problems).toEqual([
      expect.objectContaining({
        kind: 'modified',
        rowId: 1,
        message: expect.stringMatching(/column (tenant|session)/),
      }),
    ]);
  });
});

describe.each(['slim', 'wide'] as const)('queryAudit and auditStats (%s table)', (layout) => {
  let path: string;
  beforeAll(async () => {
    path = pathFor(layout);
    const sink = sqliteSink({ path, queue: QUIET });
    // 30 recent events (one hour old) and 6 from three days ago.
    for (let index = 0; index < 30; index++) sink.write(event(index));
    for (let index = 30; index < 36; index++) sink.write(event(index, {}, 3 * DAY));
    sink.write(
      event(99, {
        action: 'flag',
        type: 'output-flagged',
        tenant: 'acme',
        // Two findings from one detector: the event counts once for it.
        findings: [
          { detector: 'pii', category: 'email', score: 0.7, severity: 'medium', action: 'flag' },
          { detector: 'pii', category: 'phone', score: 0.6, severity: 'medium', action: 'flag' },
        ],
      }),
    );
    await sink.close();
  });

  it('filters by action, since, session, detector, category, type and trace, newest first', () => {
    expect(queryAudit(path, { action: 'block', limit: 1000 })).toHaveLength(12);
    expect(queryAudit(path, { action: 'block', since: '24h', limit: 1000 })).toHaveLength(10);
    expect(queryAudit(path, { since: '2d', until: new Date(), limit: 1000 })).toHaveLength(31);
    expect(queryAudit(path, { until: '2d', limit: 1000 })).toHaveLength(6);
    const session = queryAudit(path, { session: 'session-1', limit: 1000 });
    expect(session.length).toBe(9);
    expect(session.every((item) => item.session === 'session-1')).toBe(true);
    expect(queryAudit(path, { detector: 'secrets', limit: 1000 })).toHaveLength(12);
    expect(queryAudit(path, { detector: 'secret', limit: 1000 })).toHaveLength(0);
    expect(queryAudit(path, { category: 'email' }).map((item) => item.id)).toEqual(['e99']);
    expect(queryAudit(path, { type: 'output-flagged' })).toHaveLength(1);
    expect(queryAudit(path, { tenant: 'acme' }).map((item) => item.id)).toEqual(['e99']);
    expect(queryAudit(path, { detector: 'pii', category: 'phone', action: 'flag' })).toHaveLength(1);
    expect(queryAudit(path, { detector: 'pii', category: 'credential' })).toHaveLength(0);
    expect(queryAudit(path, { trace: 't7' }).map((item) => item.id)).toEqual(['e7']);
    expect(queryAudit(path, { limit: 2 }).map((item) => item.id)).toEqual(['e99', 'e35']);
    expect(() => queryAudit(path, { since: 'yesterday' })).toThrow(/since.*30m, 24h, 7d/);
    expect(() => queryAudit(path, { action: 'deny' as 'block' })).toThrow(ConfigError);
  });

  it('counts by action, type, detector and category', () => {
    expect(auditStats(path)).toEqual({
      events: 37,
      byAction: { allow: 24, block: 12, flag: 1 },
      byType: { 'input-allowed': 24, 'input-blocked': 12, 'output-flagged': 1 },
      byDetector: { 'prompt-injection': 12, secrets: 12, pii: 1 },
      byCategory: { credential: 12, injection: 12, email: 1, phone: 1 },
    });
    expect(auditStats(path, { since: '24h' })).toMatchObject({
      events: 31,
      byAction: { allow: 20, block: 10, flag: 1 },
    });
  });

  it("still answers when a row's record was edited into something that is not JSON", () => {
    const edited = dbPath();
    copyFileSync(path, edited);
    const db = new Database(edited);
    db.pragma('journal_mode = DELETE');
    db.prepare("UPDATE audit_records SET record = 'not json' WHERE trace_id = 't3'").run();
    db.close();
    // The edited row cannot be returned as an event (its record is what a query shows); the rest are.
    expect(queryAudit(edited, { detector: 'secrets', limit: 1000 })).toHaveLength(11);
    expect(queryAudit(edited, { type: 'output-flagged' })).toHaveLength(1);
    expect(auditStats(edited).events).toBe(37);
    expect(verifySqlite(edited).ok).toBe(false);
  });

  it('parses durations and ISO dates', () => {
    const now = Date.UTC(2026, 0, 10);
    expect(parseSince('24h', now).getTime()).toBe(now - DAY);
    expect(parseSince('7d', now).getTime()).toBe(now - 7 * DAY);
    expect(parseSince('30m', now).getTime()).toBe(now - 30 * 60_000);
    expect(parseSince('2026-01-01T00:00:00Z').getTime()).toBe(Date.UTC(2026, 0, 1));
    expect(() => parseSince('soon')).toThrow(/not a time/);
  });
});

/**
 * Writes ten events per part (traces trace-0..2), each part by its own sink; after a part, moves the id
 * sequence on to `jumpTo`, so the next part's rows land in a later block of ids without writing them all.
 */
async function writeAcrossBlocks(path: string, jumps: readonly (number | undefined)[]): Promise<void> {
  for (let part = 0; part < jumps.length; part++) {
    const sink = sqliteSink({ path, queue: QUIET });
    for (let index = part * 10; index < part * 10 + 10; index++) {
      sink.write(event(index, { traceId: `trace-${index % 3}` }));
    }
    await sink.close();
    const jumpTo = jumps[part];
    if (jumpTo !== undefined) {
      const db = new Database(path);
      db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_records'").run(jumpTo);
      db.close();
    }
  }
}

describe('trace and session lookups on a file spanning several blocks of row ids', () => {
  // New files index trace and session behind the row's block of 65 536 ids; moving the id sequence on
  // puts later rows in later blocks without writing 200 000 rows.
  let path: string;
  beforeAll(async () => {
    path = dbPath();
    await writeAcrossBlocks(path, [70_000, 300_000, undefined]);
  });

  it('the trace and session indexes lead with the block; the rows span blocks 0, 1 and 4', () => {
    const db = new Database(path, { readonly: true });
    const sql = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ('audit_records_trace', 'audit_records_session') ORDER BY name",
      )
      .all();
    expect(sql).toEqual([
      { name: 'audit_records_session', sql: expect.stringContaining('(id >> 16, session)') },
      { name: 'audit_records_trace', sql: expect.stringContaining('(id >> 16, trace_id)') },
    ]);
    const blocks = db.prepare('SELECT DISTINCT id >> 16 FROM audit_records ORDER BY 1').pluck().all();
    db.close();
    expect(blocks).toEqual([0, 1, 4]);
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 30 });
  });

  it('queryAudit finds a trace and a session in every block, with the other filters', () => {
    const trace = queryAudit(path, { trace: 'trace-1', limit: 100 }).map((item) => item.id);
    expect(trace).toEqual(['e28', 'e25', 'e22', 'e19', 'e16', 'e13', 'e10', 'e7', 'e4', 'e1']);
    const session = queryAudit(path, { session: 'session-2', limit: 100 }).map((item) => item.id);
    expect(session).toEqual(['e26', 'e22', 'e18', 'e14', 'e10', 'e6', 'e2']);
    // Blocked events are those whose index is a multiple of 3.
    expect(queryAudit(path, { trace: 'trace-0', action: 'block' }).map((item) => item.id)).toEqual([
      'e27',
      'e24',
      'e21',
      'e18',
      'e15',
      'e12',
      'e9',
      'e6',
      'e3',
      'e0',
    ]);
    expect(queryAudit(path, { trace: 'trace-0', action: 'allow' })).toEqual([]);
    expect(queryAudit(path, { trace: 'trace-9' })).toEqual([]);
  });

  it('looks a trace up through its index: with the blocks named, and (after close) by plain SQL too', async () => {
    // Enough rows that a scan would cost more than a lookup (on 30 rows SQLite rightly scans).
    const big = dbPath();
    const sink = sqliteSink({ path: big, queue: QUIET });
    for (let index = 0; index < 3000; index++) sink.write(event(index));
    await sink.close();
    const db = new Database(big, { readonly: true });
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((row) => row.detail)
        .join('; ');
    const blocks = idBlocksClause(db);
    expect(blocks?.params).toEqual([0, 0]);
    expect(
      plan(
        `SELECT record FROM audit_records WHERE trace_id = ? AND +action = ? AND ${blocks?.sql}`,
        't',
        'block',
        0,
        0,
      ),
    ).toMatch(/USING INDEX audit_records_trace \(<expr>=\? AND trace_id=\?\)/);
    expect(plan(`SELECT record FROM audit_records WHERE session = ? AND ${blocks?.sql}`, 's', 0, 0)).toMatch(
      /USING INDEX audit_records_session/,
    );
    // The sink refreshed SQLite's statistics on close: a plain lookup skips through the blocks.
    expect(plan('SELECT * FROM audit_records WHERE trace_id = ?', 't')).toMatch(/USING INDEX audit_records_trace/);
    db.close();
    const spanning = new Database(path, { readonly: true });
    expect(idBlocksClause(spanning)?.params).toEqual([0, 4]);
    spanning.close();
  });

  it.each(['slim', 'wide'] as const)(
    'reindexSqlite gives a %s file made before the block-led indexes; nothing else changes',
    async (layout) => {
      const old = dbPath();
      const setup = new Database(old);
      // The tables and plain indexes of files made before session 10.
      setup.exec(layout === 'wide' ? WIDE_TABLE : SCHEMA.replace(/\(id >> \d+, (trace_id|session)\)/g, '($1)'));
      setup.close();
      await writeAcrossBlocks(old, [70_000, undefined]);
      const snapshot = () => {
        const db = new Database(old, { readonly: true });
        const rows = db.prepare('SELECT * FROM audit_records ORDER BY id').all();
        const blocked = blockedIndexes(db);
        const indexes = db.prepare("SELECT name FROM pragma_index_list('audit_records') ORDER BY name").pluck().all();
        db.close();
        return { rows, blocked, indexes };
      };
      const before = snapshot();
      expect(before.blocked).toBe(false);
      const trace = queryAudit(old, { trace: 'trace-1', limit: 100 }).map((item) => item.id);
      expect(trace).toEqual(['e19', 'e16', 'e13', 'e10', 'e7', 'e4', 'e1']);
      expect(reindexSqlite(old)).toEqual({ rebuilt: true, rows: before.rows.length });
      const after = snapshot();
      expect(after.blocked).toBe(true);
      expect(after.rows).toEqual(before.rows);
      expect(after.indexes).toEqual(before.indexes);
      expect(queryAudit(old, { trace: 'trace-1', limit: 100 }).map((item) => item.id)).toEqual(trace);
      expect(queryAudit(old, { session: 'session-2', limit: 100 })).toHaveLength(5);
      expect(verifySqlite(old)).toMatchObject({ ok: true, events: 20 });
      // A second run finds nothing to do; a sink keeps writing the file.
      expect(reindexSqlite(old)).toEqual({ rebuilt: false, rows: before.rows.length });
      await writeEvents(old, 3);
      expect(verifySqlite(old)).toMatchObject({ ok: true, events: 23 });
    },
  );

  it('reindexSqlite says what is wrong with a path that is not an audit database', () => {
    expect(thrownBy(() => reindexSqlite(join(dir, 'missing.db')))).toBeInstanceOf(ArgumentError);
    const other = dbPath();
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => reindexSqlite(other)).toThrow(/without an audit_records table/);
  });

  it('a file made before (plain trace and session indexes) needs no block clause', () => {
    const old = dbPath();
    const db = new Database(old);
    db.exec(WIDE_TABLE);
    expect(idBlocksClause(db)).toBeUndefined();
    db.close();
  });
});

describe('reading a file that is not an audit database', () => {
  it('verify, query and stats say so with an ArgumentError', () => {
    const other = dbPath();
    const db = new Database(other);
    db.exec('CREATE TABLE notes (x)');
    db.close();
    const notSqlite = join(dir, 'plain.txt');
    writeFileSync(notSqlite, 'just some text, not a database at all, long enough to have a header');
    for (const read of [verifySqlite, queryAudit, auditStats] as ((path: string) => unknown)[]) {
      expect(() => read(other)).toThrow(/without an audit_records table, not an audit trail/);
      expect(() => read(notSqlite)).toThrow(/cannot be read as a SQLite database/);
      expect(thrownBy(() => read(other))).toBeInstanceOf(ArgumentError);
    }
  });
});

describe('the SQLite writer: batches that waited together', () => {
  it('writes a group of batches in one transaction, one chain across them', () => {
    const path = dbPath();
    const writer = createSqliteWriter({ path, chain: { checkpointEvery: 0 } });
    const batches = [0, 1, 2].map((group) =>
      prepareBatch(
        Array.from({ length: 5 }, (_, index) => event(group * 5 + index)),
        writer.layout,
      ),
    );
    writer.writeMany(batches);
    writer.write(prepareBatch([event(15)], writer.layout));
    writer.close(true);
    expect(writer.stats).toMatchObject({ failed: 0 });
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 16, closed: true });
    expect(queryAudit(path, { limit: 100 }).map((item) => item.id)).toEqual(
      Array.from({ length: 16 }, (_, index) => `e${15 - index}`),
    );
  });

  it('loses a failed group whole, counted and warned, and the chain goes on from before it', () => {
    const path = dbPath();
    const warnings: string[] = [];
    const writer = createSqliteWriter({
      path,
      chain: { checkpointEvery: 0 },
      warn: (message) => warnings.push(message),
    });
    writer.write(prepareBatch([event(0), event(1)], writer.layout));
    const good = prepareBatch([event(2), event(3)], writer.layout);
    const failing = prepareBatch([event(4), event(6)], writer.layout);
    // A trigger planted by another connection makes the insert of event 4 fail inside the transaction.
    const other = new Database(path);
    other.exec(
      "CREATE TRIGGER planted BEFORE INSERT ON audit_records WHEN NEW.trace_id = 't4' BEGIN SELECT RAISE(ABORT, 'planted failure'); END;",
    );
    other.close();
    writer.writeMany([good, failing]);
    expect(writer.stats).toMatchObject({ failed: 4 });
    expect(warnings).toEqual([expect.stringMatching(/sqlite write failed, 4 event\(s\) lost/)]);
    writer.write(prepareBatch([event(5)], writer.layout));
    writer.close(true);
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 3 });
  });
});

/** The `time` of each checkpoint record in the file, in order (the closing one included). */
function checkpointTimes(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const records = db.prepare("SELECT record FROM audit_records WHERE kind = 'checkpoint' ORDER BY id").pluck().all();
  db.close();
  return (records as string[]).map((text) => (JSON.parse(text) as { time: string }).time);
}

const PAST = new Date('2001-02-03T04:05:06.000Z');

/** Runs `work` with `Date` (only) set to PAST on this thread: a record made meanwhile shows where it was made. */
function inThePast<T>(work: () => T): T {
  vi.useFakeTimers({ toFake: ['Date'], now: PAST });
  try {
    return work();
  } finally {
    vi.useRealTimers();
  }
}

describe("the SQLite writer: batches chained on the caller's thread", () => {
  it('stores them as they are when they start at its head, and chains them again when they do not', () => {
    const path = dbPath();
    const writer = createSqliteWriter({ path, chain: { key: 'k', checkpointEvery: 2 } });
    const head = writer.head;
    expect(head).toEqual({ seq: 0, hash: '0'.repeat(64), events: 0 });
    const caller = new Chain({ key: 'k', checkpointEvery: 2, resume: head });
    // Prepared in the past: the checkpoint made on this side carries the past time.
    const first = inThePast(() => prepareChainedBatch([event(0), event(1), event(2)], writer.layout, caller));
    expect(first.jsons).toEqual([]);
    expect(first.chained?.checkpoints.map((item) => item.after)).toEqual([1]);
    writer.write(first);
    expect(writer.head).toEqual(caller.head);
    expect(checkpointTimes(path)).toEqual([PAST.toISOString()]);
    // Another writer (process) appends: the caller's copy of the chain is now behind the file.
    const other = createSqliteWriter({ path, chain: { key: 'k', checkpointEvery: 2 } });
    other.write(prepareBatch([event(3)], other.layout));
    other.close(false);
    const stale = inThePast(() => prepareChainedBatch([event(4), event(5)], writer.layout, caller));
    writer.write(stale);
    writer.close(true);
    expect(writer.stats).toMatchObject({ failed: 0 });
    // Chained again by the writer, from the stored head: its checkpoint was made now, not in the past.
    // Checkpoints: after e1 (the caller's), after e3 (the other writer's), after e5 (chained again), close.
    const times = checkpointTimes(path);
    expect(times).toHaveLength(4);
    expect(times[2]).not.toBe(PAST.toISOString());
    expect(verifySqlite(path, { key: 'k' })).toMatchObject({ ok: true, events: 6, closed: true });
    expect(queryAudit(path, { limit: 10 }).map((item) => item.id)).toEqual(['e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
  });

  it('counts a failed chained batch as lost, and chains the next one again from the head before it', () => {
    const path = dbPath();
    const writer = createSqliteWriter({ path, chain: { checkpointEvery: 0 }, warn: () => {} });
    const caller = new Chain({ checkpointEvery: 0, resume: writer.head });
    const other = new Database(path);
    other.exec(
      "CREATE TRIGGER planted BEFORE INSERT ON audit_records WHEN NEW.trace_id = 't1' BEGIN SELECT RAISE(ABORT, 'planted failure'); END;",
    );
    other.close();
    writer.write(prepareChainedBatch([event(0), event(1)], writer.layout, caller));
    expect(writer.stats).toMatchObject({ failed: 2 });
    writer.write(prepareChainedBatch([event(2), event(3)], writer.layout, caller));
    writer.close(true);
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 2, closed: true });
  });
});

describe('sqliteSink: thread: true', () => {
  it("chains on the caller's thread, and catches up with the file after another sink wrote to it", async () => {
    const path = dbPath();
    const threaded = sqliteSink({ path, queue: QUIET, chain: { checkpointEvery: 2 }, thread: true });
    const inline = sqliteSink({ path, queue: QUIET, chain: { checkpointEvery: 2 } });
    for (let index = 0; index < 4; index++) threaded.write(event(index));
    await threaded.flush();
    inline.write(event(10));
    await inline.flush();
    // This batch was chained from a head the file has moved past: the worker chains it again.
    for (let index = 4; index < 6; index++) threaded.write(event(index));
    await threaded.flush();
    // The worker has reported its head since: the caller's copy follows it, and its records are stored as made.
    inThePast(() => {
      for (let index = 6; index < 8; index++) threaded.write(event(index));
      // The batch is prepared (chained) now, on this thread; the worker writes it later.
      void threaded.flush();
    });
    await threaded.flush();
    await inline.close();
    await threaded.close();
    // Checkpoints every two events: after e1, e3, e4 (chained again by the worker), e6 (made on the caller's
    // thread), then the inline sink's close and the threaded sink's close.
    const times = checkpointTimes(path);
    expect(times).toHaveLength(6);
    expect(times[2]).not.toBe(PAST.toISOString());
    expect(times[3]).toBe(PAST.toISOString());
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 9, closed: true });
  });

  it('stores the same rows as the inline writer (same chain, same HMAC, same query columns)', async () => {
    const paths = { inline: dbPath(), thread: dbPath() };
    const events = Array.from({ length: 40 }, (_, index) => event(index, { data: { at: new Date(index) } }));
    for (const [mode, path] of Object.entries(paths)) {
      const sink = sqliteSink({
        path,
        chain: { key: Buffer.from('buffer-key'), checkpointEvery: 0 },
        queue: { ...QUIET, batchSize: 7 },
        thread: mode === 'thread',
      });
      for (const item of events) sink.write(item);
      await sink.close();
      expect(sink.stats()).toMatchObject({ written: 40, dropped: 0, failed: 0 });
    }
    const rows = (path: string) => {
      const db = new Database(path, { readonly: true });
      const all = db.prepare("SELECT * FROM audit_records WHERE kind = 'event' ORDER BY id").all();
      db.close();
      return all;
    };
    expect(rows(paths.thread)).toHaveLength(40);
    expect(rows(paths.thread)).toEqual(rows(paths.inline));
    expect(verifySqlite(paths.thread, { key: Buffer.from('buffer-key') })).toMatchObject({ ok: true, closed: true });
  });

  it('a worker that dies is reported, and the next batch starts a new one that continues the chain', async () => {
    const path = dbPath();
    const sink = sqliteSink({ path, queue: QUIET, thread: true });
    for (let index = 0; index < 10; index++) sink.write(event(index));
    await sink.flush();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const first = currentWorker(sink);
      expect(first).toBeDefined();
      await first?.terminate();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(warnings).toEqual([expect.stringMatching(/writer thread died, 0 event\(s\) lost/)]);
    } finally {
      process.off('warning', onWarning);
    }
    for (let index = 10; index < 20; index++) sink.write(event(index));
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 20, failed: 0, threadWaits: 0, threadWaitedMs: 0 });
    expect(verifySqlite(path)).toMatchObject({ ok: true, events: 20, closed: true });
  });
});
