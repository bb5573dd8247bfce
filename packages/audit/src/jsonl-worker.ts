/**
 * The JSONL sink's worker thread (`jsonlSink({ thread: true })`): the same writer as the inline sink, fed
 * with events already serialized by the caller's thread. After each batch it adds one to the shared
 * counter (the caller's exit paths wait on it) and reports its stats; `flush` and `close` are answered with
 * `done` once everything before them is written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createJsonlWriter, type JsonlWriterOptions } from './jsonl-writer.js';

type Request =
  | { readonly type: 'write'; readonly jsons: readonly string[]; readonly dropped: number }
  | { readonly type: 'flush' | 'close'; readonly id: number };

const port = parentPort;
if (port === null) throw new Error('jsonl-worker runs only as a worker thread of jsonlSink({ thread: true })');
const data = workerData as { options: Omit<JsonlWriterOptions, 'onError'>; finished: SharedArrayBuffer };
const finished = new Int32Array(data.finished);
// A Buffer key arrives as a Uint8Array (structured clone).
const key = data.options.chain?.key;
const chain =
  data.options.chain === undefined
    ? undefined
    : { ...data.options.chain, ...(key === undefined || typeof key === 'string' ? {} : { key: Buffer.from(key) }) };
const writer = createJsonlWriter({
  ...data.options,
  ...(chain === undefined ? {} : { chain }),
  onError: (error, operation) => port.postMessage({ type: 'error', error, operation }),
});

port.on('message', (request: Request) => {
  if (request.type === 'write') {
    writer.write(request.jsons, request.dropped);
    Atomics.add(finished, 0, 1);
    Atomics.notify(finished, 0);
    port.postMessage({ type: 'stats', stats: writer.stats });
    return;
  }
  if (request.type === 'flush') writer.retry();
  // The sink terminates the thread once `close` is answered.
  const work = request.type === 'flush' ? writer.settle() : writer.close();
  void work.then(() => port.postMessage({ type: 'done', id: request.id, stats: writer.stats }));
});
