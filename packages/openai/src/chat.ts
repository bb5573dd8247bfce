import { ArgumentError, type ChatMessage, type ChatRole } from '@parapet/core';
import { Stream } from 'openai/core/streaming';
import type { ApiHandler, PreparedRequest, StreamLike, ToolResultSlot } from './call.js';
import { type PushScanner, pushScanner } from './push-scanner.js';
import type { TextSlot } from './text-slots.js';
import { decideToolCalls, type ProposedCall } from './tools.js';
import type { Turn } from './turn.js';

type Json = Record<string, any>;

const ROLES = new Set<string>(['system', 'developer', 'user', 'assistant', 'tool']);

/** The text of a message's content: a string, or its text parts (one per line). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (part !== null && typeof part === 'object' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n');
}

/**
 * Slots for one message's text in an array the adapter owns: writing one copies the message (and its parts
 * array) first, so the caller's objects are never changed.
 */
export function messageSlots(list: unknown[], index: number, key = 'content'): TextSlot[] {
  const original = list[index] as Json;
  const content = original[key];
  if (typeof content === 'string') {
    if (content.length === 0) return [];
    const slot: TextSlot = {
      text: content,
      set(text) {
        list[index] = { ...(list[index] as Json), [key]: text };
        (slot as { text: string }).text = text;
      },
    };
    return [slot];
  }
  if (!Array.isArray(content)) return [];
  const slots: TextSlot[] = [];
  let copied: Json[] | undefined;
  content.forEach((part: unknown, partIndex: number) => {
    if (part === null || typeof part !== 'object' || typeof (part as Json).text !== 'string') return;
    const slot: TextSlot = {
      text: (part as Json).text,
      set(text) {
        if (copied === undefined) {
          copied = [...content];
          list[index] = { ...(list[index] as Json), [key]: copied };
        }
        copied[partIndex] = { ...(copied[partIndex] as Json), text };
        (slot as { text: string }).text = text;
      },
    };
    slots.push(slot);
  });
  return slots;
}

function prepareChat(body: Json): PreparedRequest {
  const messages = body.messages;
  if (!Array.isArray(messages)) {
    throw new ArgumentError({
      message: 'guarded chat.completions.create(body): body.messages must be an array of chat messages.',
    });
  }
  const sent: Json = { ...body, messages: [...messages] };
  const list = sent.messages as unknown[];
  let lastAssistant = -1;
  for (let index = list.length - 1; index >= 0; index--) {
    if ((list[index] as Json | null)?.role === 'assistant') {
      lastAssistant = index;
      break;
    }
  }
  const callNames = new Map<string, string>();
  const assistant = lastAssistant >= 0 ? (list[lastAssistant] as Json) : undefined;
  if (Array.isArray(assistant?.tool_calls)) {
    for (const call of assistant.tool_calls as Json[]) {
      const name = call?.function?.name ?? call?.custom?.name;
      if (typeof call?.id === 'string' && typeof name === 'string') callNames.set(call.id, name);
    }
  }
  const userSlots: TextSlot[] = [];
  const toolResults: ToolResultSlot[] = [];
  let firstNew = -1;
  for (let index = lastAssistant + 1; index < list.length; index++) {
    const message = list[index] as Json | null;
    if (message === null || typeof message !== 'object') continue;
    if (message.role === 'user') {
      if (firstNew < 0) firstNew = index;
      userSlots.push(...messageSlots(list, index));
    } else if (message.role === 'tool') {
      const slots = messageSlots(list, index);
      if (slots.length > 0) toolResults.push({ tool: callNames.get(message.tool_call_id), slots });
    }
  }
  let systemPrompt: string | undefined;
  const history: ChatMessage[] = [];
  const historyEnd = firstNew < 0 ? list.length : firstNew;
  for (let index = 0; index < list.length; index++) {
    const message = list[index] as Json | null;
    if (message === null || typeof message !== 'object') continue;
    const text = contentText(message.content);
    if (message.role === 'system' || message.role === 'developer') {
      systemPrompt = systemPrompt === undefined ? text : `${systemPrompt}\n${text}`;
    }
    if (index < historyEnd && ROLES.has(message.role)) history.push({ role: message.role as ChatRole, content: text });
  }
  return {
    sent,
    userSlots,
    toolResults,
    systemPrompt,
    history,
    snapshot: () => ({ ...sent, messages: [...list] }),
  };
}

