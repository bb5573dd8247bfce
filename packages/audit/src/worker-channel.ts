import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The caller's side of a sink's writer thread (`thread: true`), shared by the JSONL and SQLite sinks. The
 * worker runs the same writer as the inline sink; this side starts it at the first batch, hands batches over,
 * bounds what is in flight, waits for it on the exit paths, and notices when it dies.
 *
 * Protocol: requests `{ type: 'write', ... }` (the sink's batch), `{ type: 'flush' | 'close', id }` and any
 * other fire-and-forget message; replies `{ type: 'error', error, operation }`, `{ type: 'stats', stats, finished }`
 * after each group of batches (`finished`: how many batches the stats account for) and
 * `{ type: 'done', id, stats, finished }` once everything before a flush or close is done. After
 * each batch the worker adds one to a shared counter and notifies, so the exit and signal paths can wait for
 * it synchronously (`Atomics.wait`), where no message can be received.
 */

/** Internal (tests): a sink's current worker thread, if `thread: true` started one. Not exported by the package. */
export const CURRENT_WORKER: unique symbol = Symbol('parapet.audit.worker');

/** Internal (tests): the worker thread a sink built with `thread: true` is running now, if any. */
export function currentWorker(sink: object): Worker | undefined {
  return (sink as { readonly [CURRENT_WORKER]?: () => Worker | undefined })[CURRENT_WORKER]?.();
}

/** How long the exit and signal paths (and a full channel) wait, at most, for the worker. */
const WAIT_TIMEOUT_MS = 10_000;

export interface WorkerChannelOptions<Stats extends { readonly pending: number }> {
  /** The worker's module, without extension: `jsonl-worker` (next to this one, `.js` built or `.ts` source). */
  readonly entry: string;
  /** Passed to the worker as `workerData.options`. */
  readonly options: unknown;
  /** Events handed over and not yet finished, at most; past that the next batch waits for the worker. */
  readonly maxInFlight: number;
  readonly initialStats: Stats;
  /** An error the worker reported (I/O, counted in its stats). */
  readonly onError: (error: unknown, operation: string) => void;
  /** The worker died: `count` events it held (in flight or kept for a retry) are lost. */
  readonly onLost: (count: number, error: unknown) => void;
}

type Reply<Stats> =
  | { readonly type: 'error'; readonly error: unknown; readonly operation: string }
  | { readonly type: 'stats'; readonly stats: Stats; readonly finished: number }
  | { readonly type: 'done'; readonly id: number; readonly stats: Stats; readonly finished: number };

/** The worker's module URL: built next to this module (`.js`), or the TypeScript source run through tsx. */
function workerEntry(entry: string): { url: URL; execArgv?: string[]; source?: { tsx: string; entry: string } } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL(`./${entry}.js`, here) };
  // From source (tests, tsx): a small JS bootstrap loads tsx in the worker, then the TypeScript entry.
  const tsx = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(here).resolve('tsx/package.json'))).href;
  return {
    url: new URL('./source-worker.mjs', here),
    execArgv: ['--conditions=@parapet/source'],
    source: { tsx, entry: new URL(`./${entry}.ts`, here).href },
  };
}

export class WorkerChannel<Stats extends { readonly pending: number }> {
  private current: Worker | undefined;
  // [0]: batches the current worker has finished.
  private finished = new Int32Array(new SharedArrayBuffer(4));
  private posted = 0;
  private seen = 0;
  // Batches the stats in `latest` account for (the worker's count when it sent them).
  private reported = 0;
  // Sizes of the batches handed over and not finished yet, oldest first.
  private sizes: number[] = [];
  private inFlight = 0;
  private waits = 0;
  private waitedMs = 0;
  private latest: Stats;
  private nextId = 0;
  private readonly waiters = new Map<number, () => void>();

  constructor(private readonly config: WorkerChannelOptions<Stats>) {
    this.latest = config.initialStats;
  }

  /** The running worker, if any (tests). */
  get worker(): Worker | undefined {
    return this.current;
  }

  /** Backpressure from the worker: batches that waited for room, and the time they waited in all. */
  get backpressure(): { readonly waits: number; readonly waitedMs: number } {
    return { waits: this.waits, waitedMs: this.waitedMs };
  }

