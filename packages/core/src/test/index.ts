/**
 * Helpers for testing a guard configuration: a sink that keeps events in memory, and small detectors
 * with fixed behaviour (found, throws, never resolves).
 */
import type { AuditEvent, AuditSink } from '../audit.js';
import { defineDetector } from '../define-detector.js';
import type { Detector, FindingInput, Stage } from '../types.js';

export interface RecordingSink extends AuditSink {
  readonly events: AuditEvent[];
  /** Events of one type. */
  ofType(type: string): AuditEvent[];
  clear(): void;
  readonly closed: boolean;
}

/** An audit sink that keeps every event in memory. */
export function recordingSink(): RecordingSink {
  const events: AuditEvent[] = [];
  let closed = false;
  return {
    name: 'recording',
    events,
    write(event) {
      events.push(event);
    },
    ofType: (type) => events.filter((event) => event.type === type),
    clear() {
      events.length = 0;
    },
    async flush() {},
    async close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}

const ALL: Stage[] = ['input', 'output', 'tool_input', 'tool_output'];

/** A detector that returns the same findings for every text. */
export function staticDetector(id: string, findings: readonly FindingInput[], stages: Stage[] = ALL): Detector {
  return defineDetector({ id, stages, detect: () => findings });
}

/** A detector that throws. */
export function throwingDetector(id = 'throws', stages: Stage[] = ALL): Detector {
  return defineDetector({
    id,
    stages,
    detect: () => {
      throw new Error('detector exploded');
    },
  });
}

/** A detector whose promise never settles (until its signal aborts, which it ignores). */
export function hangingDetector(id = 'hangs', stages: Stage[] = ALL): Detector {
  return defineDetector({ id, stages, detect: () => new Promise<never>(() => {}) });
}
