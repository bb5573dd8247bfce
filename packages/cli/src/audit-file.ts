import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEvent, AuditSink } from '@parapet/core';

/**
 * Appends each event as one JSON line, synchronously (a CLI run is short and must not lose its events).
 * Events carry hashes of the content, never the content itself.
 */
export function appendJsonlSink(path: string): AuditSink {
  mkdirSync(dirname(path), { recursive: true });
  return {
    name: 'jsonl-append',
    write(event: AuditEvent) {
      appendFileSync(path, `${JSON.stringify(event)}\n`);
    },
  };
}
