import { ArgumentError } from './errors.js';
import type { CheckOptions } from './guard.js';
import type { Evaluation } from './pipeline.js';
import { applyReplacements } from './redact.js';
import {
  type Action,
  type DetectContext,
  type Finding,
  type StreamWindow,
  stricterAction,
  type Verdict,
} from './types.js';

export type StreamSource = ReadableStream<string | Uint8Array> | AsyncIterable<string | Uint8Array> | Iterable<string>;

export interface ScanStreamOptions extends CheckOptions {
  /**
   * Characters held back before release (default: the guard's `stream.holdBack`, 64). A match no longer
   * than this is caught before any of it reaches the consumer.
   */
  readonly holdBack?: number;
  /**
   * Scan only once at least this many characters can be released (default: the guard's
   * `stream.scanEvery`, 0: after every chunk). Token-sized chunks (3–5 characters) otherwise cost one
   * window scan each; with 32 they cost one per ~32 characters. The safety margin is unchanged (released
   * text always had `holdBack` characters scanned after it); the consumer may lag `holdBack + scanEvery − 1`
   * characters instead of `holdBack`, and text comes in pieces of at least `scanEvery` characters.
   */
  readonly scanEvery?: number;
  /** Called once when the stream ends or is blocked, with the verdict for the whole stream. */
  readonly onVerdict?: (verdict: Verdict) => void;
}

/** What the guard lends the stream scanner. Internal. */
export interface StreamEngine {
  readonly holdBack: number;
  readonly scanEvery: number;
  readonly lookback: number;
  /** False when the guard has no output detectors: chunks pass straight through (nothing held back). */
  readonly scans: boolean;
  scanWindow(
    text: string,
    context: CheckOptions,
    window: StreamWindow,
  ): Promise<{ evaluation: Evaluation; shadow: boolean }>;
  fallback(tenant: string | undefined): { mode: 'throw' | 'fallback'; text: string };
  blockedError(verdict: Verdict): Error;
  /** Records the stream's decision; `original` is everything the source produced (hashed, never stored). */
  record(verdict: Verdict, context: CheckOptions, data: Record<string, unknown>, original: string): void;
  assertOpen(): void;
  checkContext(context: unknown): CheckOptions;
}

/**
 * Where a detector with matches at most `overlap` characters long may start reading
 * `context.normalized.text` (or `.leet`, which has the same length): 0 outside streams and in a stream's
 * first window; otherwise `overlap` characters before the window's new text (`context.stream.fresh`),
 * mapped to normalized coordinates. Text before it was scanned by an earlier window, whose findings the
 * stream already holds. The caller still has the whole window for context.
 */
export function streamScanStart(context: DetectContext, overlap: number): number {
  if (context === null || typeof context !== 'object') {
    throw new ArgumentError({
      message: 'streamScanStart(context, overlap): context must be the DetectContext of detect().',
    });
  }
  if (!Number.isInteger(overlap) || overlap < 0) {
    throw new ArgumentError({
      message: 'streamScanStart(context, overlap): overlap must be a whole number of characters >= 0.',
    });
  }
  const fresh = context.stream?.fresh;
  if (typeof fresh !== 'number' || fresh - overlap <= 0) return 0;
  const target = fresh - overlap;
  const view = context.normalized;
  if (!view.changed) return Math.min(target, view.text.length);
  // toOriginal is monotone: the last normalized position that starts at or before the target.
  let low = 0;
  let high = view.text.length;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (view.toOriginal(middle, middle).start <= target) low = middle;
    else high = middle - 1;
  }
  return low;
}

interface HeldRedaction {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/**
 * The held redactions still unreleased (ending after `releasedUpTo`) that overlap none of `found`. Sorted
 * starts and a running maximum of ends make it O((held + found) log found): a large hold-back with many
 * values in it must not cost their product on every chunk. Exported for its test (not from the package).
 */
export function notOverlapping(
  held: readonly HeldRedaction[],
  found: readonly HeldRedaction[],
  releasedUpTo: number,
): HeldRedaction[] {
  const sorted = [...found].sort((a, b) => a.start - b.start);
  const reach: number[] = [];
  let furthest = Number.NEGATIVE_INFINITY;
  for (const item of sorted) {
    furthest = Math.max(furthest, item.end);
    reach.push(furthest);
  }
  return held.filter((item) => {
    if (item.end <= releasedUpTo) return false;
    // The last found redaction starting before this one ends: any overlap reaches past this one's start.
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]!.start < item.end) low = middle + 1;
      else high = middle;
    }
    return low === 0 || reach[low - 1]! <= item.start;
  });
}

function isReadableStream(value: unknown): value is ReadableStream<string | Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

