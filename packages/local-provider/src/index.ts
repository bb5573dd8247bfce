import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A model provider on 127.0.0.1 for tests, benchmarks and offline examples. It speaks the wire formats the
 * real client libraries expect (OpenAI chat completions and responses, Anthropic messages; JSON and
 * server-sent events), answers from a script, and records every request it received, so a test can assert
 * what actually reached "the model" (for example that personal data arrived redacted).
 */

export type ProviderApi = 'chat.completions' | 'responses' | 'messages';

export interface ProviderMessage {
  readonly role: string;
  /** The message's text parts joined (tool results included, as text). */
  readonly text: string;
}

export interface ProviderRequest {
  readonly api: ProviderApi;
  readonly model: string;
  readonly stream: boolean;
  readonly system?: string;
  readonly messages: readonly ProviderMessage[];
  /** Names of the tools offered. */
  readonly tools: readonly string[];
  /** The raw JSON body. */
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ToolCallReply {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

export interface Reply {
  readonly text?: string;
  readonly toolCalls?: readonly ToolCallReply[];
}

export type ReplyScript = (request: ProviderRequest) => Reply | Promise<Reply>;

export interface ProviderServerOptions {
  /** What the model answers; default `scriptedReply`. */
  readonly reply?: ReplyScript;
  /** Characters per streamed text delta; default 8. */
  readonly chunkSize?: number;
  /** Milliseconds between streamed events; default 0. */
  readonly chunkDelayMs?: number;
  /** Port; default 0 (any free port). */
  readonly port?: number;
}

export interface ProviderServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `baseURL` for the OpenAI SDK (`…/v1`). */
  readonly openaiBaseURL: string;
  /** `baseURL` for the Anthropic SDK (the SDK appends `/v1/messages`). */
  readonly anthropicBaseURL: string;
  /** Every request received, in order. */
  readonly requests: ProviderRequest[];
  /** The most recent request. */
  last(): ProviderRequest | undefined;
  /** Replace the script (for the next requests). */
  setReply(reply: ReplyScript): void;
  close(): Promise<void>;
}

/**
 * The default script: `REPLY: text` in the last user message makes the model say `text`; `TOOL: name {json}`
 * makes it call a tool; after a tool result it reports the result; otherwise it echoes the user.
 */
export function scriptedReply(request: ProviderRequest): Reply {
  const last = request.messages[request.messages.length - 1];
  if (last !== undefined && last.role === 'tool') return { text: `Tool result: ${last.text}` };
  const user = [...request.messages].reverse().find((message) => message.role === 'user')?.text ?? '';
  const reply = /REPLY:\s?([\s\S]*)$/.exec(user);
  if (reply) return { text: reply[1] ?? '' };
  const tool = /TOOL:\s?([\w.-]+)\s*(\{[\s\S]*\})?/.exec(user);
  if (tool) {
    let args: Record<string, unknown> = {};
    try {
      args = tool[2] ? (JSON.parse(tool[2]) as Record<string, unknown>) : {};
    } catch {
      args = {};
    }
    return { toolCalls: [{ name: tool[1] ?? 'tool', arguments: args }] };
  }
  return { text: `Echo: ${user}` };
}

const id = (prefix: string): string => `${prefix}${randomBytes(9).toString('hex')}`;

function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (part && typeof part === 'object') {
      const p = part as Record<string, unknown>;
      if (typeof p.text === 'string') texts.push(p.text);
      else if (p.type === 'tool_result') texts.push(partsText(p.content));
      else if (typeof p.output === 'string') texts.push(p.output);
    }
  }
  return texts.join('\n');
}

