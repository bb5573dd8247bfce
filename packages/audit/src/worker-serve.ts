import { parentPort, workerData } from 'node:worker_threads';

/**
 * The worker's side of `WorkerChannel`: answers the sink's requests in order. After each group of writes it
 * adds their number to the shared counter, notifies (the caller's exit paths wait on it) and reports the
 * writer's stats;
 * `flush` and `close` are answered with `done` once their work is over.
 */
export interface WriterHandlers {
  write(message: Record<string, unknown>): void;
  /**
   * Several `write` messages that were waiting together, written at once (the SQLite writer makes them one
   * transaction). Without it each is passed to `write`.
   */
  writeMany?(messages: readonly Record<string, unknown>[]): void;
  flush(): void | Promise<void>;
  close(): Promise<void>;
  stats(): unknown;
  /** Any other message (e.g. a retention run). */
  other?(message: Record<string, unknown>): void;
}

export function workerOptions<T>(): T {
  return (workerData as { options: T }).options;
}

/** Sends an error to the caller's `onError` (structured clone keeps the message and stack). */
export function reportError(error: unknown, operation: string): void {
  parentPort?.postMessage({ type: 'error', error, operation });
}

export function serve(handlers: WriterHandlers): void {
  const port = parentPort;
  if (port === null) throw new Error('an audit writer worker runs only as the worker thread of its sink');
  const finished = new Int32Array((workerData as { finished: SharedArrayBuffer }).finished);
  // Writes that arrived together wait for the end of this turn of the event loop, so a backlog (the sink
  // handing batches faster than they are written) is written as one group: for SQLite one transaction,
  // which dirties each index page once instead of once per batch.
  let waiting: Record<string, unknown>[] = [];
  let scheduled = false;
  const writeWaiting = (): void => {
    scheduled = false;
    if (waiting.length === 0) return;
    const group = waiting;
    waiting = [];
    if (handlers.writeMany !== undefined && group.length > 1) handlers.writeMany(group);
    else for (const message of group) handlers.write(message);
    const total = Atomics.add(finished, 0, group.length) + group.length;
    Atomics.notify(finished, 0);
    // `finished`: the stats are as of that many batches (the sink tells whether they describe its last one).
    port.postMessage({ type: 'stats', stats: handlers.stats(), finished: total });
  };
  port.on('message', (message: Record<string, unknown> & { type: string; id?: number }) => {
    if (message.type === 'write') {
      waiting.push(message);
      if (!scheduled) {
        scheduled = true;
        setImmediate(writeWaiting);
      }
      return;
    }
    // Anything else comes after the writes handed before it.
    writeWaiting();
    if (message.type === 'flush' || message.type === 'close') {
      // The sink terminates the thread once `close` is answered.
      const work = message.type === 'flush' ? handlers.flush() : handlers.close();
      void Promise.resolve(work).then(() =>
        port.postMessage({
          type: 'done',
          id: message.id,
          stats: handlers.stats(),
          finished: Atomics.load(finished, 0),
        }),
      );
      return;
    }
    handlers.other?.(message);
  });
}
