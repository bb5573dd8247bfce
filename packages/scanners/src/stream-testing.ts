import { type DetectContext, normalizeText } from '@parapet/core';

/**
 * Helpers shared by this package's tests (not exported by the package): stream sources and sinks, text
 * cut into chunks, harmless filler and a detection context.
 */

export async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

export async function drain(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Text in pieces of `size` characters. */
export function split(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Text in `count` pieces of nearly equal size. */
export const splitInto = (text: string, count: number): string[] => split(text, Math.ceil(text.length / count));

/** Harmless text of exactly `length` characters, ending in a space so a following word stands alone. */
export const filler = (length: number): string =>
  `${'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(length / 45)).slice(0, length - 1)} `;

export const contextOf = (text: string): DetectContext =>
  ({ normalized: normalizeText(text), stage: 'output', signal: new AbortController().signal }) as DetectContext;

/**
 * The stream tests' cuts (chunk sizes or counts: 2, 3 and 10), each with `scanEvery` 0 (a scan after every
 * chunk) and 32 (a scan once 32 characters can be released): the same safety margin must hold in both.
 */
export const STREAM_CUTS: readonly (readonly [cut: number, scanEvery: number])[] = [2, 3, 10].flatMap((cut) =>
  [0, 32].map((scanEvery) => [cut, scanEvery] as const),
);
