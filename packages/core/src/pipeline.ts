import { describeError, ParapetError } from './errors.js';
import type { PolicyView } from './policy.js';
import type {
  Action,
  DetectContext,
  Detector,
  DetectorFailure,
  Finding,
  FindingInput,
  Severity,
  Stage,
} from './types.js';

/** A detector with its policy settings resolved, ready to run. */
export interface CompiledDetector {
  readonly detector: Detector;
  readonly id: string;
  readonly failMode: 'closed' | 'open';
  readonly timeoutMs: number;
  readonly sampleRate: number;
}

/** Everything the pipeline computes before review and shadow mode. */
export interface Evaluation {
  readonly findings: Finding[];
  readonly actions: Action[];
  readonly errors: DetectorFailure[];
  readonly timings: Record<string, number>;
  readonly decided: Action;
}

interface Outcome {
  readonly findings: readonly Finding[];
  readonly failure?: { readonly kind: 'error' | 'timeout'; readonly message: string; readonly cause?: unknown };
  readonly micros: number;
}

const SEVERITY_SET = new Set<string>(['low', 'medium', 'high', 'critical']);
const ACTION_RANK: Record<Action, number> = { allow: 0, flag: 1, redact: 2, review: 3, block: 4 };

function severityFromScore(score: number): Severity {
  if (score >= 0.9) return 'high';
  if (score >= 0.5) return 'medium';
  return 'low';
}

/** Validates one raw finding; returns the complete finding or why it is malformed. */
function completeFinding(detector: string, raw: FindingInput, textLength: number): Finding | string {
  if (raw === null || typeof raw !== 'object') return 'returned a finding that is not an object';
  const { category, score, message, span, replacement, severity } = raw;
  if (typeof category !== 'string' || category.length === 0) return 'returned a finding without a category';
  if (typeof score !== 'number' || !(score >= 0 && score <= 1))
    return 'returned a finding whose score is not in [0, 1]';
  if (typeof message !== 'string') return 'returned a finding without a message';
  if (severity !== undefined && !SEVERITY_SET.has(severity)) return 'returned a finding with an unknown severity';
  if (replacement !== undefined && typeof replacement !== 'string') return 'returned a non-string replacement';
  if (span !== undefined) {
    if (
      span === null ||
      typeof span !== 'object' ||
      !Number.isInteger(span.start) ||
      !Number.isInteger(span.end) ||
      span.start < 0 ||
      span.end < span.start ||
      span.end > textLength
    ) {
      return 'returned a span outside the text';
    }
  }
  const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
    detector,
    category,
    score,
    severity: severity ?? severityFromScore(score),
    message,
  };
  if (span !== undefined) finding.span = { start: span.start, end: span.end };
  if (replacement !== undefined) finding.replacement = replacement;
  if (raw.data !== undefined) finding.data = raw.data;
  return finding;
}

/**
 * When the last detector timing ended. A synchronous detector's time runs from the end of the one before
 * (so the guard's bookkeeping of that one's findings counts in it): one clock read per detector, not two.
 */
let lastClock = 0;

function elapsedMicros(started: number): number {
  lastClock = performance.now();
  return Math.round((lastClock - started) * 1000);
}

function settle(detector: CompiledDetector, raw: unknown, started: number, textLength: number): Outcome {
  const micros = elapsedMicros(started);
  if (!Array.isArray(raw))
    return { findings: [], failure: { kind: 'error', message: 'detect() must return an array of findings' }, micros };
  if (raw.length === 0) return { findings: raw as Finding[], micros };
  const list: Finding[] = [];
  for (const item of raw) {
    const finding = completeFinding(detector.id, item as FindingInput, textLength);
    if (typeof finding === 'string') return { findings: [], failure: { kind: 'error', message: finding }, micros };
    list.push(finding);
  }
  return { findings: list, micros };
}

/**
 * What a thrown error becomes in the verdict. A detector's own error message may quote the text it was
 * checking (JSON.parse does), and verdict errors reach logs and audit sinks: so only Parapet's own
 * messages are kept; other errors keep their class name, and the error itself travels as a
 * non-enumerable `cause` (visible in-process, never serialized).
 */
function failed(error: unknown, started: number): Outcome {
  const message = ParapetError.isInstance(error)
    ? describeError(error)
    : `${error instanceof Error ? error.name : typeof error} thrown by the detector (message withheld from logs; see the failure's cause)`;
  return { findings: [], failure: { kind: 'error', message, cause: error }, micros: elapsedMicros(started) };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Waits for an async detector, or for its timeout, whichever comes first. Never rejects. */
function withTimeout(
  detector: CompiledDetector,
  pending: PromiseLike<unknown>,
  started: number,
  textLength: number,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => {
      resolve({
        findings: [],
        failure: { kind: 'timeout', message: `timed out after ${detector.timeoutMs} ms` },
        micros: elapsedMicros(started),
      });
    }, detector.timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(settle(detector, value, started, textLength));
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve(failed(error, started));
      },
    );
  });
}

/** Calls a detector: a synchronous result or throw becomes an outcome at once; a promise is returned as is. */
function call(
  detector: CompiledDetector,
  text: string,
  context: DetectContext,
  started: number,
): Outcome | PromiseLike<unknown> {
  let raw: unknown;
  try {
    raw = detector.detector.detect(text, context);
  } catch (error) {
    return failed(error, started);
  }
  return isThenable(raw) ? raw : settle(detector, raw, started, text.length);
}

