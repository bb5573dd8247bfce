import { ArgumentError, type ChatMessage, type ChatRole } from '@parapet/core';
import { Stream } from 'openai/core/streaming';
import type { ApiHandler, PreparedRequest, StreamLike, ToolResultSlot } from './call.js';
import { contentText, messageSlots, now, passStream, streamOf } from './chat.js';
import { type PushScanner, pushScanner } from './push-scanner.js';
import { applyRedaction, joinSlots, type TextSlot } from './text-slots.js';
import { decideToolCalls, type ProposedCall } from './tools.js';
import type { Turn } from './turn.js';

type Json = Record<string, any>;

const ROLES = new Set<string>(['system', 'developer', 'user', 'assistant']);
const TOOL_CALL_TYPES = new Set(['function_call', 'custom_tool_call']);

/** An item the model produced in an earlier turn (its messages, calls, reasoning). */
function isAssistantItem(item: Json): boolean {
  if (item.role === 'assistant') return true;
  const type = typeof item.type === 'string' ? item.type : '';
  return type === 'reasoning' || (type.endsWith('_call') && !type.endsWith('_output'));
}

function prepareResponses(body: Json): PreparedRequest {
  const input = body.input;
  const sent: Json = { ...body };
  const userSlots: TextSlot[] = [];
  const toolResults: ToolResultSlot[] = [];
  const history: ChatMessage[] = [];
  let systemPrompt: string | undefined = typeof body.instructions === 'string' ? body.instructions : undefined;
  if (typeof input === 'string') {
    if (input.length > 0) {
      const slot: TextSlot = {
        text: input,
        set(text) {
          sent.input = text;
          (slot as { text: string }).text = text;
        },
      };
      userSlots.push(slot);
    }
    return { sent, userSlots, toolResults, systemPrompt, history, snapshot: () => ({ ...sent }) };
  }
  if (!Array.isArray(input)) {
    throw new ArgumentError({
      message: 'guarded responses.create(body): body.input must be a string or an array of input items.',
    });
  }
  const list = [...input] as unknown[];
  sent.input = list;
  let lastAssistant = -1;
  const callNames = new Map<string, string>();
  list.forEach((value, index) => {
    const item = value as Json | null;
    if (item === null || typeof item !== 'object') return;
    if (isAssistantItem(item)) lastAssistant = index;
    if (TOOL_CALL_TYPES.has(item.type) && typeof item.call_id === 'string' && typeof item.name === 'string') {
      callNames.set(item.call_id, item.name);
    }
  });
  let firstNew = -1;
  for (let index = lastAssistant + 1; index < list.length; index++) {
    const item = list[index] as Json | null;
    if (item === null || typeof item !== 'object') continue;
    if (item.role === 'user') {
      if (firstNew < 0) firstNew = index;
      userSlots.push(...messageSlots(list, index));
    } else if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
      const slots = messageSlots(list, index, 'output');
      if (slots.length > 0) toolResults.push({ tool: callNames.get(item.call_id), slots });
    }
  }
  const historyEnd = firstNew < 0 ? list.length : firstNew;
  for (let index = 0; index < list.length; index++) {
    const item = list[index] as Json | null;
    if (item === null || typeof item !== 'object' || !ROLES.has(item.role)) continue;
    const text = contentText(item.content);
    if (item.role === 'system' || item.role === 'developer') {
      systemPrompt = systemPrompt === undefined ? text : `${systemPrompt}\n${text}`;
    }
    if (index < historyEnd) history.push({ role: item.role as ChatRole, content: text });
  }
  return {
    sent,
    userSlots,
    toolResults,
    systemPrompt,
    history,
    snapshot: () => ({ ...sent, input: [...list] }),
  };
}

