import { jsonlSink } from '@parapet/audit';
import type { AuditSink } from '@parapet/core';

/**
 * The CLI's `--audit-jsonl F`: appends the run's events to F as a hash-chained trail (resuming the chain of
 * an existing file), so a shell user builds a trail that `parapet audit verify F` checks. The key for an
 * HMAC chain comes from the environment variable named by `keyEnv`, never from the command line. Events
 * carry hashes of the content, never the content itself.
 */
export function appendJsonlSink(path: string, keyEnv?: string): AuditSink {
  const key = keyEnv === undefined ? undefined : process.env[keyEnv];
  return jsonlSink({
    path,
    chain: key === undefined || key.length === 0 ? {} : { key },
    queue: { flushOnExit: true, flushIntervalMs: 50 },
  });
}
