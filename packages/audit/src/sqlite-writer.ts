import type { AuditEvent } from '@parapet/core';
import { CHAIN_VERSION, Chain, type ChainHead, type ChainRecord, type CheckpointRecord, sameHead } from './chain.js';
import {
  columnsOf,
  headMac,
  type Layout,
  layoutOf,
  type MetaRow,
  openDatabase,
  plainEvent,
  pushEventColumns,
  type RetentionCheckpoint,
  refreshStatistics,
} from './sqlite-schema.js';

/**
 * The database side of the SQLite sink: one writer transaction per batch, the chain continued from the head
 * stored in `audit_meta` (another process may have written since), retention, and the closing checkpoint.
 * It runs on the caller's thread (default) or in the sink's worker thread (`thread: true`), the same code
 * either way, fed with batches prepared by `prepareBatch` on the caller's thread.
 */

const DAY_MS = 86_400_000;

export interface SqliteWriterOptions {
  readonly path: string;
  readonly retentionDays?: number;
  /** The hash chain; undefined stores rows without hashes. */
  readonly chain?: { readonly key?: string | Buffer; readonly checkpointEvery: number };
  /** Told about each failed batch or retention run (default: `process.emitWarning`). */
  readonly warn?: (message: string) => void;
}

export interface SqliteWriterStats {
  /** Events lost because a batch could not be written. */
  readonly failed: number;
  /** Rows deleted by retention. */
  readonly retained: number;
  /** Events held for a retry (this writer keeps none: a failed batch is lost, counted in `failed`). */
  readonly pending: number;
  readonly lastError?: string;
  /** The writer's chain head after its last write (undefined without a chain). */
  readonly head?: ChainHead;
}

/**
 * A batch whose records were already chained on the caller's thread (`prepareChainedBatch`): the record text
 * and hash of each event, and the checkpoints due after some of them, continuing the chain from `start`.
 */
export interface ChainedRecords {
  readonly start: ChainHead;
  readonly end: ChainHead;
  /** Each event's record as stored (the chain's JSON line without its newline). */
  readonly lines: readonly string[];
  readonly hashes: readonly string[];
  /** Checkpoint records, each written after the event at index `after`. */
  readonly checkpoints: readonly { readonly after: number; readonly record: CheckpointRecord }[];
}

/** A batch as the writer takes it: each event's JSON and its query columns (`layout.eventColumns` per event). */
export interface PreparedBatch {
  /** Each event's JSON; empty when `chained` is given (each record then holds its event's JSON). */
  readonly jsons: readonly string[];
  readonly columns: readonly unknown[];
  /** The layout the columns were derived for (`Layout.name`). */
  readonly layout: Layout['name'];
  /**
   * The records already chained by the caller. The writer stores them as they are when its chain head is
   * `chained.start`; otherwise (another process appended, a batch failed, retention added a marker) it
   * chains the events again from its own head, as it does for a batch without `chained`.
   */
  readonly chained?: ChainedRecords;
}

/**
 * Serializes a batch on the caller's thread: `data` round-tripped to plain JSON (so what is stored is what
 * was hashed), one `JSON.stringify` per event, and the query columns.
 */
export function prepareBatch(events: readonly AuditEvent[], layout: Layout): PreparedBatch {
  const jsons = new Array<string>(events.length);
  const columns: unknown[] = [];
  for (let index = 0; index < events.length; index++) {
    const plain = plainEvent(events[index] as AuditEvent);
    jsons[index] = JSON.stringify(plain);
    pushEventColumns(plain, columns, layout);
  }
  return { jsons, columns, layout: layout.name };
}

/**
 * `prepareBatch` plus the chain, on the caller's thread: with the writer in a worker thread, hashing there
 * left the worker (the sink's bottleneck) ~5 µs per event more to do than inserting. `chain` is the caller's
 * copy of the chain, advanced here; the writer checks that each batch starts at its own head.
 */