  /** The worker's stats as of the last batch it finished (or the last flush). */
  get stats(): Stats {
    return this.latest;
  }

  /**
   * True when the worker has reported its stats after the last batch handed to it (or none runs): `stats`
   * then describe everything written so far.
   */
  get statsUpToDate(): boolean {
    return this.current === undefined || this.reported >= this.posted;
  }

  /**
   * Hands a batch of `count` events to the worker (started if needed). When `maxInFlight` events are already
   * in flight, waits (blocking this thread, like an inline write) until the worker has room.
   */
  hand(message: { readonly type: 'write' }, count: number): void {
    this.settle();
    if (this.current !== undefined && this.inFlight + count > this.config.maxInFlight) {
      // A batch larger than the bound on its own (an events-dropped record on top of a full queue, or
      // batchSize > maxQueue) goes once the worker has nothing else in flight.
      const started = performance.now();
      this.waitFor(() => this.inFlight === 0 || this.inFlight + count <= this.config.maxInFlight);
      this.waits++;
      this.waitedMs += performance.now() - started;
    }
    const worker = this.start();
    this.posted++;
    this.sizes.push(count);
    this.inFlight += count;
    worker.postMessage(message);
  }

  /** A message the worker handles in order, with no answer (e.g. a retention run). */
  send(message: { readonly type: string }): void {
    this.current?.postMessage(message);
  }

  /** Waits synchronously (up to 10 s) until the worker has finished every batch handed to it. */
  drain(): void {
    this.waitFor(() => Atomics.load(this.finished, 0) >= this.posted);
  }

  /** Flush or close: resolves once the worker has done everything before it (at once when none runs). */
  async request(type: 'flush' | 'close'): Promise<void> {
    const worker = this.current;
    if (worker === undefined) return;
    const id = ++this.nextId;
    const answered = new Promise<void>((resolve) => this.waiters.set(id, resolve));
    // Waiting on the worker must keep the process alive (a top-level `await sink.close()`).
    worker.ref();
    try {
      worker.postMessage({ type, id });
      await answered;
    } finally {
      worker.unref();
    }
    this.settle();
    if (type === 'close') {
      this.current = undefined;
      await worker.terminate();
    }
  }

  private settle(): void {
    const done = Atomics.load(this.finished, 0);
    while (this.seen < done && this.sizes.length > 0) {
      this.inFlight -= this.sizes.shift() as number;
      this.seen++;
    }
  }

  private waitFor(until: () => boolean): void {
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    this.settle();
    while (this.current !== undefined && !until()) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(this.finished, 0, Atomics.load(this.finished, 0), Math.min(left, 50));
      this.settle();
    }
  }

  private start(): Worker {
    if (this.current !== undefined) return this.current;
    this.finished = new Int32Array(new SharedArrayBuffer(4));
    this.posted = 0;
    this.seen = 0;
    this.reported = 0;
    const { url, execArgv, source } = workerEntry(this.config.entry);
    const worker = new Worker(url, {
      workerData: { options: this.config.options, finished: this.finished.buffer, source },
      ...(execArgv === undefined ? {} : { execArgv }),
    });
    // Like the queue's timer, the worker never keeps the process alive; the exit paths drain it.
    worker.unref();
    worker.on('message', (reply: Reply<Stats>) => {
      if (reply.type === 'error') {
        this.config.onError(reply.error, reply.operation);
        return;
      }
      if (this.current === worker) {
        this.latest = reply.stats;
        this.reported = reply.finished;
      }
      if (reply.type === 'done') {
        this.waiters.get(reply.id)?.();
        this.waiters.delete(reply.id);
      }
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the audit writer thread exited (code ${code})`)));
    this.current = worker;
    return worker;
  }

  /** The worker died: what it held is lost; the next batch starts a new one. */
  private lost(worker: Worker, error: unknown): void {
    if (this.current !== worker) return;
    this.settle();
    const count = this.inFlight + this.latest.pending;
    this.inFlight = 0;
    this.sizes = [];
    this.latest = { ...this.latest, pending: 0 };
    this.current = undefined;
    this.config.onLost(count, error);
    for (const resolve of this.waiters.values()) resolve();
    this.waiters.clear();
  }
}
