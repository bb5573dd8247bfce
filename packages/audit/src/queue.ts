import { type AuditEvent, parseConfig } from '@parapet/core';
import { z } from 'zod';

const queueOptionsSchema = z
  .object({
    maxQueue: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    flushIntervalMs: z.number().int().positive().optional(),
    backpressure: z.enum(['drop', 'block'], { error: () => 'must be "drop" or "block"' }).optional(),
    flushOnExit: z.boolean().optional(),
    flushOnSignals: z.boolean().optional(),
  })
  .strict();

/**
 * Batching between the caller and a sink: `push` only appends to an array (the caller's cost is that and
 * nothing more); a timer (unref'd, so it never keeps the process alive) or a full batch hands the batch to
 * the sink's writer. The queue is bounded. When it is full the backpressure policy decides:
 *
 * - `drop` (default): the event is dropped and counted; the next batch written starts with one
 *   `events-dropped` event saying how many were lost since the last one — never silent;
 * - `block`: the caller writes the queued batch itself, synchronously, before queuing (it pays the write,
 *   nothing is lost).
 *
 * Writers are synchronous (appendFileSync, better-sqlite3): a flush completes before `flush()` returns, so
 * `close()`, `beforeExit` and signal handlers lose nothing that was queued.
 */

export type Backpressure = 'drop' | 'block';

export interface BatchQueueOptions {
  /** Events queued at most; past it the backpressure policy applies. Default 10 000. */
  readonly maxQueue?: number;
  /** Events handed to the writer at most per call. Default 1000. */
  readonly batchSize?: number;
  /** Longest an event waits before it is written, in ms (the window a crash can lose). Default 200. */
  readonly flushIntervalMs?: number;
  readonly backpressure?: Backpressure;
  /** Flush on `beforeExit` (default true) and on SIGTERM/SIGINT (default false: only when asked). */
  readonly flushOnExit?: boolean;
  readonly flushOnSignals?: boolean;
}

export interface QueueStats {
  readonly queued: number;
  readonly written: number;
  readonly dropped: number;
  readonly batches: number;
  /** Batches whose write threw (kept and retried at the next flush). */
  readonly errors: number;
}

export class BatchQueue {
  private queue: AuditEvent[] = [];
  private written = 0;
  private dropped = 0;
  private droppedSinceReport = 0;
  private batches = 0;
  private errors = 0;
  private lastError: unknown;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly interval: number;
  private readonly backpressure: Backpressure;
  private readonly onExit = (): void => {
    this.flush();
    this.drain?.();
  };
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.flush();
    this.drain?.();
    this.detach();
    // Re-raise so the process still ends the way it would have without us.
    process.kill(process.pid, signal);
  };

  constructor(
    private readonly write: (events: readonly AuditEvent[]) => void,
    options: BatchQueueOptions = {},
    private readonly source = 'parapet-audit',
    /**
     * For writers that hand batches to another thread: waits, synchronously, until what `write` handed
     * over is stored. Called after the flush on `beforeExit` and on a signal, where nothing may stay in
     * flight.
     */
    private readonly drain?: () => void,
  ) {
    parseConfig(queueOptionsSchema, options, 'audit queue options');
    this.maxQueue = options.maxQueue ?? 10_000;
    this.batchSize = options.batchSize ?? 1000;
    this.interval = options.flushIntervalMs ?? 200;
    this.backpressure = options.backpressure ?? 'drop';
    if (options.flushOnExit ?? true) process.on('beforeExit', this.onExit);
    if (options.flushOnSignals ?? false) {
      process.once('SIGTERM', this.onSignal);
      process.once('SIGINT', this.onSignal);
    }
  }

  get stats(): QueueStats {
    return {
      queued: this.queue.length,
      written: this.written,
      dropped: this.dropped,
      batches: this.batches,
      errors: this.errors,
    };
  }

  /** The last error the writer threw, if any (the queue keeps the events and retries). */
  get error(): unknown {
    return this.lastError;
  }

  push(event: AuditEvent): void {
    if (this.closed) throw new Error('audit sink is closed');
    if (this.queue.length >= this.maxQueue) {
      if (this.backpressure === 'block') {
        this.flush();
      } else {
        this.dropped++;
        this.droppedSinceReport++;
        return;
      }
    }
    this.queue.push(event);
    if (this.queue.length >= this.batchSize) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.interval);
      this.timer.unref();
    }
  }

  /** Writes everything queued now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0 || this.droppedSinceReport > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      if (this.droppedSinceReport > 0) {
        batch.unshift(droppedEvent(this.droppedSinceReport, this.source));
        this.droppedSinceReport = 0;
      }
      try {
        this.write(batch);
      } catch (error) {
        // A writer that throws must not lose the batch nor throw into the caller's push(): keep the events
        // (up to the bound; the rest are counted as dropped) and try again at the next flush.
        this.errors++;
        this.lastError = error;
        const room = Math.max(0, this.maxQueue - this.queue.length);
        const kept = batch.filter((event) => event.type !== 'events-dropped').slice(0, room);
        this.droppedSinceReport += batch.length - kept.length;
        this.dropped += batch.length - kept.length;
        this.queue.unshift(...kept);
        return;
      }
      this.written += batch.length;
      this.batches++;
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.detach();
  }

  private detach(): void {
    process.off('beforeExit', this.onExit);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
  }
}

let dropCounter = 0;

/** The warning event written in place of dropped events. */
export function droppedEvent(count: number, source: string): AuditEvent {
  dropCounter++;
  return {
    schemaVersion: 1,
    id: `dropped-${Date.now().toString(36)}-${dropCounter}`,
    type: 'events-dropped',
    time: new Date().toISOString(),
    traceId: '0'.repeat(32),
    spanId: '0'.repeat(16),
    guard: source,
    findings: [],
    errors: [],
    data: { dropped: count, reason: 'audit queue full (backpressure: drop)' },
  };
}
