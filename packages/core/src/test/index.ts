/**
 * Helpers for testing a guard configuration: a sink that keeps events in memory, and small detectors
 * with fixed behaviour (found, throws, never resolves).
 */
import type { AuditEvent, AuditSink } from '../audit.js';
import { defineDetector } from '../define-detector.js';
import { normalizeText } from '../normalize/normalize.js';
import { memoryStore } from '../store.js';
import type { DetectContext, Detector, FindingInput, Stage } from '../types.js';

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

const linearityStore = memoryStore();

/** Runs one detector directly on `text` (normalized here), outside any guard: for timing tests. */
export async function detectOnce(detector: Detector, text: string, stage: Stage = 'input'): Promise<void> {
  const context: DetectContext = {
    stage,
    traceId: 'linearity',
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store: linearityStore,
  };
  await detector.detect(text, context);
}

/**
 * Collects garbage when the process runs with `--expose-gc` (the linearity test project passes it), and
 * does nothing otherwise. Timing helpers call it before each timed run, so the run starts on a collected
 * heap: the garbage of the previous run (a 1 M-character run leaves tens of megabytes) is not collected
 * during, and charged to, the next one. A run's own garbage is still paid for inside its timing.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Linear time on hostile input, for tests: the best-of-`rounds` time of `large` over that of `small`, the
 * two sizes interleaved so a pause of the machine hits both alike. With `large` four times `small`, a
 * linear scan gives about 4 and a quadratic one 16; assert a generous bound (< 10), never a time. Times
 * under `floorMs` count as `floorMs`, so a run too fast to time does not make a ratio out of noise.
 */
export async function linearityRatio(
  run: (text: string) => unknown,
  small: string,
  large: string,
  options: { readonly rounds?: number; readonly floorMs?: number } = {},
): Promise<number> {
  const once = async (text: string): Promise<number> => {
    collectGarbage();
    const started = performance.now();
    await run(text);
    return performance.now() - started;
  };
  await once(small);
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < (options.rounds ?? 5); round++) {
    bestSmall = Math.min(bestSmall, await once(small));
    bestLarge = Math.min(bestLarge, await once(large));
  }
  return bestLarge / Math.max(bestSmall, options.floorMs ?? 0.05);
}