function parseRequest(
  api: ProviderApi,
  body: Record<string, unknown>,
  headers: Record<string, string>,
): ProviderRequest {
  const messages: ProviderMessage[] = [];
  let system: string | undefined;
  if (api === 'chat.completions') {
    for (const message of (body.messages as Record<string, unknown>[] | undefined) ?? []) {
      const role = String(message.role);
      const text = partsText(message.content);
      if (role === 'system' || role === 'developer') system = system === undefined ? text : `${system}\n${text}`;
      else messages.push({ role, text });
    }
  } else if (api === 'responses') {
    if (typeof body.instructions === 'string') system = body.instructions;
    const input = body.input;
    if (typeof input === 'string') messages.push({ role: 'user', text: input });
    else if (Array.isArray(input)) {
      for (const item of input as Record<string, unknown>[]) {
        if (item.type === 'function_call_output') messages.push({ role: 'tool', text: String(item.output ?? '') });
        else if (item.type === 'function_call')
          messages.push({ role: 'assistant', text: String(item.arguments ?? '') });
        else {
          const role = String(item.role ?? 'user');
          const text = partsText(item.content);
          if (role === 'system' || role === 'developer') system = system === undefined ? text : `${system}\n${text}`;
          else messages.push({ role, text });
        }
      }
    }
  } else {
    system = body.system === undefined ? undefined : partsText(body.system);
    for (const message of (body.messages as Record<string, unknown>[] | undefined) ?? []) {
      const content = message.content;
      const isToolResult =
        Array.isArray(content) &&
        content.length > 0 &&
        content.every((part) => (part as { type?: string }).type === 'tool_result');
      messages.push({ role: isToolResult ? 'tool' : String(message.role), text: partsText(content) });
    }
  }
  const tools = ((body.tools as Record<string, unknown>[] | undefined) ?? []).map((tool) =>
    String((tool.function as { name?: string } | undefined)?.name ?? tool.name ?? ''),
  );
  return {
    api,
    model: String(body.model ?? ''),
    stream: body.stream === true,
    ...(system !== undefined ? { system } : {}),
    messages,
    tools,
    body,
    headers,
  };
}

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  // Split on code points, so a streamed emoji is never cut in half.
  const points = Array.from(text);
  for (let index = 0; index < points.length; index += size) out.push(points.slice(index, index + size).join(''));
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server on 127.0.0.1. */
export async function startProviderServer(options: ProviderServerOptions = {}): Promise<ProviderServer> {
  let reply: ReplyScript = options.reply ?? scriptedReply;
  const chunkSize = options.chunkSize ?? 8;
  const delay = options.chunkDelayMs ?? 0;
  const requests: ProviderRequest[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const api: ProviderApi | undefined = path.endsWith('/chat/completions')
      ? 'chat.completions'
      : path.endsWith('/responses')
        ? 'responses'
        : path.endsWith('/messages')
          ? 'messages'
          : undefined;
    if (request.method !== 'POST' || api === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'not_found', message: `No route for ${request.method} ${path}` } }));
      return;
    }
    const raw: Buffer[] = [];
    for await (const chunk of request) raw.push(chunk as Buffer);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(raw).toString('utf8')) as Record<string, unknown>;
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'Body is not JSON' } }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (key === 'authorization' || key === 'x-api-key') continue;
      if (typeof value === 'string') headers[key] = value;
    }
    const parsed = parseRequest(api, body, headers);
    requests.push(parsed);
    const answer = await reply(parsed);
    if (!parsed.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(jsonBody(api, parsed.model, answer)));
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    for (const event of streamEvents(api, parsed, answer, chunkSize)) {
      if (response.destroyed) return;
      response.write(event);
      if (delay > 0) await sleep(delay);
    }
    response.end();
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'server_error', message: String(error) } }));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    last: () => requests[requests.length - 1],
    setReply(next) {
      reply = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function usageOf(answer: Reply): { input: number; output: number } {
  return { input: 12, output: Math.max(1, Math.ceil((answer.text ?? '').length / 4)) };
}

function jsonBody(api: ProviderApi, model: string, answer: Reply): Record<string, unknown> {
  const usage = usageOf(answer);
  const text = answer.text ?? '';
  const calls = answer.toolCalls ?? [];
  if (api === 'chat.completions') {
    return {
      id: id('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: calls.length > 0 && text === '' ? null : text,
            refusal: null,
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((call) => ({
                    id: id('call_'),
                    type: 'function',
                    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
        },
      ],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    };
  }
  if (api === 'responses') return responseObject(model, answer, 'completed');
  return {
    id: id('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(text !== '' || calls.length === 0 ? [{ type: 'text', text }] : []),
      ...calls.map((call) => ({ type: 'tool_use', id: id('toolu_'), name: call.name, input: call.arguments })),
    ],
    stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

interface ResponseIds {
  readonly response: string;
  readonly message: string;
  readonly calls: readonly { item: string; call: string }[];
}

function responseObject(model: string, answer: Reply, status: 'in_progress' | 'completed', ids?: ResponseIds) {
  const usage = usageOf(answer);
  const text = answer.text ?? '';
  const calls = answer.toolCalls ?? [];
  const output: Record<string, unknown>[] = [];
  if (status === 'completed') {
    if (text !== '' || calls.length === 0) {
      output.push({
        type: 'message',
        id: ids?.message ?? id('msg_'),
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
      });
    }
    calls.forEach((call, index) => {
      output.push({
        type: 'function_call',
        id: ids?.calls[index]?.item ?? id('fc_'),
        call_id: ids?.calls[index]?.call ?? id('call_'),
        name: call.name,
        arguments: JSON.stringify(call.arguments),
        status: 'completed',
      });
    });
  }
  return {
    id: ids?.response ?? id('resp_'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    model,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    temperature: 1,
    top_p: 1,
    usage:
      status === 'completed'
        ? {
            input_tokens: usage.input,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: usage.output,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: usage.input + usage.output,
          }
        : null,
  };
}

function* streamEvents(api: ProviderApi, request: ProviderRequest, answer: Reply, size: number): Generator<string> {
  const text = answer.text ?? '';
  const calls = answer.toolCalls ?? [];
  const pieces = chunksOf(text, Math.max(1, size));
  if (api === 'chat.completions') {
    const base = {
      id: id('chatcmpl-'),
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
    };
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    yield chunk({ role: 'assistant', content: '' }, null);
    for (const piece of pieces) yield chunk({ content: piece }, null);
    for (const [index, call] of calls.entries()) {
      yield chunk(
        { tool_calls: [{ index, id: id('call_'), type: 'function', function: { name: call.name, arguments: '' } }] },
        null,
      );
      yield chunk({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.arguments) } }] }, null);
    }
    yield chunk({}, calls.length > 0 ? 'tool_calls' : 'stop');
    const options = request.body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage) {
      const usage = usageOf(answer);
      yield `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })}\n\n`;
    }
    yield 'data: [DONE]\n\n';
    return;
  }
  if (api === 'responses') {
    let sequence = 0;
    const event = (type: string, data: Record<string, unknown>) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
    const ids: ResponseIds = {
      response: id('resp_'),
      message: id('msg_'),
      calls: calls.map(() => ({ item: id('fc_'), call: id('call_') })),
    };
    yield event('response.created', { response: responseObject(request.model, answer, 'in_progress', ids) });
    yield event('response.in_progress', { response: responseObject(request.model, answer, 'in_progress', ids) });
    let outputIndex = 0;
    if (text !== '' || calls.length === 0) {
      const item = { type: 'message', id: ids.message, status: 'in_progress', role: 'assistant', content: [] };
      yield event('response.output_item.added', { output_index: outputIndex, item });
      const common = { item_id: ids.message, output_index: outputIndex, content_index: 0 };
      yield event('response.content_part.added', {
        ...common,
        part: { type: 'output_text', text: '', annotations: [] },
      });
      for (const piece of pieces) yield event('response.output_text.delta', { ...common, delta: piece, logprobs: [] });
      yield event('response.output_text.done', { ...common, text, logprobs: [] });
      yield event('response.content_part.done', { ...common, part: { type: 'output_text', text, annotations: [] } });
      yield event('response.output_item.done', {
        output_index: outputIndex,
        item: { ...item, status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] },
      });
      outputIndex++;
    }
    for (const [index, call] of calls.entries()) {
      const callIds = ids.calls[index] as { item: string; call: string };
      const args = JSON.stringify(call.arguments);
      const item = {
        type: 'function_call',
        id: callIds.item,
        call_id: callIds.call,
        name: call.name,
        arguments: '',
        status: 'in_progress',
      };
      yield event('response.output_item.added', { output_index: outputIndex, item });
      yield event('response.function_call_arguments.delta', {
        item_id: callIds.item,
        output_index: outputIndex,
        delta: args,
      });
      yield event('response.function_call_arguments.done', {
        item_id: callIds.item,
        output_index: outputIndex,
        arguments: args,
        name: call.name,
      });
      yield event('response.output_item.done', {
        output_index: outputIndex,
        item: { ...item, arguments: args, status: 'completed' },
      });
      outputIndex++;
    }
    yield event('response.completed', { response: responseObject(request.model, answer, 'completed', ids) });
    return;
  }
  const usage = usageOf(answer);
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  yield event('message_start', {
    message: {
      id: id('msg_'),
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: 1 },
    },
  });
  let index = 0;
  if (text !== '' || calls.length === 0) {
    yield event('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const piece of pieces)
      yield event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    yield event('content_block_stop', { index });
    index++;
  }
  for (const call of calls) {
    yield event('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: id('toolu_'), name: call.name, input: {} },
    });
    yield event('content_block_delta', {
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) },
    });
    yield event('content_block_stop', { index });
    index++;
  }
  yield event('message_delta', {
    delta: { stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output },
  });
  yield event('message_stop', {});
}
