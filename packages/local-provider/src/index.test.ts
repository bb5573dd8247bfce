import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProviderServer, startProviderServer } from './index.js';

/** The wire formats, checked with the real client libraries (what the adapters will talk through). */
describe('local provider server', () => {
  let server: ProviderServer;
  let openai: OpenAI;
  let anthropic: Anthropic;
  beforeAll(async () => {
    server = await startProviderServer({ chunkSize: 4 });
    openai = new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: 'test-key', baseURL: server.anthropicBaseURL, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('chat completions: JSON, stream, tool calls; records the request without the key', async () => {
    const reply = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'REPLY: Hello there, friend.' },
      ],
    });
    expect(reply.choices[0]?.message.content).toBe('Hello there, friend.');
    expect(server.last()).toMatchObject({ api: 'chat.completions', system: 'Be brief.', stream: false });
    expect(server.last()?.headers.authorization).toBeUndefined();

    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'REPLY: streamed 😀 text' }],
      stream: true,
    });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    expect(deltas.join('')).toBe('streamed 😀 text');
    expect(deltas.filter((delta) => delta !== '').length).toBeGreaterThan(2);

    const tool = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'TOOL: refund {"amount": 40}' }],
      tools: [{ type: 'function', function: { name: 'refund', parameters: { type: 'object' } } }],
    });
    const call = tool.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({
      name: 'refund',
      arguments: '{"amount":40}',
    });
    expect(server.last()?.tools).toEqual(['refund']);
  });

  it('responses: JSON and the event stream', async () => {
    const reply = await openai.responses.create({ model: 'gpt-test', input: 'REPLY: from responses' });
    expect(reply.output_text).toBe('from responses');
    const stream = await openai.responses.create({
      model: 'gpt-test',
      input: 'REPLY: streamed response',
      stream: true,
    });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') {
        const message = event.response.output[0];
        completed =
          message?.type === 'message' &&
          message.content[0]?.type === 'output_text' &&
          message.content[0].text === 'streamed response';
      }
    }
    expect(text).toBe('streamed response');
    expect(completed).toBe(true);
  });

  it('anthropic messages: JSON, stream helper, tool_use', async () => {
    const reply = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      system: 'Be kind.',
      messages: [{ role: 'user', content: 'REPLY: Bonjour.' }],
    });
    expect(reply.content[0]).toMatchObject({ type: 'text', text: 'Bonjour.' });
    expect(server.last()).toMatchObject({ api: 'messages', system: 'Be kind.' });
    const stream = anthropic.messages.stream({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'REPLY: a streamed answer' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('a streamed answer');
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'a streamed answer' });
    const tool = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'TOOL: send_email {"to": "a@b.co"}' }],
    });
    expect(tool.content[0]).toMatchObject({ type: 'tool_use', name: 'send_email', input: { to: 'a@b.co' } });
    expect(tool.stop_reason).toBe('tool_use');
  });
});
