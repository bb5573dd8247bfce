/**
 * `pnpm bench` for @parapet/audit: sustained events per second through each sink with the hash chain on
 * (SHA-256 and HMAC; each also with its writer in a worker thread), measured after a warm-up
 * (files open, worker started) up to the last event on disk, the caller-side cost of `write()` (the median
 * push, and all the time the caller's thread spent in `write()` per event, batches included), and pino's
 * own throughput on the same events as the anchor. Events are realistic decision events (three findings, hashes, timings), written to a temp
 * directory on the local disk.
 */
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AuditEvent, AuditSink } from '@parapet/core';
import Database from 'better-sqlite3';
import pino from 'pino';
import { jsonlSink } from '../src/jsonl-sink.js';
import { loggerSink } from '../src/logger-sink.js';
import { type Layout, pushEventColumns, SCHEMA, SLIM, WIDE } from '../src/sqlite-schema.js';
import { sqliteSink } from '../src/sqlite-sink.js';

const COUNT = Number(process.env.AUDIT_BENCH_EVENTS ?? 100_000);
/** Rows already in the file for the "grown file" rows (random-looking ids). */
const GROWN = Number(process.env.AUDIT_BENCH_GROWN ?? 500_000);
const dir = mkdtempSync(join(tmpdir(), 'parapet-audit-bench-'));

function eventOf(index: number): AuditEvent {
  return {
    schemaVersion: 1,
    id: `evt-${index}`,
    type: index % 5 === 0 ? 'input-blocked' : 'input-allowed',
    time: new Date(1_795_000_000_000 + index).toISOString(),
    traceId: (index * 2654435761).toString(16).padStart(32, '0'),
    spanId: index.toString(16).padStart(16, '0'),
    guard: 'bench',
    stage: 'input',
    action: index % 5 === 0 ? 'block' : 'allow',
    decided: index % 5 === 0 ? 'block' : 'allow',
    session: `sess-${index % 100}`,
    user: `user-${index % 1000}`,
    findings: [
      {
        detector: 'prompt-injection',
        category: 'instruction-override',
        score: 0.97,
        severity: 'critical',
        action: 'block',
      },
      {
        detector: 'pii',
        category: 'EMAIL_ADDRESS',
        score: 0.9,
        severity: 'medium',
        action: 'redact',
        span: { start: 10, end: 30 },
      },
      { detector: 'secrets', category: 'SECRET', score: 0.99, severity: 'critical', action: 'redact' },
    ],
    errors: [],
    latencyUs: 180 + (index % 50),
    timings: { 'prompt-injection': 90, pii: 60, secrets: 25 },
    content: { sha256: 'ab'.repeat(32), length: 412 },
  };
}

const events = Array.from({ length: COUNT }, (_, index) => eventOf(index));
const monotonic = events;
// The same events with trace and session ids that look random, as real ones (W3C trace ids, session
// UUIDs) do: four events per trace, ten per session. The ids above grow with the index, so their index
// entries always go to the end of the B-tree; random ones land on any page.
const scattered = events.map((event, index) => ({
  ...event,
  traceId: hash('sha256', `trace-${Math.floor(index / 4)}`, 'hex').slice(0, 32),
  session: hash('sha256', `session-${Math.floor(index / 10)}`, 'hex').slice(0, 16),
}));

const WARM_UP = 2000;
const warmUp = Array.from({ length: WARM_UP }, (_, index) => eventOf(COUNT + index));