async function* fromReadable(stream: ReadableStream<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function toReadable(iterable: AsyncIterable<string>): ReadableStream<string> {
  const iterator = iterable[Symbol.asyncIterator]();
  return new ReadableStream<string>({
    async pull(controller) {
      try {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

interface Seen {
  finding: Finding;
  action: Action;
}

/**
 * Scans streamed output with a sliding window. Each chunk is appended to the held-back text; the output
 * detectors run over the last `lookback` released characters plus the held-back text; text is released
 * only once it is more than `holdBack` characters behind the newest character. A blocking match stops the
 * stream before its first character; redactions apply across chunk borders.
 */
export function scanStream(
  engine: StreamEngine,
  newTraceId: () => string,
  source: StreamSource,
  options?: ScanStreamOptions,
): any {
  engine.assertOpen();
  if (source === null || typeof source !== 'object') {
    throw new ArgumentError({
      message:
        'guard.scanStream(source): source must be an AsyncIterable<string>, an Iterable<string> or a ReadableStream.',
    });
  }
  const readable = isReadableStream(source);
  const iterable: AsyncIterable<string | Uint8Array> | Iterable<string> = readable ? fromReadable(source) : source;
  if (
    !readable &&
    typeof (iterable as any)[Symbol.asyncIterator] !== 'function' &&
    typeof (iterable as any)[Symbol.iterator] !== 'function'
  ) {
    throw new ArgumentError({
      message:
        'guard.scanStream(source): source must be an AsyncIterable<string>, an Iterable<string> or a ReadableStream.',
    });
  }
  const { holdBack: holdBackOption, scanEvery: scanEveryOption, onVerdict, ...rest } = options ?? {};
  const context = engine.checkContext(Object.keys(rest).length > 0 ? rest : undefined);
  const holdBack = holdBackOption ?? engine.holdBack;
  if (!Number.isInteger(holdBack) || holdBack < 0) {
    throw new ArgumentError({
      message: 'guard.scanStream: options.holdBack must be a whole number of characters >= 0.',
    });
  }
  const scanEvery = scanEveryOption ?? engine.scanEvery;
  if (!Number.isInteger(scanEvery) || scanEvery < 0) {
    throw new ArgumentError({
      message:
        'guard.scanStream: options.scanEvery must be a whole number of characters >= 0 (0 scans after every chunk).',
    });
  }
  if (onVerdict !== undefined && typeof onVerdict !== 'function') {
    throw new ArgumentError({ message: 'guard.scanStream: options.onVerdict must be a function.' });
  }
  const generator = run(
    engine,
    iterable,
    { ...context, traceId: context.traceId ?? newTraceId() },
    holdBack,
    scanEvery,
    onVerdict,
  );
  return readable ? toReadable(generator) : generator;
}

async function* run(
  engine: StreamEngine,
  source: AsyncIterable<string | Uint8Array> | Iterable<string>,
  context: CheckOptions & { traceId: string },
  holdBack: number,
  scanEvery: number,
  onVerdict: ((verdict: Verdict) => void) | undefined,
): AsyncGenerator<string> {
  const started = performance.now();
  const lookback = Math.max(engine.lookback, holdBack);
  const decoder = new TextDecoder();
  const seen = new Map<string, Seen>();
  const errors: Verdict['errors'][number][] = [];
  const timings: Record<string, number> = {};
  const delivered: string[] = [];
  const received: string[] = [];
  let tail = '';
  let pending = '';
  let releasedUpTo = 0;
  // End (in the whole output) of the last window scanned: text before it has been seen by the detectors.
  let scannedTo = 0;
  // Redactions found by earlier windows in text not yet released (whole-output offsets). A detector that
  // reads only a window's new part (`fresh`) does not report them again, so they are kept until released.
  let heldRedactions: HeldRedaction[] = [];
  let shadowMode = false;
  let redactedAny = false;
  let chunks = 0;

  const verdictOf = (action: Action, blocked: boolean): Verdict => {
    const entries = [...seen.values()];
    let decided: Action = 'allow';
    for (const entry of entries) decided = stricterAction(decided, entry.action);
    if (blocked) decided = 'block';
    return {
      action,
      decided,
      text: delivered.join(''),
      findings: entries.map((entry) => entry.finding),
      findingActions: entries.map((entry) => entry.action),
      traceId: context.traceId,
      stage: 'output',
      timings,
      errors,
      shadow: shadowMode,
      latencyUs: Math.round((performance.now() - started) * 1000),
    };
  };

  const finish = (verdict: Verdict): void => {
    engine.record(verdict, context, { streamed: true, chunks }, received.join(''));
    onVerdict?.(verdict);
  };

  /** Scans the window and returns the text to release now, or a block. */
  const step = async (final: boolean): Promise<{ release: string; blockedAt?: number }> => {
    if (!engine.scans) {
      const release = pending;
      releasedUpTo += pending.length;
      pending = '';
      return { release };
    }
    const windowText = tail + pending;
    const base = releasedUpTo - tail.length;
    const { evaluation, shadow } = await engine.scanWindow(windowText, context, {
      offset: base,
      final,
      fresh: Math.max(0, Math.min(windowText.length, scannedTo - base)),
    });
    scannedTo = base + windowText.length;
    shadowMode = shadow;
    const spent = evaluation.timings;
    for (const id in spent) timings[id] = (timings[id] ?? 0) + spent[id]!;
    for (const error of evaluation.errors)
      if (!errors.some((known) => known.detector === error.detector)) errors.push(error);
    let boundary = final ? pending.length : Math.max(0, pending.length - holdBack);
    let blockedAt: number | undefined;
    const found: HeldRedaction[] = [];
    for (let i = 0; i < evaluation.findings.length; i++) {
      const finding = evaluation.findings[i]!;
      const action = evaluation.actions[i]!;
      const span =
        finding.span === undefined ? undefined : { start: base + finding.span.start, end: base + finding.span.end };
      const key = `${finding.detector}|${finding.category}|${span?.start ?? ''}|${span?.end ?? ''}`;
      // A finding wholly inside already-released text was handled when it was first seen.
      if (span !== undefined && span.end <= releasedUpTo && seen.has(key)) continue;
      if (!seen.has(key)) seen.set(key, { finding: span === undefined ? finding : { ...finding, span }, action });
      if (shadow) continue;
      if (action === 'block' || action === 'review' || (action === 'redact' && span === undefined)) {
        const at = span === undefined ? 0 : Math.max(0, span.start - releasedUpTo);
        blockedAt = blockedAt === undefined ? at : Math.min(blockedAt, at);
      } else if (action === 'redact' && span !== undefined && span.end > releasedUpTo) {
        found.push({
          start: span.start,
          end: span.end,
          replacement: finding.replacement ?? `[REDACTED:${finding.category}]`,
        });
      }
    }
    // This window's redactions, and the earlier ones it does not overlap (a longer view of the same value
    // replaces what an earlier window saw of it).
    const kept = heldRedactions.length === 0 ? heldRedactions : notOverlapping(heldRedactions, found, releasedUpTo);
    const all = kept.length === 0 ? found : [...kept, ...found];
    const redactions = all.map((item) => ({
      span: { start: Math.max(0, item.start - releasedUpTo), end: item.end - releasedUpTo },
      replacement: item.replacement,
    }));
    if (blockedAt !== undefined) boundary = Math.min(boundary, blockedAt);
    if (!final || blockedAt !== undefined) {
      // A redaction that straddles the release point waits for the next round, whole. Moving the point back
      // may make another (overlapping) one straddle it; read from the last start back, one pass finds them
      // all (a redaction read earlier starts at or after the point it moved to, so cannot straddle it).
      const byStart = redactions.length > 1 ? [...redactions].sort((a, b) => b.span.start - a.span.start) : redactions;
      for (const item of byStart) {
        if (item.span.start < boundary && item.span.end > boundary) boundary = item.span.start;
      }
    }
    const applicable = redactions.filter((item) => item.span.end <= boundary);
    if (applicable.length > 0) redactedAny = true;
    const release = applyReplacements(pending.slice(0, boundary), applicable);
    tail = (tail + pending.slice(0, boundary)).slice(-lookback);
    releasedUpTo += boundary;
    heldRedactions = all.filter((item) => item.end > releasedUpTo);
    pending = pending.slice(boundary);
    return blockedAt === undefined ? { release } : { release, blockedAt };
  };

  const iterator = (source as any)[Symbol.asyncIterator]
    ? (source as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]()
    : (source as Iterable<string>)[Symbol.iterator]();
  let finished = false;
  try {
    while (true) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      engine.assertOpen();
      const chunk = next.value as unknown;
      let piece: string;
      if (typeof chunk === 'string') piece = chunk;
      else if (chunk instanceof Uint8Array) piece = decoder.decode(chunk, { stream: true });
      else {
        throw new ArgumentError({
          message: `guard.scanStream: each chunk must be a string or a Uint8Array (got ${chunk === null ? 'null' : typeof chunk}). Map provider events to their text first.`,
        });
      }
      chunks++;
      if (piece.length === 0) continue;
      pending += piece;
      received.push(piece);
      // With `scanEvery`, fewer than that many characters to release: no scan yet (and nothing leaves).
      if (scanEvery > 0 && engine.scans && pending.length - holdBack < scanEvery) continue;
      const { release, blockedAt } = await step(false);
      if (release.length > 0) {
        delivered.push(release);
        yield release;
      }
      if (blockedAt !== undefined) {
        yield* stop();
        return;
      }
    }
    const rest = decoder.decode();
    if (rest.length > 0) {
      pending += rest;
      received.push(rest);
    }
    if (pending.length > 0 || chunks === 0) {
      const { release, blockedAt } = await step(true);
      if (release.length > 0) {
        delivered.push(release);
        yield release;
      }
      if (blockedAt !== undefined) {
        yield* stop();
        return;
      }
    }
    let action: Action = 'allow';
    if (shadowMode)
      action = seen.size > 0 && [...seen.values()].some((entry) => entry.action !== 'allow') ? 'flag' : 'allow';
    else if (redactedAny) action = 'redact';
    else if ([...seen.values()].some((entry) => entry.action === 'flag')) action = 'flag';
    finish(verdictOf(action, false));
  } finally {
    if (!finished) await iterator.return?.();
  }

  function* stop(): Generator<string> {
    const verdict = verdictOf('block', true);
    finish(verdict);
    const fallback = engine.fallback(context.tenant);
    if (fallback.mode === 'throw') throw engine.blockedError(verdict);
    delivered.push(fallback.text);
    yield fallback.text;
  }
}