/** Unix seconds, as the provider's `created` fields carry. */
export const now = () => Math.floor(Date.now() / 1000);

function fallbackCompletion(turn: Turn, body: Json, text: string): Json {
  return {
    id: `chatcmpl-parapet-${turn.context.traceId}`,
    object: 'chat.completion',
    created: now(),
    model: typeof body.model === 'string' ? body.model : '',
    choices: [
      { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

function fallbackChunks(turn: Turn, body: Json, text: string): Json[] {
  const base = {
    id: `chatcmpl-parapet-${turn.context.traceId}`,
    object: 'chat.completion.chunk',
    created: now(),
    model: typeof body.model === 'string' ? body.model : '',
  };
  const chunk = (delta: Json, finish: string | null): Json => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks = [chunk({ role: 'assistant', content: '' }, null), chunk({ content: text }, null), chunk({}, 'stop')];
  if (body.stream_options?.include_usage === true) {
    chunks.push({ ...base, choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });
  }
  return chunks;
}

function proposedCalls(calls: readonly Json[]): ProposedCall[] {
  const out: ProposedCall[] = [];
  for (const call of calls) {
    if (call?.type === 'custom' || call?.custom !== undefined) {
      out.push({
        id: String(call.id ?? ''),
        name: String(call.custom?.name ?? ''),
        input: String(call.custom?.input ?? ''),
        json: false,
      });
    } else {
      out.push({
        id: String(call?.id ?? ''),
        name: String(call?.function?.name ?? ''),
        input: String(call?.function?.arguments ?? ''),
        json: true,
      });
    }
  }
  return out;
}

async function guardCompletion(turn: Turn, completion: Json): Promise<Json> {
  const { guard } = turn.options;
  if (!Array.isArray(completion?.choices)) return completion;
  for (const choice of completion.choices as Json[]) {
    const message = choice?.message as Json | undefined;
    if (message === undefined) continue;
    if (typeof message.content === 'string' && message.content.length > 0) {
      const verdict = await guard.checkOutput(message.content, turn.context);
      turn.report(verdict);
      if (verdict.action === 'block') {
        message.content = turn.blockedText(verdict);
        // A blocked answer must not trigger actions either.
        delete message.tool_calls;
        choice.finish_reason = 'content_filter';
        continue;
      }
      if (verdict.action === 'redact') message.content = verdict.text;
    }
    if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      const calls = proposedCalls(message.tool_calls);
      const { denied, messages } = await decideToolCalls(turn, calls);
      if (denied.size === 0) continue;
      const kept = (message.tool_calls as Json[]).filter((_, index) => !denied.has(calls[index]!.id));
      if (kept.length > 0) message.tool_calls = kept;
      else {
        delete message.tool_calls;
        choice.finish_reason = 'stop';
      }
      message.content = [message.content, ...messages]
        .filter((text) => typeof text === 'string' && text !== '')
        .join('\n');
    }
  }
  return completion;
}

function chunkBase(chunk: Json): Json {
  const base: Json = {};
  for (const key in chunk) {
    if (key !== 'choices' && key !== 'usage' && key !== 'obfuscation') base[key] = chunk[key];
  }
  return base;
}

const EMPTY: Json = {};

/** The delta's text, its tool calls, and the rest (role, refusal…); the common text-only delta costs no copy. */
function splitDelta(value: unknown): { content: unknown; toolCalls: unknown; delta: Json } {
  if (value === null || typeof value !== 'object') return { content: undefined, toolCalls: undefined, delta: EMPTY };
  const source = value as Json;
  let delta: Json | undefined;
  for (const key in source) {
    if (key === 'content' || key === 'tool_calls') continue;
    delta ??= {};
    delta[key] = source[key];
  }
  return { content: source.content, toolCalls: source.tool_calls, delta: delta ?? EMPTY };
}

interface ChoiceState {
  scanner?: PushScanner;
  /** Tool-call deltas held until the choice finishes (only with a tool policy). */
  held: Json[];
  calls: Map<number, { id: string; name: string; input: string; custom: boolean }>;
}

/**
 * Nothing to scan and no tool policy: the provider's items go through untouched (no re-chunking), and the
 * text `collect` gathers (per choice) is checked once at the end, so the answer still gets its output
 * decision and audit event. Shared by chat completions and responses.
 */
export function passStream(
  turn: Turn,
  stream: StreamLike<Json>,
  collect: (item: Json, texts: Map<number, string>) => void,
): Stream<Json> {
  const { guard } = turn.options;
  async function* iterate(): AsyncGenerator<Json> {
    const texts = new Map<number, string>();
    let finished = false;
    const upstream = stream[Symbol.asyncIterator]();
    try {
      while (true) {
        const next = await upstream.next();
        if (next.done) break;
        collect(next.value, texts);
        yield next.value;
      }
      finished = true;
      for (const text of texts.values()) {
        if (text.length > 0) turn.report(await guard.checkOutput(text, turn.context), true);
      }
    } finally {
      if (!finished) await upstream.return?.();
    }
  }
  return new Stream(() => iterate(), stream.controller);
}

function collectChatText(value: Json, texts: Map<number, string>): void {
  const choices = value?.choices;
  if (!Array.isArray(choices)) return;
  for (const choice of choices as Json[]) {
    const content = choice?.delta?.content;
    if (typeof content === 'string' && content.length > 0) {
      const index: number = typeof choice.index === 'number' ? choice.index : 0;
      texts.set(index, (texts.get(index) ?? '') + content);
    }
  }
}

function guardChatStream(turn: Turn, stream: StreamLike<Json>): Stream<Json> {
  const { guard, toolPolicy } = turn.options;
  if (toolPolicy === undefined && !guard.hasDetectors('output')) return passStream(turn, stream, collectChatText);
  async function* iterate(): AsyncGenerator<Json> {
    const upstream = stream[Symbol.asyncIterator]();
    const choices = new Map<number, ChoiceState>();
    let base: Json | undefined;
    let finished = false;
    const state = (index: number): ChoiceState => {
      let value = choices.get(index);
      if (value === undefined) {
        value = { held: [], calls: new Map() };
        choices.set(index, value);
      }
      return value;
    };
    const chunk = (index: number, delta: Json, finish: string | null = null, extra?: Json): Json => ({
      ...base,
      choices: [{ index, delta, logprobs: null, finish_reason: finish, ...extra }],
    });
    /** Ends a choice's text; returns the chunks to send, or throws in throw mode when blocked. */
    const endText = async (index: number, current: ChoiceState): Promise<{ chunks: Json[]; blocked: boolean }> => {
      const scanner = current.scanner;
      if (scanner === undefined) return { chunks: [], blocked: false };
      current.scanner = undefined;
      const step = await scanner.end();
      if (scanner.verdict !== undefined) turn.report(scanner.verdict, true);
      const chunks = step.released.length > 0 ? [chunk(index, { content: step.released })] : [];
      if (step.blocked !== undefined) {
        chunks.push(chunk(index, { content: turn.blockedText(step.blocked) }), chunk(index, {}, 'content_filter'));
        return { chunks, blocked: true };
      }
      return { chunks, blocked: false };
    };
    const endTools = async (index: number, current: ChoiceState): Promise<{ chunks: Json[]; toolsLeft: boolean }> => {
      if (current.calls.size === 0) return { chunks: [], toolsLeft: false };
      const entries = [...current.calls.entries()];
      const calls: ProposedCall[] = entries.map(([, call]) => ({
        id: call.id,
        name: call.name,
        input: call.input,
        json: !call.custom,
      }));
      const { denied, messages } = await decideToolCalls(turn, calls);
      const deniedIndexes = new Set(entries.filter(([, call]) => denied.has(call.id)).map(([toolIndex]) => toolIndex));
      const chunks: Json[] = [];
      for (const held of current.held) {
        const kept = (held.delta.tool_calls as Json[]).filter((call) => !deniedIndexes.has(call.index));
        if (kept.length > 0) chunks.push(chunk(index, { ...held.delta, tool_calls: kept }));
      }
      if (messages.length > 0) chunks.push(chunk(index, { content: messages.join('\n') }));
      current.held = [];
      current.calls.clear();
      return { chunks, toolsLeft: deniedIndexes.size < entries.length };
    };

    try {
      while (true) {
        const next = await upstream.next();
        if (next.done) break;
        const value = next.value;
        if (!Array.isArray(value?.choices) || value.choices.length === 0) {
          yield value; // usage and other choice-less chunks
          continue;
        }
        // id, created, model… are the same on every chunk of a completion: copied once.
        if (base === undefined) base = chunkBase(value);
        for (const choice of value.choices as Json[]) {
          const index: number = typeof choice.index === 'number' ? choice.index : 0;
          const current = state(index);
          const { content, toolCalls, delta } = splitDelta(choice.delta);
          if (typeof content === 'string' && content.length > 0) {
            current.scanner ??= pushScanner(guard, turn.context);
            const step = await current.scanner.push(content);
            if (step.released.length > 0) yield chunk(index, { content: step.released });
            if (step.blocked !== undefined) {
              turn.report(step.blocked, true);
              const text = turn.blockedText(step.blocked);
              yield chunk(index, { content: text });
              yield chunk(index, {}, 'content_filter');
              return;
            }
          }
          if (Array.isArray(toolCalls) && toolCalls.length > 0) {
            if (toolPolicy === undefined) yield chunk(index, { tool_calls: toolCalls });
            else {
              current.held.push({ delta: { tool_calls: toolCalls } });
              for (const call of toolCalls as Json[]) {
                const known = current.calls.get(call.index) ?? { id: '', name: '', input: '', custom: false };
                if (typeof call.id === 'string') known.id = call.id;
                if (call.type === 'custom' || call.custom !== undefined) known.custom = true;
                const name = call.function?.name ?? call.custom?.name;
                if (typeof name === 'string') known.name += name;
                const input = call.function?.arguments ?? call.custom?.input;
                if (typeof input === 'string') known.input += input;
                current.calls.set(call.index, known);
              }
            }
          }
          const finish = choice.finish_reason ?? null;
          if (finish !== null) {
            const text = await endText(index, current);
            yield* text.chunks;
            if (text.blocked) return;
            const tools = await endTools(index, current);
            yield* tools.chunks;
            const reason = finish === 'tool_calls' && !tools.toolsLeft && tools.chunks.length > 0 ? 'stop' : finish;
            yield chunk(
              index,
              delta === EMPTY ? {} : delta,
              reason,
              choice.logprobs != null ? { logprobs: choice.logprobs } : undefined,
            );
          } else if (Object.keys(delta).length > 0) {
            yield chunk(index, content === '' ? { ...delta, content: '' } : delta);
          }
        }
      }
      finished = true;
      // The provider ended without a finish reason: release what is held.
      for (const [index, current] of choices) {
        const text = await endText(index, current);
        yield* text.chunks;
        if (text.blocked) return;
        yield* (await endTools(index, current)).chunks;
      }
    } finally {
      for (const current of choices.values()) current.scanner?.cancel();
      // Stops the HTTP request when the consumer broke off, or the guard blocked.
      if (!finished) await upstream.return?.();
    }
  }
  return new Stream(() => iterate(), stream.controller);
}

function streamOf(items: readonly Json[]): Stream<Json> {
  async function* iterate(): AsyncGenerator<Json> {
    yield* items;
  }
  return new Stream(() => iterate(), new AbortController());
}

export const chatHandler: ApiHandler = {
  api: 'chat.completions',
  prepare: prepareChat,
  fallbackResponse: (turn, body, text) => fallbackCompletion(turn, body, text),
  fallbackStream: (turn, body, text) => streamOf(fallbackChunks(turn, body, text)),
  guardResponse: guardCompletion,
  guardStream: guardChatStream,
};

export { streamOf };
