import type { AuditEvent } from '@parapet/core';
import { jsonlSink } from '../src/jsonl-sink.js';
import { sqliteSink } from '../src/sqlite-sink.js';

/**
 * Child process for exit.test.ts: writes `count` events and never calls close(). `exit`: the script just
 * ends (the sink's beforeExit hook must write everything); `sigterm`: it signals itself (the sink was built
 * with flushOnSignals, so the handler must write everything before the process dies of the signal).
 * Usage: exit-writer <path> <count> <exit|sigterm> <inline|thread> [jsonl|sqlite]
 */
const [path, count = '0', how = 'exit', mode = 'inline', kind = 'jsonl'] = process.argv.slice(2);
if (path === undefined)
  throw new Error('usage: exit-writer <path> <count> <exit|sigterm> <inline|thread> [jsonl|sqlite]');
const options = {
  path,
  // A long interval and big batches: only the exit paths can write these events.
  queue: { flushIntervalMs: 60_000, batchSize: 100_000, maxQueue: 100_000, flushOnSignals: how === 'sigterm' },
  thread: mode === 'thread',
};
const sink = kind === 'sqlite' ? sqliteSink(options) : jsonlSink(options);
if (mode === 'thread') {
  // A worker that is already running, as in a server (the first batch starts it).
  sink.write(event(-1));
  await sink.flush();
}
function event(index: number): AuditEvent {
  return {
    schemaVersion: 1,
    id: `exit-${index}`,
    type: 'input-allowed',
    time: new Date().toISOString(),
    traceId: String(index + 2).padStart(32, '0'),
    spanId: String(index + 2).padStart(16, '0'),
    guard: 'exit-test',
    findings: [],
    errors: [],
  };
}
for (let index = 0; index < Number(count); index++) sink.write(event(index));
if (how === 'sigterm') {
  process.kill(process.pid, 'SIGTERM');
  // Stay alive until the signal arrives (delivery is asynchronous): the sink's handler ends the process.
  setTimeout(() => process.exit(7), 30_000);
}
