import { describe, expect, it, vi } from 'vitest';
import { drain, drainReadable, needleDetector, rejection, thrown } from '../test/helpers.js';
import { defineDetector } from './define-detector.js';
import { ArgumentError, GuardBlockedError } from './errors.js';
import { createGuard } from './guard.js';
import { patternDetector } from './pattern-detector.js';
import { notOverlapping, streamScanStart } from './stream.js';
import { recordingSink } from './test/index.js';
import type { FindingInput, Verdict } from './types.js';

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

/** Splits text into pieces of `size` characters. */
function split(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Splits text into `count` pieces of nearly equal size. */
function splitInto(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  return split(text, size);
}

/** Harmless text of exactly `length` characters, ending in a space so a following word stands alone. */
const filler = (length: number) =>
  `${'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(length / 45)).slice(0, length - 1)} `;

/** An async iterator over chunks that records how much it produced and whether return() was called. */
function trackedSource(chunks: string[]) {
  let index = 0;
  const state = { produced: 0, returned: false, pulls: 0 };
  const iterator: AsyncIterator<string> & AsyncIterable<string> = {
    async next() {
      state.pulls++;
      if (index >= chunks.length) return { done: true, value: undefined };
      const value = chunks[index++]!;
      state.produced += value.length;
      return { done: false, value };
    },
    async return() {
      state.returned = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return { iterator, state };
}

const forbidden = () => patternDetector({ id: 'forbidden', stages: ['output'], keywords: ['forbidden phrase'] });

describe('scanStream without output detectors', () => {
  it('passes every chunk through at once (nothing held back) and still records the stream', async () => {
    const sink = recordingSink();
    const guard = createGuard({ input: [needleDetector('needle', 'secret')], audit: sink });
    const received: string[] = [];
    for await (const chunk of guard.scanStream(chunksOf('Hello ', 'wor', 'ld', '', '!'), { session: 's' })) {
      received.push(chunk);
    }
    expect(received).toEqual(['Hello ', 'wor', 'ld', '!']);
    await guard.close();
    const event = sink.events.at(-1);
    expect(event?.type).toBe('output-allowed');
    expect(event?.content?.length).toBe('Hello world!'.length);
  });
});

describe('scanStream', () => {
  it('passes a clean stream through byte-identical', async () => {
    const text = `${filler(1000)} émoji 😀 and RTL שלום \u200b end`;
    const guard = createGuard({ output: [forbidden()] });
    const chunks = await drain(guard.scanStream(chunksOf(...split(text, 7))));
    expect(chunks.join('')).toBe(text);
  });

  it('passes a clean synchronous iterable through', async () => {
    const guard = createGuard({ output: [forbidden()] });
    const out = await drain(guard.scanStream(['hello ', 'world']));
    expect(out.join('')).toBe('hello world');
  });

  it('handles an empty stream', async () => {
    const onVerdict = vi.fn();
    const guard = createGuard({ output: [forbidden()] });
    expect(await drain(guard.scanStream(chunksOf(), { onVerdict }))).toEqual([]);
    expect(onVerdict).toHaveBeenCalledTimes(1);
    expect(onVerdict.mock.calls[0]![0].action).toBe('allow');
  });

  describe('blocking', () => {
    it('stops before the first character of the match and throws after the safe prefix (throw mode)', async () => {
      const before = filler(300);
      const text = `${before}forbidden phrase and the rest ${filler(200)}`;
      const guard = createGuard({ output: [forbidden()] });
      const received: string[] = [];
      const error = await rejection(
        (async () => {
          for await (const chunk of guard.scanStream(chunksOf(...split(text, 10)))) received.push(chunk);
        })(),
      );
      expect(error).toBeInstanceOf(GuardBlockedError);
      const verdict = (error as GuardBlockedError).verdict;
      expect(verdict.action).toBe('block');
      expect(verdict.stage).toBe('output');
      const delivered = received.join('');
      expect(delivered.length).toBeLessThanOrEqual(before.length);
      expect(before.startsWith(delivered)).toBe(true);
      expect(delivered.length).toBeGreaterThan(0);
      expect((error as Error).message).not.toContain('forbidden phrase');
    });

    it('in fallback mode yields the fallback as the last chunk', async () => {
      const before = filler(200);
      const text = `${before}forbidden phrase ${filler(200)}`;
      const guard = createGuard({
        output: [forbidden()],
        policy: { onBlock: { mode: 'fallback', fallback: 'in-fb', outputFallback: '[answer withheld]' } },
      });
      const chunks = await drain(guard.scanStream(chunksOf(...split(text, 13))));
      expect(chunks.at(-1)).toBe('[answer withheld]');
      const delivered = chunks.slice(0, -1).join('');
      expect(before.startsWith(delivered)).toBe(true);
      expect(delivered).not.toContain('forbidden');
    });

    it('catches a match split across two chunks', async () => {
      const before = filler(150);
      const text = `${before}forbidden phrase after`;
      const cut = before.length + 'forbid'.length;
      const guard = createGuard({ output: [forbidden()], policy: { onBlock: { mode: 'fallback', fallback: 'FB' } } });
      const chunks = await drain(guard.scanStream(chunksOf(text.slice(0, cut), text.slice(cut))));
      expect(chunks.at(-1)).toBe('FB');
      expect(chunks.slice(0, -1).join('')).toBe(before.slice(0, chunks.slice(0, -1).join('').length));
      expect(chunks.join('')).not.toContain('forbid');
    });

    it('catches a match split across 10 chunks of a few characters', async () => {
      const before = filler(120);
      const match = 'forbidden phrase';
      const text = `${before}${match} tail`;
      // The match itself arrives in 10 pieces.
      const pieces = [before, ...splitInto(match, 10), ' tail'];
      expect(pieces.length).toBeGreaterThanOrEqual(10);
      const guard = createGuard({ output: [forbidden()], policy: { onBlock: { mode: 'fallback', fallback: 'FB' } } });
      const chunks = await drain(guard.scanStream(chunksOf(...pieces)));
      expect(chunks.at(-1)).toBe('FB');
      const delivered = chunks.slice(0, -1).join('');
      expect(text.startsWith(delivered)).toBe(true);
      expect(delivered.length).toBeLessThanOrEqual(before.length);
    });

    it('catches a match when the whole stream arrives in 3-character chunks', async () => {
      const text = `${filler(400)}forbidden phrase ${filler(400)}`;
      const at = text.indexOf('forbidden phrase');
      const guard = createGuard({ output: [forbidden()], policy: { onBlock: { mode: 'fallback', fallback: 'FB' } } });
      const chunks = await drain(guard.scanStream(chunksOf(...split(text, 3))));
      expect(chunks.at(-1)).toBe('FB');
      const delivered = chunks.slice(0, -1).join('');
      expect(delivered.length).toBeLessThanOrEqual(at);
      expect(text.startsWith(delivered)).toBe(true);
    });

    it("calls the upstream iterator's return() when blocked", async () => {
      const text = `${filler(200)}forbidden phrase ${filler(2000)}`;
      const { iterator, state } = trackedSource(split(text, 20));
      const guard = createGuard({ output: [forbidden()], policy: { onBlock: { mode: 'fallback', fallback: 'FB' } } });
      await drain(guard.scanStream(iterator));
      expect(state.returned).toBe(true);
      // It stopped pulling soon after the match instead of draining the source.
      expect(state.produced).toBeLessThan(text.length);
    });

    it("calls the upstream iterator's return() when blocked in throw mode", async () => {
      const { iterator, state } = trackedSource(split(`${filler(100)}forbidden phrase ${filler(500)}`, 20));
      const guard = createGuard({ output: [forbidden()] });
      expect(await rejection(drain(guard.scanStream(iterator)))).toBeInstanceOf(GuardBlockedError);
      expect(state.returned).toBe(true);
    });

    it("calls the upstream iterator's return() when the consumer stops early", async () => {
      const { iterator, state } = trackedSource(split(filler(2000), 20));
      const guard = createGuard({ output: [forbidden()] });
      for await (const _chunk of guard.scanStream(iterator)) break;
      expect(state.returned).toBe(true);
    });

    it('a detector failure in closed mode blocks the stream', async () => {
      const failing = defineDetector({
        id: 'fails',
        stages: ['output'],
        detect: () => {
          throw new Error('broken');
        },
      });
      const guard = createGuard({ output: [failing], policy: { onBlock: { mode: 'fallback', fallback: 'FB' } } });
      const chunks = await drain(guard.scanStream(chunksOf('hello ', 'world')));
      expect(chunks).toEqual(['FB']);
    });
  });

  it('respects the hold-back bound', async () => {
    const holdBack = 32;
    const text = filler(3000);
    const { iterator, state } = trackedSource(split(text, 11));
    const guard = createGuard({ output: [forbidden()] });
    let received = 0;
    let checks = 0;
    for await (const chunk of guard.scanStream(iterator, { holdBack })) {
      received += chunk.length;
      checks++;
      expect(received).toBeGreaterThanOrEqual(state.produced - holdBack);
      expect(received).toBeLessThanOrEqual(state.produced);
    }
    expect(checks).toBeGreaterThan(100);
    expect(received).toBe(text.length);
  });

  it("uses the guard's stream.holdBack by default", async () => {
    const { iterator, state } = trackedSource(split(filler(1000), 10));
    const guard = createGuard({ output: [forbidden()], stream: { holdBack: 16 } });
    let received = 0;
    for await (const chunk of guard.scanStream(iterator)) {
      received += chunk.length;
      expect(received).toBeGreaterThanOrEqual(state.produced - 16);
    }
  });

  describe('scanEvery', () => {
    /** A detector that counts its calls and blocks on a word. */
    const counting = () => {
      const calls = { count: 0 };
      const detector = defineDetector({
        id: 'counting',
        stages: ['output'],
        detect: (text) => {
          calls.count++;
          const at = text.indexOf('forbidden phrase');
          return at < 0
            ? []
            : [
                {
                  category: 'forbidden',
                  score: 1,
                  severity: 'high',
                  message: 'forbidden phrase',
                  span: { start: at, end: at + 16 },
                },
              ];
        },
      });
      return { detector, calls };
    };

    it('scans token-sized chunks once per scanEvery characters, not once per chunk', async () => {
      const text = filler(1200);
      const every = counting();
      const guard = createGuard({ output: [every.detector] });
      const out = await drain(guard.scanStream(chunksOf(...split(text, 4)), { holdBack: 32, scanEvery: 40 }));
      expect(out.join('')).toBe(text);
      // 300 chunks; a scan only once 40 characters can go, plus the final one.
      expect(every.calls.count).toBeLessThanOrEqual(Math.ceil(1200 / 40) + 1);
      expect(every.calls.count).toBeGreaterThanOrEqual(Math.floor((1200 - 32) / 43));
      // Every piece but the last is at least scanEvery long.
      for (const piece of out.slice(0, -1)) expect(piece.length).toBeGreaterThanOrEqual(40);

      const each = counting();
      const perChunk = createGuard({ output: [each.detector] });
      await drain(perChunk.scanStream(chunksOf(...split(text, 4)), { holdBack: 32 }));
      expect(each.calls.count).toBeGreaterThan(250);
    });

    it('keeps the consumer within holdBack + scanEvery − 1 characters of the source', async () => {
      const holdBack = 24;
      const scanEvery = 20;
      const text = filler(2000);
      const { iterator, state } = trackedSource(split(text, 3));
      const guard = createGuard({ output: [forbidden()] });
      let received = 0;
      for await (const chunk of guard.scanStream(iterator, { holdBack, scanEvery })) {
        received += chunk.length;
        expect(received).toBeGreaterThanOrEqual(state.produced - (holdBack + scanEvery - 1));
      }
      expect(received).toBe(text.length);
    });

    it('keeps the safety margin: a blocking phrase split across tiny chunks never starts to leak', async () => {
      for (const size of [1, 3, 5]) {
        const text = `${filler(300)}forbidden phrase ${filler(300)}`;
        const guard = createGuard({
          output: [forbidden()],
          policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
        });
        const out = await drain(guard.scanStream(chunksOf(...split(text, size)), { holdBack: 16, scanEvery: 48 }));
        expect(out.at(-1)).toBe('FB');
        const delivered = out.slice(0, -1).join('');
        expect(text.startsWith(delivered)).toBe(true);
        expect(delivered.length).toBeLessThanOrEqual(text.indexOf('forbidden phrase'));
      }
    });

    it("uses the guard's stream.scanEvery by default and validates both", async () => {
      const every = counting();
      const guard = createGuard({ output: [every.detector], stream: { holdBack: 8, scanEvery: 100 } });
      await drain(guard.scanStream(chunksOf(...split(filler(1000), 2))));
      expect(every.calls.count).toBeLessThanOrEqual(11);
      expect(thrown(() => guard.scanStream(['x'], { scanEvery: -1 }))).toBeInstanceOf(ArgumentError);
      expect(thrown(() => guard.scanStream(['x'], { scanEvery: 1.5 }))).toBeInstanceOf(ArgumentError);
      expect(
        (thrown(() => createGuard({ output: [forbidden()], stream: { scanEvery: -2 } })) as Error).message,
      ).toMatch(/scanEvery/);
    });
  });

  it('holdBack 0 releases each chunk as soon as it is scanned', async () => {
    const guard = createGuard({ output: [forbidden()] });
    const { iterator } = trackedSource(split(filler(100), 10));
    const out = await drain(guard.scanStream(iterator, { holdBack: 0 }));
    expect(out.join('')).toBe(filler(100));
    expect(out).toHaveLength(10);
  });

  describe('redaction', () => {
    const secretDetector = () =>
      needleDetector('secret', 'sk-live-123456789abcdef', { replacement: '[KEY]', score: 0.8, stages: ['output'] });

    it('redacts a match split across chunk borders', async () => {
      const text = `${filler(100)}key sk-live-123456789abcdef here ${filler(100)}`;
      const guard = createGuard({ output: [secretDetector()] });
      for (const size of [3, 5, 7, 64]) {
        const chunks = await drain(guard.scanStream(chunksOf(...split(text, size)), { holdBack: 24 }));
        expect(chunks.join('')).toBe(text.replace('sk-live-123456789abcdef', '[KEY]'));
        expect(chunks.join('')).not.toContain('sk-live');
      }
    });

    it('redacts several matches and reports a redact verdict', async () => {
      const text = `a sk-live-123456789abcdef b ${filler(200)} c sk-live-123456789abcdef d`;
      const onVerdict = vi.fn<(verdict: Verdict) => void>();
      const guard = createGuard({ output: [secretDetector()] });
      const chunks = await drain(guard.scanStream(chunksOf(...split(text, 9)), { onVerdict }));
      expect(chunks.join('')).toBe(text.replaceAll('sk-live-123456789abcdef', '[KEY]'));
      const verdict = onVerdict.mock.calls[0]![0];
      expect(verdict.action).toBe('redact');
      expect(verdict.text).toBe(chunks.join(''));
      expect(verdict.findings.length).toBeGreaterThanOrEqual(2);
    });
  });

  it('Web ReadableStream in gives a ReadableStream out', async () => {
    const text = `${filler(300)} end`;
    const pieces = split(text, 17);
    const source = new ReadableStream<string>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    const guard = createGuard({ output: [forbidden()] });
    const out = guard.scanStream(source);
    expect(out).toBeInstanceOf(ReadableStream);
    expect((await drainReadable(out)).join('')).toBe(text);
  });

  it('a blocked ReadableStream errors with GuardBlockedError after the safe prefix', async () => {
    const before = filler(200);
    const source = new ReadableStream<string>({
      start(controller) {
        for (const piece of split(`${before}forbidden phrase ${filler(100)}`, 10)) controller.enqueue(piece);
        controller.close();
      },
    });
    const guard = createGuard({ output: [forbidden()] });
    const reader = guard.scanStream(source).getReader();
    let delivered = '';
    const error = await rejection(
      (async () => {
        while (true) {
          const { value, done } = await reader.read();
          if (done) return;
          delivered += value;
        }
      })(),
    );
    expect(error).toBeInstanceOf(GuardBlockedError);
    expect(before.startsWith(delivered)).toBe(true);
  });

  it('decodes Uint8Array chunks, including a multi-byte character split across chunks', async () => {
    const text = `prix: 10€ — café 😀 ${filler(100)} fin`;
    const bytes = new TextEncoder().encode(text);
    const euro = bytes.indexOf(0xe2);
    const emoji = bytes.indexOf(0xf0);
    const cuts = [euro + 1, euro + 2, emoji + 1, emoji + 3, bytes.length - 5];
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const cut of cuts) {
      pieces.push(bytes.slice(from, cut));
      from = cut;
    }
    pieces.push(bytes.slice(from));
    const guard = createGuard({ output: [forbidden()] });
    async function* source() {
      yield* pieces;
    }
    expect((await drain(guard.scanStream(source()))).join('')).toBe(text);
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    expect((await drainReadable(guard.scanStream(readable))).join('')).toBe(text);
    // The same bytes with scanEvery: the decoder's tail still reaches the final scan.
    const again = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    expect((await drainReadable(guard.scanStream(again, { scanEvery: 24 }))).join('')).toBe(text);
  });

  it('calls onVerdict once with the stream verdict and records an audit event with data.streamed', async () => {
    const sink = recordingSink();
    const onVerdict = vi.fn<(verdict: Verdict) => void>();
    const flagging = needleDetector('odd', 'odd word', { score: 0.6, stages: ['output'] });
    const guard = createGuard({ output: [flagging], audit: sink });
    const text = `${filler(100)} odd word ${filler(100)}`;
    const out = await drain(
      guard.scanStream(chunksOf(...split(text, 8)), { onVerdict, traceId: 'trace-stream-1', user: 'u1' }),
    );
    expect(out.join('')).toBe(text);
    expect(onVerdict).toHaveBeenCalledTimes(1);
    const verdict = onVerdict.mock.calls[0]![0];
    expect(verdict.action).toBe('flag');
    expect(verdict.stage).toBe('output');
    expect(verdict.traceId).toBe('trace-stream-1');
    expect(verdict.findings).toHaveLength(1);
    expect(verdict.findings[0]!.span).toEqual({ start: text.indexOf('odd word'), end: text.indexOf('odd word') + 8 });
    expect(sink.events).toHaveLength(1);
    const event = sink.events[0]!;
    expect(event.type).toBe('output-flagged');
    expect(event.traceId).toBe('trace-stream-1');
    expect(event.user).toBe('u1');
    expect(event.data).toMatchObject({ streamed: true });
    expect(JSON.stringify(event)).not.toContain('odd word');
  });

  it('calls onVerdict once with a block verdict when blocked', async () => {
    const sink = recordingSink();
    const onVerdict = vi.fn<(verdict: Verdict) => void>();
    const guard = createGuard({
      output: [forbidden()],
      audit: sink,
      policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
    });
    await drain(guard.scanStream(chunksOf(...split(`${filler(100)}forbidden phrase`, 10)), { onVerdict }));
    expect(onVerdict).toHaveBeenCalledTimes(1);
    expect(onVerdict.mock.calls[0]![0]).toMatchObject({ action: 'block', decided: 'block' });
    expect(sink.events.map((event) => [event.type, event.data?.streamed])).toEqual([['output-blocked', true]]);
  });

  it('in shadow mode passes the stream through and flags', async () => {
    const onVerdict = vi.fn<(verdict: Verdict) => void>();
    const guard = createGuard({ output: [forbidden()], policy: { mode: 'shadow' } });
    const text = `${filler(100)}forbidden phrase ${filler(100)}`;
    const out = await drain(guard.scanStream(chunksOf(...split(text, 10)), { onVerdict }));
    expect(out.join('')).toBe(text);
    expect(onVerdict.mock.calls[0]![0]).toMatchObject({ action: 'flag', shadow: true });
  });

  it('rejects bad sources, chunks and options', async () => {
    const guard = createGuard({ output: [forbidden()] });
    expect(thrown(() => guard.scanStream(null as never))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => guard.scanStream(42 as never))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => guard.scanStream({} as never))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => guard.scanStream(['x'], { holdBack: -1 }))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => guard.scanStream(['x'], { onVerdict: 'cb' as never }))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => guard.scanStream(['x'], { tenant: 5 as never }))).toBeInstanceOf(ArgumentError);
    const error = await rejection(drain(guard.scanStream([{ delta: 'x' }] as never as string[])));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as Error).message).toContain('string or a Uint8Array');
  });

  it('catches a pattern split across chunks in the middle of a long stream', async () => {
    const findings: FindingInput[] = [];
    const guard = createGuard({
      output: [
        patternDetector({ id: 'card', stages: ['output'], patterns: ['\\b4111[ -]?1111[ -]?1111[ -]?1111\\b'] }),
      ],
      policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
    });
    const text = `${filler(5000)} card 4111 1111 1111 1111 ok ${filler(500)}`;
    const chunks = await drain(
      guard.scanStream(chunksOf(...split(text, 4)), { onVerdict: (verdict) => findings.push(...verdict.findings) }),
    );
    expect(chunks.at(-1)).toBe('FB');
    expect(chunks.slice(0, -1).join('')).not.toContain('4111');
    expect(findings[0]?.span).toEqual({ start: text.indexOf('4111'), end: text.indexOf('4111') + 19 });
  });
});

