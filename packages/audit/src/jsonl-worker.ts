/**
 * The JSONL sink's worker thread (`jsonlSink({ thread: true })`): the same writer as the inline sink, fed
 * with events already serialized by the caller's thread.
 */
import { createJsonlWriter, type JsonlWriterOptions } from './jsonl-writer.js';
import { reportError, serve, workerOptions } from './worker-serve.js';

const options = workerOptions<Omit<JsonlWriterOptions, 'onError'>>();
// A Buffer key arrives as a Uint8Array (structured clone).
const key = options.chain?.key;
const chain =
  options.chain === undefined
    ? undefined
    : { ...options.chain, ...(key === undefined || typeof key === 'string' ? {} : { key: Buffer.from(key) }) };
const writer = createJsonlWriter({ ...options, ...(chain === undefined ? {} : { chain }), onError: reportError });

serve({
  write: (message) => writer.write(message.jsons as readonly string[], message.dropped as number),
  flush() {
    writer.retry();
    return writer.settle();
  },
  close: () => writer.close(),
  stats: () => writer.stats,
});
