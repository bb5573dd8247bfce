import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '@parapet/core';
import { jsonlSink } from '../src/jsonl-sink.js';

/**
 * Child process for crash.test.ts: writes events through jsonlSink in a loop and prints, after each burst,
 * `pushed <total> <ms>` (its own clock) so the parent can bound the loss after a SIGKILL.
 * With `thread`, the sink writes from its worker thread, started (by a first event and a flush) before
 * the loop, as in a server that has been running for a while.
 * Usage: crash-writer <path> <flushIntervalMs> <batchSize> <perTick> [thread]
 */
const [path, interval = '50', batch = '100', perTick = '5', mode = 'inline'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: crash-writer <path> [flushIntervalMs] [batchSize] [perTick] [thread]');
const sink = jsonlSink({
  path,
  queue: { flushIntervalMs: Number(interval), batchSize: Number(batch), maxQueue: 100_000 },
  thread: mode === 'thread',
});
const burst = Number(perTick);
let pushed = 0;
if (mode === 'thread') {
  sink.write(event(pushed++));
  await sink.flush();
}

function event(index: number): AuditEvent {
  return {
    schemaVersion: 1,
    id: `crash-${index}`,
    type: 'input-flagged',
    time: new Date().toISOString(),
    traceId: index.toString(16).padStart(32, '0'),
    spanId: index.toString(16).padStart(16, '0'),
    guard: 'crash-test',
    stage: 'input',
    action: 'flag',
    findings: [{ detector: 'pii', category: 'email', score: 0.8, severity: 'medium', action: 'flag' }],
    errors: [],
  };
}

function tick(): void {
  for (let index = 0; index < burst; index++) sink.write(event(pushed++));
  // Stdout to a pipe is synchronous on Linux: the parent sees every line written before the kill.
  process.stdout.write(`pushed ${pushed} ${performance.now().toFixed(3)}\n`);
  setTimeout(tick, 1);
}
tick();