export function prepareChainedBatch(events: readonly AuditEvent[], layout: Layout, chain: Chain): PreparedBatch {
  const columns: unknown[] = [];
  const lines = new Array<string>(events.length);
  const hashes = new Array<string>(events.length);
  const checkpoints: { after: number; record: CheckpointRecord }[] = [];
  const start = chain.head;
  for (let index = 0; index < events.length; index++) {
    const plain = plainEvent(events[index] as AuditEvent);
    const line = chain.appendJson(JSON.stringify(plain));
    lines[index] = line.slice(0, -1);
    hashes[index] = chain.head.hash;
    pushEventColumns(plain, columns, layout);
    if (chain.checkpointDue) checkpoints.push({ after: index, record: chain.checkpoint() });
  }
  return {
    jsons: [],
    columns,
    layout: layout.name,
    chained: { start, end: chain.head, lines, hashes, checkpoints },
  };
}

/** The event JSON inside a chained record line (between `"event":` and `,"hash":"<64 hex>"}`). */
const HASH_SUFFIX = ',"hash":"'.length + 64 + '"}'.length;
function eventJsonOf(line: string): string {
  return line.slice(line.indexOf('"event":') + '"event":'.length, line.length - HASH_SUFFIX);
}

/** The events' JSON of a batch, however it was prepared. */
function jsonsOf(batch: PreparedBatch): readonly string[] {
  return batch.chained === undefined ? batch.jsons : batch.chained.lines.map(eventJsonOf);
}

/** How many events a batch holds. */
export function eventCount(batch: PreparedBatch): number {
  return batch.chained === undefined ? batch.jsons.length : batch.chained.lines.length;
}

export interface SqliteWriter {
  /** Writes a batch in one transaction; never throws (a failed batch is counted in `failed`, with a warning). */
  write(batch: PreparedBatch): void;
  /**
   * Writes batches that were waiting together in one transaction: under a backlog each index page is then
   * dirtied (and logged) once per group instead of once per batch. A failure loses the group, counted.
   */
  writeMany(batches: readonly PreparedBatch[]): void;
  /** Deletes rows older than `retentionDays` (no-op without it). */
  retain(): void;
  /** Closes the database; with `checkpoint`, first appends the closing checkpoint. */
  close(checkpoint: boolean): void;
  readonly stats: SqliteWriterStats;
  /** The database's table layout (what `prepareBatch` must produce for it). */
  readonly layout: Layout;
  /** The chain head after the last write (as stored in `audit_meta` then); undefined without a chain. */
  readonly head: ChainHead | undefined;
}

