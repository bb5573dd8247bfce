import { parentPort, workerData } from 'node:worker_threads';

/**
 * The worker's side of `WorkerChannel`: answers the sink's requests in order. After each `write` it adds one
 * to the shared counter, notifies (the caller's exit paths wait on it) and reports the writer's stats;
 * `flush` and `close` are answered with `done` once their work is over.
 */
export interface WriterHandlers {
  write(message: Record<string, unknown>): void;
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
  port.on('message', (message: Record<string, unknown> & { type: string; id?: number }) => {
    if (message.type === 'write') {
      handlers.write(message);
      Atomics.add(finished, 0, 1);
      Atomics.notify(finished, 0);
      port.postMessage({ type: 'stats', stats: handlers.stats() });
      return;
    }
    if (message.type === 'flush' || message.type === 'close') {
      // The sink terminates the thread once `close` is answered.
      const work = message.type === 'flush' ? handlers.flush() : handlers.close();
      void Promise.resolve(work).then(() =>
        port.postMessage({ type: 'done', id: message.id, stats: handlers.stats() }),
      );
      return;
    }
    handlers.other?.(message);
  });
}