describe('stream windows: fresh and streamScanStart', () => {
  /** Records each window it sees: its text, offset and fresh index, and what streamScanStart gives for 10. */
  const recorder = () => {
    const windows: { text: string; offset: number; fresh: number; start: number }[] = [];
    const detector = defineDetector({
      id: 'recorder',
      stages: ['output'],
      detect: (text, context) => {
        windows.push({
          text,
          offset: context.stream!.offset,
          fresh: context.stream!.fresh,
          start: streamScanStart(context, 10),
        });
        return [];
      },
    });
    return { detector, windows };
  };

  it('marks where each window’s never-scanned text begins, so text before it was in an earlier window', async () => {
    const text = filler(900);
    const { detector, windows } = recorder();
    const guard = createGuard({ output: [detector], stream: { holdBack: 40, lookback: 120 } });
    expect((await drain(guard.scanStream(chunksOf(...split(text, 37))))).join('')).toBe(text);
    expect(windows[0]!.fresh).toBe(0);
    let scannedTo = 0;
    for (const window of windows) {
      // Everything before `fresh` lies inside what earlier windows covered; everything after, in none.
      expect(window.offset + window.fresh).toBe(Math.max(window.offset, scannedTo));
      expect(window.text).toBe(text.slice(window.offset, window.offset + window.text.length));
      expect(window.start).toBe(Math.max(0, window.fresh - 10));
      scannedTo = window.offset + window.text.length;
    }
    expect(scannedTo).toBe(text.length);
    expect(windows.some((window) => window.fresh > 10)).toBe(true);
  });

  it('gives 0 outside streams and maps the start into the normalized text when normalization changed it', async () => {
    const starts: number[] = [];
    const guard = createGuard({
      output: [
        defineDetector({
          id: 'mapper',
          stages: ['output'],
          detect: (_text, context) => {
            const start = streamScanStart(context, 4);
            starts.push(start);
            if (context.stream !== undefined && context.stream.fresh > 4) {
              // The normalized position maps back to at most the original target, and the next one past it.
              const view = context.normalized;
              const target = context.stream.fresh - 4;
              expect(view.toOriginal(start, start).start).toBeLessThanOrEqual(target);
              if (start < view.text.length) expect(view.toOriginal(start + 1, start + 1).start).toBeGreaterThan(target);
            }
            return [];
          },
        }),
      ],
      stream: { holdBack: 8, lookback: 16 },
    });
    await guard.check('output', 'plain text');
    expect(starts).toEqual([0]);
    // Zero-width characters vanish from the normalized text: its positions fall behind the original's.
    const text = `${'a\u200bb\u200bc '.repeat(30)}end`;
    await drain(guard.scanStream(chunksOf(...split(text, 5))));
    expect(starts.length).toBeGreaterThan(10);
    expect(starts.some((start) => start > 0)).toBe(true);
  });

  it('rejects a bad overlap or context with an ArgumentError', () => {
    expect(thrown(() => streamScanStart(undefined as never, 4))).toBeInstanceOf(ArgumentError);
    const context = { normalized: { text: '', changed: false } } as never;
    expect(thrown(() => streamScanStart(context, -1))).toBeInstanceOf(ArgumentError);
    expect((thrown(() => streamScanStart(context, 1.5)) as Error).message).toMatch(/overlap/);
  });
});

