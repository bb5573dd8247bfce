import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { GuardBlockedError, type Verdict } from '@parapet/core';
import { endEvents, textBlock } from './message.js';
import { decideTool, fallbackText, modelCallEnded, type Turn } from './turn.js';

type Event = RawMessageStreamEvent;
type Loose = Record<string, any>;

const textDelta = (index: number, text: string): Event =>
  ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }) as Event;

/**
 * Guards a raw message event stream. Text blocks go through `guard.scanStream` (bounded hold-back: a match is
 * caught before any of it is released; a block ends the stream with the fallback or throws); `tool_use`
 * blocks are held until complete and then decided by the tool policy. Every other event passes as it came.
 */
export async function* guardEvents(turn: Turn, upstream: AsyncIterable<Event>, started: number): AsyncGenerator<Event> {
  const iterator = upstream[Symbol.asyncIterator]();
  let done = false;
  let outputTokens = 0;
  let keptTools = 0;
  let deniedTools = 0;
  // Events that arrive while a text block is being read (pings, citations): passed on after the next release.
  const aside: Event[] = [];

  const next = async (): Promise<Event | undefined> => {
    const result = await iterator.next();
    if (result.done) {
      done = true;
      return undefined;
    }
    return result.value;
  };

  /** Streams one text block through the scanner; returns false when the stream must end (blocked). */
  async function* textBlockEvents(index: number, initial: string): AsyncGenerator<Event, boolean> {
    let stop: Event | undefined;
    const source = async function* (): AsyncGenerator<string> {
      if (initial !== '') yield initial;
      while (true) {
        const event = await next();
        if (event === undefined) return;
        const loose = event as Loose;
        if (loose.type === 'content_block_delta' && loose.index === index && loose.delta?.type === 'text_delta') {
          yield loose.delta.text as string;
        } else if (loose.type === 'content_block_stop' && loose.index === index) {
          stop = event;
          return;
        } else aside.push(event);
      }
    };
    let blocked: Verdict | undefined;
    const scanned = turn.guard.scanStream(source(), {
      ...turn.context,
      onVerdict: (verdict) => {
        if (verdict.action === 'block') blocked = verdict;
      },
    }) as AsyncIterable<string>;
    try {
      for await (const piece of scanned) {
        if (blocked !== undefined) {
          // This piece is the guard's own fallback; the adapter's mode may differ from the policy's.
          if (turn.options.onBlock === 'throw')
            throw new GuardBlockedError({ verdict: blocked, guardName: turn.guard.name });
          yield textDelta(index, turn.options.onBlock === 'fallback' ? fallbackText(turn, blocked) : piece);
          yield* endEvents(index, outputTokens);
          return false;
        }
        yield textDelta(index, piece);
        if (aside.length > 0) yield* aside.splice(0);
      }
    } catch (error) {
      if (blocked !== undefined && turn.options.onBlock === 'fallback' && error instanceof GuardBlockedError) {
        yield textDelta(index, fallbackText(turn, blocked));
        yield* endEvents(index, outputTokens);
        return false;
      }
      throw error;
    }
    if (aside.length > 0) yield* aside.splice(0);
    if (stop !== undefined) yield stop;
    return true;
  }

  /** Holds a tool_use block until complete, then lets it through, rewrites its arguments, or replaces it. */
  async function* toolUseEvents(start: Loose): AsyncGenerator<Event> {
    const index = start.index as number;
    const held: Event[] = [start as Event];
    let json = '';
    while (true) {
      const event = await next();
      if (event === undefined) return; // cut off: nothing complete to decide, nothing released
      const loose = event as Loose;
      if (loose.index === index && loose.type === 'content_block_delta' && loose.delta?.type === 'input_json_delta') {
        json += loose.delta.partial_json as string;
        held.push(event);
      } else if (loose.index === index && loose.type === 'content_block_stop') {
        held.push(event);
        break;
      } else held.push(event);
    }
    const block = start.content_block as Loose;
    let input: unknown = block.input ?? {};
    if (json.trim() !== '') {
      try {
        input = JSON.parse(json);
      } catch {
        input = json; // the policy's argument schema rejects it
      }
    }
    const { decision, denial } = await decideTool(turn, block.name as string, input, block.id as string | undefined);
    if (denial !== undefined) {
      deniedTools++;
      yield { type: 'content_block_start', index, content_block: textBlock('') } as unknown as Event;
      yield textDelta(index, denial);
      yield { type: 'content_block_stop', index } as Event;
      return;
    }
    keptTools++;
    if (JSON.stringify(decision.args) === JSON.stringify(input)) {
      yield* held;
      return;
    }
    yield start as Event;
    yield {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(decision.args) },
    } as Event;
    yield { type: 'content_block_stop', index } as Event;
  }

  try {
    while (true) {
      const event = await next();
      if (event === undefined) break;
      const loose = event as Loose;
      switch (loose.type) {
        case 'message_start':
          outputTokens = loose.message?.usage?.output_tokens ?? 0;
          yield event;
          break;
        case 'content_block_start': {
          const block = loose.content_block as Loose;
          if (block.type === 'text') {
            const initial = typeof block.text === 'string' ? block.text : '';
            yield (initial === '' ? event : { ...loose, content_block: { ...block, text: '' } }) as Event;
            const open = yield* textBlockEvents(loose.index as number, initial);
            if (!open) return;
          } else if (block.type === 'tool_use' && turn.options.toolPolicy !== undefined) {
            yield* toolUseEvents(loose);
          } else yield event;
          break;
        }
        case 'message_delta':
          if (deniedTools > 0 && keptTools === 0 && loose.delta?.stop_reason === 'tool_use') {
            yield { ...loose, delta: { ...loose.delta, stop_reason: 'end_turn' } } as Event;
          } else yield event;
          break;
        case 'message_stop':
          modelCallEnded(turn, started, { streamed: true });
          yield event;
          break;
        default:
          yield event;
      }
      if (done) break;
    }
  } finally {
    // Ending early (a block, a thrown error, the consumer breaking off) closes the HTTP stream.
    if (!done) await iterator.return?.();
  }
}

/**
 * Nothing to scan and no tool policy: the events go through as they came, and the answer's text is checked
 * once at the end, so it still gets its output decision and audit event. A plain iterator rather than an
 * async generator: one promise per event instead of a generator's several.
 */
export function passEvents(turn: Turn, upstream: AsyncIterable<Event>, started: number): AsyncIterator<Event> {
  const iterator = upstream[Symbol.asyncIterator]();
  let text = '';
  let done = false;
  const inspect = async (result: IteratorResult<Event>): Promise<IteratorResult<Event>> => {
    if (result.done) {
      if (!done) {
        done = true;
        if (text.length > 0) await turn.guard.checkOutput(text, turn.context);
      }
      return result;
    }
    const loose = result.value as Loose;
    if (loose.type === 'content_block_delta' && loose.delta?.type === 'text_delta') text += loose.delta.text as string;
    else if (loose.type === 'message_stop') modelCallEnded(turn, started, { streamed: true });
    return result;
  };
  return {
    next: () => iterator.next().then(inspect),
    async return(value?: unknown) {
      // The consumer broke off: close the HTTP stream.
      done = true;
      await iterator.return?.();
      return { done: true, value: value as Event };
    },
  };
}
