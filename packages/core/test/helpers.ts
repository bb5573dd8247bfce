/**
 * Small helpers shared by the core test files: capturing rejections, draining streams, and detectors
 * that report every occurrence of a needle with an exact span.
 */
import { defineDetector } from '../src/define-detector.js';
import type { Detector, FindingInput, Severity, Stage } from '../src/types.js';

/** The value a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The value a function throws; fails the test when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the function to throw, but it returned');
}

/** Every chunk of an async iterable, in order. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Every chunk of a ReadableStream, in order. */
export async function drainReadable<T>(stream: ReadableStream<T>): Promise<T[]> {
  const reader = stream.getReader();
  const out: T[] = [];
  while (true) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

export interface NeedleOptions {
  readonly category?: string;
  readonly score?: number;
  readonly severity?: Severity;
  readonly replacement?: string;
  readonly stages?: Stage[];
  /** Report the finding without a span. */
  readonly noSpan?: boolean;
  /** Resolve after this many milliseconds instead of synchronously. */
  readonly delayMs?: number;
}

/** A detector that reports each occurrence of `needle` (exact, case-sensitive) with its span. */
export function needleDetector(id: string, needle: string, options: NeedleOptions = {}): Detector {
  const find = (text: string): FindingInput[] => {
    const out: FindingInput[] = [];
    let at = text.indexOf(needle);
    while (at !== -1) {
      out.push({
        category: options.category ?? id,
        score: options.score ?? 0.95,
        message: `found a ${options.category ?? id} marker`,
        ...(options.severity !== undefined ? { severity: options.severity } : {}),
        ...(options.noSpan === true ? {} : { span: { start: at, end: at + needle.length } }),
        ...(options.replacement !== undefined ? { replacement: options.replacement } : {}),
      });
      at = text.indexOf(needle, at + needle.length);
    }
    return out;
  };
  return defineDetector({
    id,
    stages: options.stages ?? ['input', 'output', 'tool_input', 'tool_output'],
    detect: (text) => {
      const delay = options.delayMs;
      if (delay === undefined) return find(text);
      return new Promise<FindingInput[]>((resolve) => setTimeout(() => resolve(find(text)), delay));
    },
  });
}

/** A detector that reports one fixed span (with a replacement), after an optional delay. */
export function spanDetector(id: string, start: number, end: number, replacement: string, delayMs?: number): Detector {
  const finding: FindingInput = {
    category: id,
    score: 0.8,
    message: `span from ${id}`,
    span: { start, end },
    replacement,
  };
  return defineDetector({
    id,
    stages: ['input', 'output', 'tool_input', 'tool_output'],
    detect: () =>
      delayMs === undefined
        ? [finding]
        : new Promise<FindingInput[]>((resolve) => setTimeout(() => resolve([finding]), delayMs)),
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