describe('redactions found once, released later', () => {
  /** Reports "card 4111" only where it reaches the window's new text, as an incremental detector does. */
  const once = () =>
    defineDetector({
      id: 'once',
      stages: ['output'],
      rules: [{ category: 'card', minScore: 0.5, action: 'redact' }],
      detect: (_text, context) => {
        const view = context.normalized;
        const findings: FindingInput[] = [];
        const from = streamScanStart(context, 9);
        for (let at = view.text.indexOf('card 4111', from); at >= 0; at = view.text.indexOf('card 4111', at + 1)) {
          findings.push({
            category: 'card',
            score: 1,
            message: 'a card',
            span: view.toOriginal(at, at + 9),
            replacement: '[CARD]',
          });
        }
        return findings;
      },
    });

  it('keeps a redaction until its text is released, though later windows no longer report it', async () => {
    const text = `${filler(100)}card 4111 ${filler(150)}card 4111 ${filler(40)}`;
    for (const [size, holdBack] of [
      [3, 64],
      [7, 120],
      [50, 200],
    ] as const) {
      const guard = createGuard({ output: [once()], stream: { holdBack } });
      const out = (await drain(guard.scanStream(chunksOf(...split(text, size))))).join('');
      expect(out, `${size}/${holdBack}`).toBe(text.replaceAll('card 4111', '[CARD]'));
    }
  });

  it('never releases part of a redaction when overlapping ones move the release point back', async () => {
    // Two detectors with overlapping values: "AB-CD" and "CD-EF" in "AB-CD-EF". Moving the release point back
    // to the start of the second puts it inside the first, which must then wait too.
    const value = (id: string, needle: string) =>
      defineDetector({
        id,
        stages: ['output'],
        rules: [{ category: id, minScore: 0.5, action: 'redact' }],
        detect: (text) => {
          const at = text.indexOf(needle);
          return at < 0
            ? []
            : [
                {
                  category: id,
                  score: 1,
                  message: id,
                  span: { start: at, end: at + needle.length },
                  replacement: `[${id}]`,
                },
              ];
        },
      });
    const text = `${filler(30)}AB-CD-EF ${filler(30)}`;
    const at = text.indexOf('AB-CD-EF');
    // With hold-back 8, the first window ends 13 characters into the value and its tail: the release point
    // falls after "AB-CD" but inside "CD-EF".
    for (const cut of [at + 13, at + 14, at + 15]) {
      const guard = createGuard({
        output: [value('first', 'AB-CD'), value('second', 'CD-EF')],
        stream: { holdBack: 8 },
      });
      const out = (await drain(guard.scanStream(chunksOf(text.slice(0, cut), text.slice(cut))))).join('');
      expect(out, `cut at ${cut - at}`).toBe(text.replace('AB-CD-EF', '[first]'));
    }
  });

  it('lets a longer view of a value replace what an earlier window saw of it', async () => {
    // Reports "12 34" (as A) while that is all there is, and only "34 56" (as B) once "12 34 56" is
    // there: the later view wins, rather than the union of both being replaced by A.
    const growing = defineDetector({
      id: 'growing',
      stages: ['output'],
      rules: [{ category: 'number', minScore: 0.5, action: 'redact' }],
      detect: (text) => {
        const at = text.indexOf('12 34');
        if (at < 0) return [];
        const whole = text.startsWith('12 34 56', at);
        const span = whole ? { start: at + 3, end: at + 8 } : { start: at, end: at + 5 };
        return [{ category: 'number', score: 1, message: 'a number', span, replacement: whole ? 'B' : 'A' }];
      },
    });
    const guard = createGuard({ output: [growing], stream: { holdBack: 16 } });
    const text = `${filler(60)}12 34 56 ${filler(60)}`;
    const out = (await drain(guard.scanStream(chunksOf(...split(text, 2))))).join('');
    expect(out).toBe(text.replace('12 34 56', '12 B'));
  });
});

describe('notOverlapping', () => {
  it('keeps exactly the unreleased held redactions that overlap none of the new ones (2 000 random cases)', () => {
    let seed = 99;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % below;
    };
    const spans = (count: number) =>
      Array.from({ length: count }, () => {
        const start = random(200);
        return { start, end: start + 1 + random(20), replacement: 'x' };
      });
    for (let round = 0; round < 2000; round++) {
      const held = spans(random(12));
      const found = spans(random(12));
      const releasedUpTo = random(150);
      const expected = held.filter(
        (item) => item.end > releasedUpTo && !found.some((other) => other.start < item.end && item.start < other.end),
      );
      expect(notOverlapping(held, found, releasedUpTo)).toEqual(expected);
    }
  });
});
