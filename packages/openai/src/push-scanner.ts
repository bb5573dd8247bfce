import { type CheckOptions, type Guard, ParapetError, type Verdict } from '@parapet/core';

/** What one push or end released. */
export interface ScanStep {
  /** Text cleared for delivery (redactions applied). Never includes a fallback text. */
  readonly released: string;
  /** Set when a blocking match stopped the stream: nothing at or after the match was released. */
  readonly blocked?: Verdict;
}

/**
 * `guard.scanStream` driven by pushes instead of pulls. The OpenAI stream interleaves text deltas with
 * events that carry no text (roles, tool calls, finish reasons, usage), and the adapter must keep their
 * order, so it feeds the scanner one delta at a time and collects whatever the scanner releases before
 * it asks for the next piece.
 */
export interface PushScanner {
  push(text: string): Promise<ScanStep>;
  /** Ends the text: the held-back rest is scanned and released. */
  end(): Promise<ScanStep>;
  /** Stops early (the consumer went away); the held-back rest is dropped. */
  cancel(): void;
  /** The verdict for the whole stream, once it ended or was blocked. */
  readonly verdict: Verdict | undefined;
}

function blockedVerdictOf(error: unknown): Verdict | undefined {
  if (!ParapetError.isInstance(error) || error.code !== 'GUARD_BLOCKED') return undefined;
  return (error as ParapetError & { verdict: Verdict }).verdict;
}

const DONE: IteratorResult<string> = { value: undefined, done: true };

/**
 * With no output detectors there is nothing to hold back: text is released as it comes, and the whole
 * answer is checked once at the end so the stream still leaves its audit event (as `scanStream` would).
 */
function passThrough(guard: Guard, context: CheckOptions): PushScanner {
  let text = '';
  let done = false;
  let finalVerdict: Verdict | undefined;
  return {
    get verdict() {
      return finalVerdict;
    },
    async push(piece) {
      if (done) return { released: '' };
      text += piece;
      return { released: piece };
    },
    async end() {
      if (done) return { released: '' };
      done = true;
      finalVerdict = await guard.checkOutput(text, context);
      return { released: '' };
    },
    cancel() {
      done = true;
    },
  };
}

export function pushScanner(guard: Guard, context: CheckOptions): PushScanner {
  if (!guard.hasDetectors('output')) return passThrough(guard, context);
  // Callbacks rather than promise races: this runs once per streamed delta, and each promise counts.
  const queue: string[] = [];
  let ended = false;
  let done = false;
  let finalVerdict: Verdict | undefined;
  /** The scanner is waiting for the next piece. */
  let feed: ((result: IteratorResult<string>) => void) | undefined;
  /** The caller is waiting for what this push released. */
  let waiter: { resolve(step: ScanStep): void; reject(error: unknown): void } | undefined;
  let released = '';
  let pulling = false;

  const settle = (): void => {
    const current = waiter;
    waiter = undefined;
    const step: ScanStep =
      done && finalVerdict?.action === 'block' ? { released, blocked: finalVerdict } : { released };
    released = '';
    current?.resolve(step);
  };

  const source: AsyncIterable<string> = {
    [Symbol.asyncIterator]() {
      return {
        next(): Promise<IteratorResult<string>> {
          const piece = queue.shift();
          if (piece !== undefined) return Promise.resolve({ value: piece, done: false });
          if (ended) return Promise.resolve(DONE);
          return new Promise((resolve) => {
            feed = resolve;
            settle(); // hungry: everything this push could release has been released
          });
        },
      };
    },
  };

  const scanned = (
    guard.scanStream(source, {
      ...context,
      onVerdict: (verdict) => {
        finalVerdict = verdict;
      },
    }) as AsyncIterable<string>
  )[Symbol.asyncIterator]();

  const onNext = (result: IteratorResult<string>): void => {
    pulling = false;
    if (result.done) {
      done = true;
      settle();
      return;
    }
    // After a blocking verdict the scanner yields the policy's fallback text: the adapter builds its own.
    if (finalVerdict?.action !== 'block') released += result.value;
    pull();
  };
  const onError = (error: unknown): void => {
    pulling = false;
    done = true;
    const verdict = blockedVerdictOf(error);
    if (verdict === undefined) {
      const current = waiter;
      waiter = undefined;
      current?.reject(error);
      return;
    }
    finalVerdict = verdict;
    settle();
  };
  const pull = (): void => {
    pulling = true;
    scanned.next().then(onNext, onError);
  };

  const wait = (): Promise<ScanStep> =>
    new Promise<ScanStep>((resolve, reject) => {
      waiter = { resolve, reject };
      const next = feed;
      if (next !== undefined) {
        feed = undefined;
        const piece = queue.shift();
        next(piece !== undefined ? { value: piece, done: false } : DONE);
      } else if (!pulling) pull();
    });

  return {
    get verdict() {
      return finalVerdict;
    },
    push(text) {
      if (done) return Promise.resolve({ released: '' });
      queue.push(text);
      return wait();
    },
    end() {
      if (done) return Promise.resolve({ released: '' });
      ended = true;
      return wait();
    },
    cancel() {
      if (done) return;
      queue.length = 0;
      ended = true;
      done = true;
      // The scanner finishes on its own (it records the stream); its result is no longer wanted.
      const next = feed;
      feed = undefined;
      next?.(DONE);
    },
  };
}