/** Opens (creating when missing) the database; throws when it cannot be opened. */
export function createSqliteWriter(options: SqliteWriterOptions): SqliteWriter {
  const chained = options.chain !== undefined;
  const key = options.chain?.key;
  const checkpointEvery = options.chain?.checkpointEvery ?? 0;
  const db = openDatabase(options.path);
  const layout = layoutOf(db);
  const width = layout.eventColumns;

  const insert = db.prepare(
    `INSERT INTO audit_records (${layout.columns.join(', ')}) VALUES (${layout.columns.map(() => '?').join(', ')})`,
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

  const chainAt = (head: ChainHead): Chain => new Chain({ key, checkpointEvery, resume: head });
  const chainFrom = (meta: MetaRow): Chain =>
    chainAt({ seq: meta.head_seq, hash: meta.head_hash, events: meta.head_events });
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
    insert.run(columnsOf(record, JSON.stringify(record), layout));
  };

  // One row: seq, kind, the event's query columns, the record text, prev, hash (`layout.columns` order).
  const row = new Array<unknown>(layout.columns.length);
  row[1] = 'event';
  const insertEvent = (
    seq: number,
    columns: readonly unknown[],
    at: number,
    record: string,
    prev: string,
    hash: string,
  ): void => {
    row[0] = seq;
    for (let index = 0; index < width; index++) row[index + 2] = columns[at + index];
    row[width + 2] = record;
    row[width + 3] = prev;
    row[width + 4] = hash;
    insert.run(row);
  };

  /** A batch's query columns for this database's layout. */
  const columnsFor = (batch: PreparedBatch): readonly unknown[] => {
    if (batch.layout === layout.name) return batch.columns;
    // Prepared for another layout (the file was replaced after the sink opened it): derive the columns again.
    const derived: unknown[] = [];
    for (const json of jsonsOf(batch)) pushEventColumns(JSON.parse(json) as AuditEvent, derived, layout);
    return derived;
  };

  /** Writes batches in one transaction (a group the worker found waiting together, or one batch). */
  const writeBatchesTransaction = db.transaction((batches: readonly PreparedBatch[]) => {
    if (!chained) {
      // Sequence numbers are kept even without the chain, so rows stay ordered and countable.
      let seq = (readMeta.get() as MetaRow).head_seq;
      for (const batch of batches) {
        const jsons = jsonsOf(batch);
        const columns = columnsFor(batch);
        for (let index = 0; index < jsons.length; index++) {
          seq++;
          // Byte for byte JSON.stringify({ v, kind, seq, prev: '', event, hash: '' }).
          const record = `{"v":${CHAIN_VERSION},"kind":"event","seq":${seq},"prev":"","event":${jsons[index]},"hash":""}`;
          insertEvent(seq, columns, index * width, record, '', '');
        }
      }
      writeHead.run(seq, '', 0, '');
      return;
    }
    syncHead();
    for (const batch of batches) {
      const columns = columnsFor(batch);
      const chainedRecords = batch.chained;
      if (chainedRecords !== undefined && sameHead(chain.head, chainedRecords.start)) {
        // Chained by the caller from this very head: store the records as they are.
        const { lines, hashes, checkpoints } = chainedRecords;
        let prev = chainedRecords.start.hash;
        let seq = chainedRecords.start.seq;
        let next = 0;
        for (let index = 0; index < lines.length; index++) {
          seq++;
          const hash = hashes[index] as string;
          insertEvent(seq, columns, index * width, lines[index] as string, prev, hash);
          prev = hash;
          while (next < checkpoints.length && checkpoints[next]?.after === index) {
            const checkpoint = (checkpoints[next++] as { record: CheckpointRecord }).record;
            insertRecord(checkpoint);
            seq = checkpoint.seq;
            prev = checkpoint.hash;
          }
        }
        chain = chainAt(chainedRecords.end);
        continue;
      }
      const jsons = jsonsOf(batch);
      for (let index = 0; index < jsons.length; index++) {
        // One serialization per event: the chain's JSON line is both what is hashed and what is stored.
        const prev = chain.head.hash;
        const line = chain.appendJson(jsons[index] as string);
        const head = chain.head;
        insertEvent(head.seq, columns, index * width, line.slice(0, -1), prev, head.hash);
        if (chain.checkpointDue) insertRecord(chain.checkpoint());
      }
    }
    storeHead();
  });

  /** Runs a write; on failure the transaction has rolled back, so the chain goes back to the head before it. */
  const attempt = (work: () => void, lost: number): void => {
    const head = chain.head;
    try {
      work();
    } catch (error) {
      chain = chainAt(head);
      failed += lost;
      lastError = error instanceof Error ? error.message : String(error);
      const message = `parapet audit: sqlite write failed, ${lost} event(s) lost: ${lastError}`;
      if (options.warn === undefined) process.emitWarning(message, 'ParapetAudit');
      else options.warn(message);
    }
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
    const marker: RetentionCheckpoint = chain.checkpoint(new Date().toISOString(), {
      retention: { firstSeq, firstPrev, deleted },
    });
    insertRecord(marker);
    storeHead();
  });

  const closeTransaction = db.transaction(() => {
    syncHead();
    insertRecord(chain.checkpoint());
    storeHead();
  });

  return {
    write(batch) {
      this.writeMany([batch]);
    },
    writeMany(batches) {
      let events = 0;
      for (const batch of batches) events += eventCount(batch);
      if (closed) {
        failed += events;
        return;
      }
      attempt(() => writeBatchesTransaction.immediate(batches), events);
    },
    retain() {
      if (options.retentionDays === undefined || closed) return;
      const cutoff = Date.now() - options.retentionDays * DAY_MS;
      attempt(() => runRetention.immediate(cutoff), 0);
    },
    close(checkpoint) {
      if (closed) return;
      // A checkpoint on close states how many events the chain holds, so a later cut tail shows.
      if (checkpoint && chained) attempt(() => closeTransaction.immediate(), 0);
      if (checkpoint) refreshStatistics(db);
      closed = true;
      db.close();
    },
    layout,
    get head() {
      return chained ? chain.head : undefined;
    },
    get stats(): SqliteWriterStats {
      return {
        failed,
        retained,
        pending: 0,
        ...(lastError === undefined ? {} : { lastError }),
        ...(chained ? { head: chain.head } : {}),
      };
    },
  };
}