async function run(name: string, make: () => AuditSink, events: readonly AuditEvent[] = monotonic): Promise<void> {
  const sink = make();
  // Sustained: the file or database is open (and a worker thread started) before the clock starts.
  for (const event of warmUp) sink.write(event);
  await sink.flush?.();
  // Caller-side cost: time each write() alone. The median is the push; a write() that fills a batch hands
  // it on (inline: writes it), so the sum over all writes is what the caller's thread spent on the sink.
  const callerSamples = new Float64Array(events.length);
  const started = performance.now();
  for (let index = 0; index < events.length; index++) {
    const t0 = performance.now();
    sink.write(events[index]!);
    callerSamples[index] = performance.now() - t0;
  }
  await sink.flush?.();
  const seconds = (performance.now() - started) / 1000;
  await sink.close?.();
  // A figure only counts if every event was written: a sink that dropped some says so in its row.
  const stats = (sink as { stats?: unknown }).stats;
  const counts = (typeof stats === 'function' ? stats.call(sink) : stats) as
    | { dropped?: number; threadWaitedMs?: number }
    | undefined;
  if ((counts?.dropped ?? 0) > 0) name += ` (DROPPED ${counts?.dropped})`;
  let callerMs = 0;
  for (const sample of callerSamples) callerMs += sample;
  callerSamples.sort();
  const median = callerSamples[callerSamples.length >> 1]! * 1000;
  const callerPerEvent = (callerMs * 1000) / events.length;
  // With a writer thread, part of that time is waiting for the worker (counted by the sink itself).
  const waited = counts?.threadWaitedMs;
  const caller =
    waited === undefined
      ? callerPerEvent.toFixed(1)
      : `${callerPerEvent.toFixed(1)} (${((waited * 1000) / events.length).toFixed(1)} waiting)`;
  console.log(
    `| ${name} | ${Math.round(events.length / seconds).toLocaleString('en')} | ${((seconds * 1e6) / events.length).toFixed(1)} | ${median.toFixed(2)} | ${caller} |`,
  );
}

const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

console.log(`\n## @parapet/audit sinks, ${COUNT.toLocaleString('en')} events each (Node ${process.version})\n`);
console.log(
  '| sink | events/s sustained | µs per event | caller write() median µs | caller thread µs per event |\n|---|---|---|---|---|',
);
await run('jsonlSink, SHA-256 chain', () => jsonlSink({ path: join(dir, 'sha.jsonl') }));
await run('jsonlSink, HMAC chain', () => jsonlSink({ path: join(dir, 'hmac.jsonl'), chain: { key: 'bench-key' } }));
await run('jsonlSink, SHA-256 chain, thread: true', () => jsonlSink({ path: join(dir, 'sha-t.jsonl'), thread: true }));
await run('jsonlSink, HMAC chain, thread: true', () =>
  jsonlSink({ path: join(dir, 'hmac-t.jsonl'), chain: { key: 'bench-key' }, thread: true }),
);
/** The table files made by earlier versions of the package have (the sink keeps writing them as they are). */
const WIDE_TABLE = `CREATE TABLE audit_records (id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, kind TEXT NOT NULL,
  time TEXT, time_ms INTEGER, trace_id TEXT, span_id TEXT, session TEXT, "user" TEXT, tenant TEXT, stage TEXT, type TEXT,
  action TEXT, decided TEXT, guard TEXT, tool TEXT, latency_us INTEGER, findings_count INTEGER, detectors TEXT,
  categories TEXT, record TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_records_type ON audit_records (type);`;

await run('sqliteSink, SHA-256 chain', () => sqliteSink({ path: join(dir, 'sha.db') }));
await run('sqliteSink, HMAC chain', () => sqliteSink({ path: join(dir, 'hmac.db'), chain: { key: 'bench-key' } }));
await run('sqliteSink, SHA-256 chain, thread: true', () => sqliteSink({ path: join(dir, 'sha-t.db'), thread: true }));
await run('sqliteSink, HMAC chain, thread: true', () =>
  sqliteSink({ path: join(dir, 'hmac-t.db'), chain: { key: 'bench-key' }, thread: true }),
);
await run(
  'sqliteSink, SHA-256 chain, thread: true, random-looking trace and session ids',
  () => sqliteSink({ path: join(dir, 'sha-t-scattered.db'), thread: true }),
  scattered,
);
await run('sqliteSink, SHA-256 chain, thread: true, wide table (a file from an earlier version)', () => {
  const path = join(dir, 'wide-t.db');
  const setup = new Database(path);
  setup.exec(WIDE_TABLE);
  setup.close();
  return sqliteSink({ path, thread: true });
});
/**
 * A file that already holds GROWN rows with random-looking ids, written through the threaded sink, with the
 * trace and session indexes new files get (led by the row's block of ids) or the plain ones of files made
 * before session 10. Random keys take a plain index's inserts to any of its pages, so its cost grows with
 * the file; the block-led index keeps them in the newest block.
 */
