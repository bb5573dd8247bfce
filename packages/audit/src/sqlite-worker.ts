/**
 * The SQLite sink's worker thread (`sqliteSink({ thread: true })`): the same writer as the inline sink, fed
 * with batches the caller's thread serialized (`prepareBatch`). Retention runs here when the sink asks.
 */
import { createSqliteWriter, type PreparedBatch, type SqliteWriterOptions } from './sqlite-writer.js';
import { reportError, serve, workerOptions } from './worker-serve.js';

const options = workerOptions<SqliteWriterOptions>();
// A Buffer key arrives as a Uint8Array (structured clone).
const key = options.chain?.key;
const writer = createSqliteWriter({
  ...options,
  ...(options.chain === undefined || key === undefined || typeof key === 'string'
    ? {}
    : { chain: { ...options.chain, key: Buffer.from(key) } }),
  // The sink emits the warning on the caller's thread.
  warn: (message) => reportError(new Error(message), 'write'),
});

serve({
  write: (message) => writer.write(message as unknown as PreparedBatch),
  writeMany: (messages) => writer.writeMany(messages as unknown as PreparedBatch[]),
  flush() {},
  async close() {
    writer.close(true);
  },
  stats: () => writer.stats,
  other(message) {
    if (message.type === 'retain') writer.retain();
  },
});
