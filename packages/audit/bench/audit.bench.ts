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
import { sqliteSink } from '../src/sqlite-sink.js';

const COUNT = Number(process.env.AUDIT_BENCH_EVENTS ?? 100_000);
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

const WARM_UP = 2000;
const warmUp = Array.from({ length: WARM_UP }, (_, index) => eventOf(COUNT + index));

async function run(name: string, make: () => AuditSink): Promise<void> {
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
await run('sqliteSink, SHA-256 chain', () => sqliteSink({ path: join(dir, 'sha.db') }));
await run('sqliteSink, HMAC chain', () => sqliteSink({ path: join(dir, 'hmac.db'), chain: { key: 'bench-key' } }));
await run('sqliteSink, SHA-256 chain, thread: true', () => sqliteSink({ path: join(dir, 'sha-t.db'), thread: true }));
await run('sqliteSink, HMAC chain, thread: true', () =>
  sqliteSink({ path: join(dir, 'hmac-t.db'), chain: { key: 'bench-key' }, thread: true }),
);
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
  const columns = ['seq', 'kind', 'time', 'time_ms', 'trace_id', 'span_id', 'session', '"user"', 'stage', 'type'];
  const more = ['action', 'decided', 'guard', 'latency_us', 'findings_count', 'detectors', 'categories', 'record'];
  const all = [...columns, ...more, 'prev', 'hash'];
  const rows = events.map((event, index) => [
    index + 1,
    'event',
    event.time,
    Date.parse(event.time),
    event.traceId,
    event.spanId,
    event.session ?? null,
    event.user ?? null,
    event.stage ?? null,
    event.type,
    event.action ?? null,
    event.decided ?? null,
    event.guard,
    event.latencyUs ?? null,
    event.findings.length,
    event.findings.map((finding) => finding.detector).join(','),
    event.findings.map((finding) => finding.category).join(','),
    JSON.stringify(event),
    prev,
    prev,
  ]);
  // The sink creates its files with 16 KiB pages; SQLite's default is 4 KiB. Both floors, same rows, twice
  // each and alternated (the first insert run of a process is often the slowest).
  let floorRun = 0;
  for (const pageSize of [4096, 16_384, 4096, 16_384]) {
    const path = join(dir, `raw-${pageSize}-${floorRun++}.db`);
    const setup = new Database(path);
    setup.pragma(`page_size = ${pageSize}`);
    setup.exec('CREATE TABLE page_size_fixed (x)');
    setup.close();
    await sqliteSink({ path }).close();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare(
      `INSERT INTO audit_records (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')})`,
    );
    const batch = db.transaction((slice: unknown[][]) => {
      for (const row of slice) insert.run(...row);
    });
    started = performance.now();
    for (let index = 0; index < rows.length; index += 1000) batch(rows.slice(index, index + 1000));
    seconds = (performance.now() - started) / 1000;
    const actual = db.pragma('page_size', { simple: true });
    db.close();
    console.log(
      `| floor: better-sqlite3 alone, same table and indexes, rows precomputed, ${Number(actual) / 1024} KiB pages | ${Math.round(events.length / seconds).toLocaleString('en')} | ${((seconds * 1e6) / events.length).toFixed(1)} | – | – |`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
