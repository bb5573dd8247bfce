import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { needleDetector, rejection } from '../test/helpers.js';
import { consoleSink, outcomeOf, stageSlug } from './audit.js';
import { GuardBlockedError } from './errors.js';
import { createGuard } from './guard.js';
import { patternDetector } from './pattern-detector.js';
import { recordingSink, staticDetector, throwingDetector } from './test/index.js';

const SECRET = 'sk-live-123456789abcdef';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function secretGuard(sink = recordingSink(), policy = {}) {
  const guard = createGuard({
    input: [patternDetector({ id: 'api-keys', patterns: ['sk-live-[0-9a-f]{15}'], category: 'secret', score: 0.95 })],
    output: [needleDetector('key-leak', SECRET, { replacement: '[KEY]', score: 0.8 })],
    audit: sink,
    policy,
  });
  return { guard, sink };
}

describe('audit events', () => {
  it("records one event per check, with the verdict's trace id", async () => {
    const sink = recordingSink();
    const guard = createGuard({
      input: [staticDetector('quiet', [])],
      output: [staticDetector('quiet', [])],
      audit: sink,
    });
    const first = await guard.checkInput('hello');
    const second = await guard.checkOutput('world', { traceId: 'trace-42', session: 's1', user: 'u1', tenant: 't1' });
    const third = await guard.checkToolOutput('tool result', { tool: 'search' });
    expect(sink.events).toHaveLength(3);
    expect(sink.events.map((event) => event.type)).toEqual(['input-allowed', 'output-allowed', 'tool-output-allowed']);
    expect(sink.events[0]!.traceId).toBe(first.traceId);
    expect(first.traceId.length).toBeGreaterThan(0);
    expect(second.traceId).toBe('trace-42');
    expect(sink.events[1]).toMatchObject({
      traceId: 'trace-42',
      session: 's1',
      user: 'u1',
      tenant: 't1',
      stage: 'output',
    });
    expect(sink.events[2]).toMatchObject({ traceId: third.traceId, tool: 'search', stage: 'tool_output' });
    // Distinct checks without a trace id get distinct ones.
    expect(first.traceId).not.toBe(third.traceId);
    for (const event of sink.events) {
      expect(event.schemaVersion).toBe(1);
      expect(event.guard).toBe('parapet');
      expect(typeof event.id).toBe('string');
      expect(typeof event.spanId).toBe('string');
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    }
    expect(new Set(sink.events.map((event) => event.id)).size).toBe(3);
  });

  it('names the event after the stage and the outcome, and carries actions and findings', async () => {
    const { guard, sink } = secretGuard();
    await guard.checkInput(`my key is ${SECRET}`);
    const event = sink.events[0]!;
    expect(event.type).toBe('input-blocked');
    expect(event.action).toBe('block');
    expect(event.decided).toBe('block');
    expect(event.shadow).toBe(false);
    expect(event.findings).toEqual([
      {
        detector: 'api-keys',
        category: 'secret',
        score: 0.95,
        severity: 'high',
        action: 'block',
        span: { start: 10, end: 33 },
      },
    ]);
    expect(event.errors).toEqual([]);
    expect(event.timings).toHaveProperty('api-keys');
  });

  it('carries the content as a SHA-256 hash and length, never the raw text', async () => {
    const { guard, sink } = secretGuard();
    const text = `my key is ${SECRET}`;
    await guard.checkInput(text);
    await guard.checkOutput(`here: ${SECRET}`);
    expect(sink.events[0]!.content).toEqual({ sha256: sha256(text), length: text.length });
    expect(sink.events[1]!.type).toBe('output-redacted');
    for (const event of sink.events) {
      const serialized = JSON.stringify(event);
      expect(serialized).not.toContain(SECRET);
      expect(serialized).not.toContain('my key is');
    }
  });

  it('with auditContent "none" carries no content at all', async () => {
    const sink = recordingSink();
    const guard = createGuard({ input: [staticDetector('quiet', [])], audit: sink, auditContent: 'none' });
    await guard.checkInput(`text with ${SECRET}`);
    expect(sink.events[0]!.content).toBeUndefined();
    expect(JSON.stringify(sink.events[0])).not.toContain(SECRET);
  });

  it('run() links the input check, the model call and the output check by one trace id', async () => {
    const { guard, sink } = secretGuard();
    const modelCall = vi.fn(
      (_messages: unknown, info: { traceId: string }) => `answer for trace ${info.traceId.length}`,
    );
    await guard.run([{ role: 'user', content: 'hello' }], modelCall, { session: 'sess-1' });
    expect(sink.events.map((event) => event.type)).toEqual(['input-allowed', 'model-call-ended', 'output-allowed']);
    const traceId = sink.events[0]!.traceId;
    expect(sink.events.every((event) => event.traceId === traceId)).toBe(true);
    expect(modelCall.mock.calls[0]![1].traceId).toBe(traceId);
    expect(sink.events.every((event) => event.session === 'sess-1')).toBe(true);
    expect(typeof sink.events[1]!.latencyUs).toBe('number');
  });

  it("run() uses the caller's trace id", async () => {
    const { guard, sink } = secretGuard();
    await guard.run([{ role: 'user', content: 'hello' }], () => 'hi', { traceId: 'turn-7' });
    expect(sink.events.map((event) => event.traceId)).toEqual(['turn-7', 'turn-7', 'turn-7']);
  });

  it('run() never puts the secret into any event, on the input or the output side', async () => {
    const { guard, sink } = secretGuard();
    await guard.run([{ role: 'user', content: 'what is the key?' }], () => `the key is ${SECRET}`);
    await rejection(guard.run([{ role: 'user', content: `use ${SECRET}` }], () => 'x'));
    expect(sink.events.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(sink.events)).not.toContain(SECRET);
  });

  it('a blocked run records the input event and no model call', async () => {
    const { guard, sink } = secretGuard();
    const modelCall = vi.fn(() => 'x');
    const error = await rejection(guard.run([{ role: 'user', content: `use ${SECRET}` }], modelCall));
    expect(error).toBeInstanceOf(GuardBlockedError);
    expect(sink.events.map((event) => event.type)).toEqual(['input-blocked']);
    expect(sink.events[0]!.traceId).toBe((error as GuardBlockedError).verdict.traceId);
    expect(modelCall).not.toHaveBeenCalled();
  });

  it('GuardBlockedError and its findings never carry the offending text', async () => {
    const { guard } = secretGuard();
    const error = await rejection(guard.run([{ role: 'user', content: `please use ${SECRET} now` }], () => 'x'));
    expect(error).toBeInstanceOf(GuardBlockedError);
    const blocked = error as GuardBlockedError;
    expect(blocked.message).not.toContain(SECRET);
    expect(blocked.message).not.toContain('please use');
    for (const finding of blocked.verdict.findings) {
      expect(finding.message).not.toContain(SECRET);
      expect(JSON.stringify(finding.data ?? {})).not.toContain(SECRET);
    }
    expect(blocked.message).toContain(blocked.verdict.traceId);
  });

  it('records detector failures in the event', async () => {
    const sink = recordingSink();
    const guard = createGuard({ input: [throwingDetector('boom')], audit: sink });
    await guard.checkInput('x');
    expect(sink.events[0]!.errors).toEqual([
      expect.objectContaining({ detector: 'boom', kind: 'error', outcome: 'block' }),
    ]);
    expect(sink.events[0]!.findings).toEqual([
      expect.objectContaining({ detector: 'boom', category: 'detector-failed', action: 'block' }),
    ]);
  });

  it('records shadow decisions', async () => {
    const sink = recordingSink();
    const guard = createGuard({ input: [needleDetector('d', 'bad')], audit: sink, policy: { mode: 'shadow' } });
    await guard.checkInput('bad');
    expect(sink.events[0]).toMatchObject({ type: 'input-flagged', action: 'flag', decided: 'block', shadow: true });
  });

  it('emit() adds the envelope to adapter events', async () => {
    const sink = recordingSink();
    const guard = createGuard({ name: 'shop', audit: sink });
    guard.emit({ type: 'tool-call-denied', traceId: 'trace-1', tool: 'refund' });
    expect(sink.events[0]).toMatchObject({
      type: 'tool-call-denied',
      traceId: 'trace-1',
      tool: 'refund',
      guard: 'shop',
      schemaVersion: 1,
      findings: [],
      errors: [],
    });
  });
});

describe('consoleSink', () => {
  it('logs one line per decision at or above minAction, never the content', async () => {
    const logger = { info: vi.fn(), warn: vi.fn() };
    const guard = createGuard({
      input: [patternDetector({ id: 'api-keys', patterns: ['sk-live-[0-9a-f]{15}'], score: 0.95 })],
      audit: consoleSink({ logger }),
    });
    await guard.checkInput('nothing here');
    await guard.checkInput(`key ${SECRET}`);
    expect(logger.info).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const line = logger.warn.mock.calls[0]![0] as string;
    expect(line).toContain('input-blocked');
    expect(line).toContain('api-keys');
    expect(line).not.toContain(SECRET);
  });
});

describe('event naming helpers', () => {
  it('stageSlug and outcomeOf give noun-action event names', () => {
    expect(stageSlug('tool_input')).toBe('tool-input');
    expect(stageSlug('tool_output')).toBe('tool-output');
    expect(outcomeOf('redact')).toBe('redacted');
    expect(outcomeOf('review')).toBe('reviewed');
  });
});