function messageItem(id: string, text: string): Json {
  return {
    id,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

function outputTextOf(output: readonly Json[]): string {
  const texts: string[] = [];
  for (const item of output) {
    if (item?.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (part?.type === 'output_text') texts.push(part.text);
  }
  return texts.join('');
}

function responseSkeleton(turn: Turn, body: Json, status: string, output: Json[]): Json {
  return {
    id: `resp_parapet_${turn.context.traceId}`,
    object: 'response',
    created_at: now(),
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    metadata: body.metadata ?? {},
    model: typeof body.model === 'string' ? body.model : '',
    output,
    parallel_tool_calls: true,
    temperature: null,
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    usage:
      status === 'completed'
        ? {
            input_tokens: 0,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 0,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 0,
          }
        : null,
  };
}

function fallbackResponse(turn: Turn, body: Json, text: string): Json {
  const response = responseSkeleton(turn, body, 'completed', [
    messageItem(`msg_parapet_${turn.context.traceId}`, text),
  ]);
  response.output_text = text;
  return response;
}

/** The events that stream one assistant message carrying `text`. */
function messageEvents(itemId: string, outputIndex: number, text: string): Json[] {
  const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
  const ids = { item_id: itemId, output_index: outputIndex, content_index: 0 };
  return [
    {
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
    { type: 'response.content_part.added', ...ids, part },
    { type: 'response.output_text.delta', ...ids, delta: text, logprobs: [] },
    { type: 'response.output_text.done', ...ids, text, logprobs: [] },
    { type: 'response.content_part.done', ...ids, part: { ...part, text } },
    { type: 'response.output_item.done', output_index: outputIndex, item: messageItem(itemId, text) },
  ];
}

function numbered(events: Json[], start = 0): Json[] {
  return events.map((event, index) => ({ ...event, sequence_number: start + index }));
}

function fallbackEvents(turn: Turn, body: Json, text: string): Json[] {
  const itemId = `msg_parapet_${turn.context.traceId}`;
  const started = responseSkeleton(turn, body, 'in_progress', []);
  return numbered([
    { type: 'response.created', response: started },
    { type: 'response.in_progress', response: started },
    ...messageEvents(itemId, 0, text),
    {
      type: 'response.completed',
      response: responseSkeleton(turn, body, 'completed', [messageItem(itemId, text)]),
    },
  ]);
}

function proposedCall(item: Json): ProposedCall {
  const custom = item.type === 'custom_tool_call';
  return {
    id: String(item.call_id ?? item.id ?? ''),
    name: String(item.name ?? ''),
    input: String((custom ? item.input : item.arguments) ?? ''),
    json: !custom,
  };
}

async function guardResponse(turn: Turn, response: Json): Promise<Json> {
  const { guard } = turn.options;
  if (!Array.isArray(response?.output)) return response;
  const output = response.output as Json[];
  const slots: TextSlot[] = [];
  for (const item of output) {
    if (item?.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content as Json[]) {
      if (part?.type !== 'output_text' || typeof part.text !== 'string' || part.text === '') continue;
      const slot: TextSlot = {
        text: part.text,
        set(text) {
          part.text = text;
          (slot as { text: string }).text = text;
        },
      };
      slots.push(slot);
    }
  }
  let changed = false;
  if (slots.length > 0) {
    const verdict = await guard.checkOutput(joinSlots(slots), turn.context);
    turn.report(verdict);
    if (verdict.action === 'block') {
      const text = turn.blockedText(verdict);
      // The whole answer is replaced, its tool calls included: a blocked answer must not trigger actions.
      response.output = [messageItem(`msg_parapet_${turn.context.traceId}`, text)];
      if ('output_text' in response) response.output_text = text;
      return response;
    }
    if (verdict.action === 'redact') {
      applyRedaction(slots, verdict);
      changed = true;
    }
  }
  const calls = output.filter((item) => TOOL_CALL_TYPES.has(item?.type));
  if (calls.length > 0) {
    const { denied, messages } = await decideToolCalls(turn, calls.map(proposedCall));
    if (denied.size > 0) {
      const kept = output.filter((item) => !(TOOL_CALL_TYPES.has(item?.type) && denied.has(proposedCall(item).id)));
      kept.push(messageItem(`msg_parapet_denied_${turn.context.traceId}`, messages.join('\n')));
      response.output = kept;
      changed = true;
    }
  }
  if (changed && 'output_text' in response) response.output_text = outputTextOf(response.output);
  return response;
}

interface PartState {
  scanner: PushScanner | undefined;
  delivered: string;
  template: Json;
}

function collectResponseText(value: Json, texts: Map<number, string>): void {
  if (value?.type === 'response.output_text.delta' && typeof value.delta === 'string') {
    texts.set(0, (texts.get(0) ?? '') + value.delta);
  }
}

function guardResponseStream(turn: Turn, stream: StreamLike<Json>): Stream<Json> {
  const { guard, toolPolicy } = turn.options;
  if (toolPolicy === undefined && !guard.hasDetectors('output')) return passStream(turn, stream, collectResponseText);
  async function* iterate(): AsyncGenerator<Json> {
    const upstream = stream[Symbol.asyncIterator]();
    const parts = new Map<string, PartState>();
    const heldCalls = new Map<string, Json[]>();
    const denied = new Set<string>();
    const denials: string[] = [];
    let snapshot: Json | undefined;
    let sequence = 0;
    let finished = false;
    let maxOutputIndex = -1;
    const out = (event: Json): Json =>
      typeof event.sequence_number === 'number' ? { ...event, sequence_number: sequence++ } : event;
    const keyOf = (event: Json) => `${event.item_id}:${event.content_index ?? 0}`;
    const textOf = (itemId: string, index: number, fallback: string): string =>
      parts.get(`${itemId}:${index}`)?.delivered ?? fallback;
    const rewriteItem = (item: Json): Json => {
      if (item?.type !== 'message' || !Array.isArray(item.content)) return item;
      return {
        ...item,
        content: (item.content as Json[]).map((part, index) =>
          part?.type === 'output_text' && parts.has(`${item.id}:${index}`)
            ? { ...part, text: textOf(item.id, index, part.text) }
            : part,
        ),
      };
    };
    /** Stops the answer at a block: the fallback ends the open message and the response completes. */
    const blockedEvents = (event: Json, part: PartState, text: string): Json[] => {
      part.delivered += text;
      const ids = { item_id: event.item_id, output_index: event.output_index, content_index: event.content_index };
      const item = messageItem(event.item_id, part.delivered);
      const events: Json[] = [
        { ...part.template, delta: text },
        { type: 'response.output_text.done', ...ids, text: part.delivered, logprobs: [] },
        { type: 'response.content_part.done', ...ids, part: item.content[0] },
        { type: 'response.output_item.done', output_index: event.output_index, item },
      ];
      if (snapshot !== undefined) {
        events.push({ type: 'response.completed', response: { ...snapshot, status: 'completed', output: [item] } });
      }
      return events.map((entry) => out({ sequence_number: 0, ...entry }));
    };
    const endPart = async (event: Json, part: PartState): Promise<{ events: Json[]; blocked: boolean }> => {
      const scanner = part.scanner;
      if (scanner === undefined) return { events: [], blocked: false };
      part.scanner = undefined;
      const step = await scanner.end();
      if (scanner.verdict !== undefined) turn.report(scanner.verdict, true);
      const events: Json[] = [];
      if (step.released.length > 0) {
        part.delivered += step.released;
        events.push(out({ ...part.template, delta: step.released }));
      }
      if (step.blocked !== undefined) {
        events.push(...blockedEvents(event, part, turn.blockedText(step.blocked)));
        return { events, blocked: true };
      }
      return { events, blocked: false };
    };

    try {
      while (true) {
        const next = await upstream.next();
        if (next.done) break;
        const event = next.value;
        if (typeof event?.output_index === 'number') maxOutputIndex = Math.max(maxOutputIndex, event.output_index);
        switch (event?.type) {
          case 'response.created':
          case 'response.in_progress':
            snapshot = event.response;
            yield out(event);
            break;
          case 'response.output_text.delta': {
            const key = keyOf(event);
            let part = parts.get(key);
            if (part === undefined) {
              part = { scanner: undefined, delivered: '', template: event };
              parts.set(key, part);
            }
            part.template = event;
            if (typeof event.delta !== 'string' || event.delta === '') break;
            part.scanner ??= pushScanner(guard, turn.context);
            const step = await part.scanner.push(event.delta);
            if (step.released.length > 0) {
              part.delivered += step.released;
              yield out({ ...event, delta: step.released, logprobs: [] });
            }
            if (step.blocked !== undefined) {
              turn.report(step.blocked, true);
              yield* blockedEvents(event, part, turn.blockedText(step.blocked));
              return;
            }
            break;
          }
          case 'response.output_text.done': {
            const part = parts.get(keyOf(event));
            if (part === undefined) {
              yield out(event);
              break;
            }
            const ended = await endPart(event, part);
            yield* ended.events;
            if (ended.blocked) return;
            yield out({ ...event, text: part.delivered });
            break;
          }
          case 'response.content_part.done': {
            const part = parts.get(keyOf(event));
            yield out(part === undefined ? event : { ...event, part: { ...event.part, text: part.delivered } });
            break;
          }
          case 'response.output_item.added':
            if (toolPolicy !== undefined && TOOL_CALL_TYPES.has(event.item?.type))
              heldCalls.set(event.item.id, [event]);
            else yield out(event);
            break;
          case 'response.output_item.done': {
            const item = event.item as Json;
            const held = item !== undefined ? heldCalls.get(item.id) : undefined;
            if (held === undefined) {
              yield out({ ...event, item: rewriteItem(item) });
              break;
            }
            heldCalls.delete(item.id);
            const verdicts = await decideToolCalls(turn, [proposedCall(item)]);
            if (verdicts.denied.size > 0) {
              denied.add(item.id);
              denials.push(...verdicts.messages);
              break;
            }
            for (const entry of held) yield out(entry);
            yield out(event);
            break;
          }
          case 'response.completed':
          case 'response.incomplete':
          case 'response.failed': {
            const response = event.response as Json | undefined;
            if (denials.length > 0) {
              const itemId = `msg_parapet_denied_${turn.context.traceId}`;
              const text = denials.join('\n');
              for (const entry of messageEvents(itemId, maxOutputIndex + 1, text))
                yield out({ sequence_number: 0, ...entry });
              if (response !== undefined && Array.isArray(response.output)) {
                response.output = [...response.output, messageItem(itemId, text)];
              }
            }
            if (response !== undefined && Array.isArray(response.output)) {
              const output = (response.output as Json[])
                .filter((item) => !denied.has(item?.id))
                .map((item) => rewriteItem(item));
              yield out({ ...event, response: { ...response, output } });
            } else yield out(event);
            break;
          }
          default: {
            const itemId = event?.item_id;
            const held = typeof itemId === 'string' ? heldCalls.get(itemId) : undefined;
            if (held !== undefined) held.push(event);
            else if (typeof itemId !== 'string' || !denied.has(itemId)) yield out(event);
          }
        }
      }
      finished = true;
      for (const [key, part] of parts) {
        if (part.scanner === undefined) continue;
        const [itemId = '', index = '0'] = key.split(':');
        const ended = await endPart({ ...part.template, item_id: itemId, content_index: Number(index) }, part);
        yield* ended.events;
        if (ended.blocked) return;
      }
    } finally {
      for (const part of parts.values()) part.scanner?.cancel();
      if (!finished) await upstream.return?.();
    }
  }
  return new Stream(() => iterate(), stream.controller);
}

export const responsesHandler: ApiHandler = {
  api: 'responses',
  prepare: prepareResponses,
  fallbackResponse,
  fallbackStream: (turn, body, text) => streamOf(fallbackEvents(turn, body, text)),
  guardResponse,
  guardStream: guardResponseStream,
};