/** Mutable state of one evaluation; one object per check, no closures. */
class Run {
  readonly findings: Finding[] = [];
  readonly actions: Action[] = [];
  readonly errors: DetectorFailure[] = [];
  readonly timings: Record<string, number> = {};
  decided: Action = 'allow';
  stop = false;
  /** Set once the verdict is taken; late results (after a short-circuit) are ignored. */
  closed = false;

  constructor(
    readonly stage: Stage,
    readonly text: string,
    readonly view: PolicyView,
  ) {}

  absorb(outcome: Outcome, detector: CompiledDetector): void {
    if (this.closed) return;
    this.timings[detector.id] = outcome.micros;
    if (outcome.failure !== undefined) {
      const result = detector.failMode === 'closed' ? 'block' : 'allow';
      const failure: DetectorFailure = {
        detector: detector.id,
        kind: outcome.failure.kind,
        message: outcome.failure.message,
        outcome: result,
      };
      if (outcome.failure.cause !== undefined) {
        Object.defineProperty(failure, 'cause', { value: outcome.failure.cause, enumerable: false });
      }
      this.errors.push(failure);
      if (result === 'block') {
        this.findings.push({
          detector: detector.id,
          category: 'detector-failed',
          score: 1,
          severity: 'high',
          message: `Detector "${detector.id}" ${outcome.failure.kind === 'timeout' ? `timed out after ${detector.timeoutMs} ms` : 'failed'}; its fail mode is closed, so the text is blocked.`,
        });
        this.actions.push('block');
        this.decided = 'block';
        if (this.view.shortCircuit) this.stop = true;
      }
      return;
    }
    const findings = outcome.findings;
    for (let i = 0; i < findings.length; i++) {
      const finding = findings[i]!;
      const action = this.view.actionFor(finding, this.stage, detector.detector.rules);
      this.findings.push(finding);
      this.actions.push(action);
      if (ACTION_RANK[action] > ACTION_RANK[this.decided]) this.decided = action;
    }
    if (this.view.shortCircuit && this.decided === 'block') this.stop = true;
  }

  result(): Evaluation {
    this.closed = true;
    return {
      findings: this.findings,
      actions: this.actions,
      errors: this.errors,
      timings: this.timings,
      decided: this.decided,
    };
  }
}

/**
 * Runs the detectors over `text`. Synchronous detectors run inline, so a check whose detectors are all
 * synchronous returns without touching the event loop; the first asynchronous one switches to waiting
 * (concurrently, or one by one when `sequential`).
 */
export function evaluate(
  stage: Stage,
  text: string,
  context: DetectContext,
  detectors: readonly CompiledDetector[],
  view: PolicyView,
  sequential: boolean,
  random: () => number,
): Evaluation | Promise<Evaluation> {
  const run = new Run(stage, text, view);
  let waiting: Promise<void>[] | undefined;
  // Set after each synchronous detector to the clock read that ended its timing; NaN: read the clock.
  let clock = Number.NaN;
  for (let index = 0; index < detectors.length; index++) {
    if (run.stop) break;
    const detector = detectors[index]!;
    if (detector.sampleRate < 1 && random() >= detector.sampleRate) continue;
    const started = Number.isNaN(clock) ? performance.now() : clock;
    clock = Number.NaN;
    const raw = call(detector, text, context, started);
    if (!isThenable(raw)) {
      run.absorb(raw, detector);
      clock = lastClock;
      continue;
    }
    const outcome = withTimeout(detector, raw, started, text.length);
    if (sequential) return continueSequential(run, outcome, detector, index + 1, context, detectors, random);
    waiting ??= [];
    waiting.push(outcome.then((value) => run.absorb(value, detector)));
  }
  if (waiting === undefined) return run.result();
  return waitAll(run, waiting);
}

async function continueSequential(
  run: Run,
  first: Promise<Outcome>,
  firstDetector: CompiledDetector,
  next: number,
  context: DetectContext,
  detectors: readonly CompiledDetector[],
  random: () => number,
): Promise<Evaluation> {
  run.absorb(await first, firstDetector);
  for (let index = next; index < detectors.length; index++) {
    if (run.stop) break;
    const detector = detectors[index]!;
    if (detector.sampleRate < 1 && random() >= detector.sampleRate) continue;
    const started = performance.now();
    const raw = call(detector, run.text, context, started);
    run.absorb(isThenable(raw) ? await withTimeout(detector, raw, started, run.text.length) : raw, detector);
  }
  return run.result();
}

async function waitAll(run: Run, waiting: Promise<void>[]): Promise<Evaluation> {
  if (!run.view.shortCircuit) {
    await Promise.all(waiting);
    return run.result();
  }
  // Stop waiting as soon as one detector blocks; the others are aborted through the context's signal.
  await new Promise<void>((resolve) => {
    let remaining = waiting.length;
    for (const item of waiting) {
      item.then(() => {
        remaining--;
        if (remaining === 0 || run.stop) resolve();
      });
    }
  });
  return run.result();
}

/** Thrown when the caller's signal aborted the check. */
export function abortedError(reason: unknown): ParapetError {
  return new ParapetError({
    code: 'CHECK_ABORTED',
    message: 'The check was aborted by the caller (context.signal); no verdict was produced.',
    cause: reason,
  });
}