async function grownFile(name: string, plainIndexes: boolean): Promise<string> {
  const path = join(dir, `${name}.db`);
  if (plainIndexes) {
    const setup = new Database(path);
    setup.pragma('page_size = 16384');
    setup.exec(SCHEMA.replace(/\(id >> \d+, (trace_id|session)\)/g, '($1)'));
    setup.close();
  }
  const sink = sqliteSink({ path, thread: true, queue: { backpressure: 'block' } });
  for (let index = 0; index < GROWN; index++) {
    sink.write({
      ...eventOf(index),
      // Earlier than the timed events, as a file's old rows are (the same times would put every new entry of
      // the time index between two old ones).
      time: new Date(1_795_000_000_000 - (GROWN - index) * 10).toISOString(),
      traceId: hash('sha256', `grown-trace-${index >> 2}`, 'hex').slice(0, 32),
      session: hash('sha256', `grown-session-${Math.floor(index / 10)}`, 'hex').slice(0, 16),
    });
  }
  await sink.close();
  return path;
}
if (GROWN > 0) {
  for (const plain of [false, true]) {
    const path = await grownFile(plain ? 'grown-plain' : 'grown-blocks', plain);
    await run(
      `sqliteSink, SHA-256 chain, thread: true, random-looking ids, into a file of ${GROWN.toLocaleString('en')} rows: ${plain ? 'plain trace and session indexes (files made before session 10)' : 'block-led trace and session indexes (new files)'}`,
      () => sqliteSink({ path, thread: true }),
      scattered,
    );
  }
}
await run('loggerSink → pino (discarding stream)', () => loggerSink(pino({}, discard())));
await run('loggerSink → pino, queued', () => loggerSink(pino({}, discard()), { queue: true }));
{
  // The anchor: pino's own throughput on the same events, no Parapet code in the loop.
  const logger = pino({}, discard());
  const started = performance.now();
  for (const event of events) logger.info({ audit: event }, event.type);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `| pino alone (anchor) | ${Math.round(events.length / seconds).toLocaleString('en')} | ${((seconds * 1e6) / events.length).toFixed(1)} | – | – |`,
  );
}
{
  // Floors on this machine, no Parapet code in the loop: serializing and hashing each event (the chain's own
  // work, before any I/O), and better-sqlite3 inserting the same rows into the same table and indexes.
  let prev = '0'.repeat(64);
  let started = performance.now();
  for (const event of events) prev = hash('sha256', `${prev}\n${JSON.stringify(event)}`, 'hex');
  let seconds = (performance.now() - started) / 1000;
  console.log(
    `| floor: JSON.stringify + SHA-256 per event, no I/O | ${Math.round(events.length / seconds).toLocaleString('en')} | ${((seconds * 1e6) / events.length).toFixed(1)} | – | – |`,
  );
  // The same rows for both table layouts: the slim one new files get, and the wide one of earlier versions.
  const layouts = { slim: SLIM, wide: WIDE } as const;
  const rowsFor = (layout: Layout) =>
    events.map((event, index) => {
      const row: unknown[] = [index + 1, 'event'];
      pushEventColumns(event, row, layout);
      row.push(JSON.stringify(event), prev, prev);
      return row;
    });
  const rows = { slim: rowsFor(SLIM), wide: rowsFor(WIDE) };
  // Twice each and alternated (the first insert run of a process is often the slowest).
  let floorRun = 0;
  for (const name of ['slim', 'wide', 'slim', 'wide'] as const) {
    const layout = layouts[name];
    const path = join(dir, `raw-${name}-${floorRun++}.db`);
    if (name === 'wide') {
      const setup = new Database(path);
      setup.exec(WIDE_TABLE);
      setup.close();
    }
    await sqliteSink({ path }).close();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.prepare('DELETE FROM audit_records').run();
    const insert = db.prepare(
      `INSERT INTO audit_records (${layout.columns.join(', ')}) VALUES (${layout.columns.map(() => '?').join(', ')})`,
    );
    const batch = db.transaction((slice: unknown[][]) => {
      for (const row of slice) insert.run(row);
    });
    const all = rows[name];
    started = performance.now();
    for (let index = 0; index < all.length; index += 1000) batch(all.slice(index, index + 1000));
    seconds = (performance.now() - started) / 1000;
    db.close();
    console.log(
      `| floor: better-sqlite3 alone, ${name} table (${name === 'slim' ? 'new files' : 'files from earlier versions'}) and its indexes, rows precomputed | ${Math.round(events.length / seconds).toLocaleString('en')} | ${((seconds * 1e6) / events.length).toFixed(1)} | – | – |`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
