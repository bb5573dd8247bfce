import { AUDIT_SCHEMA_VERSION, type AuditEvent, type AuditSink, ConfigError, createGuard } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { type FanoutErrorInfo, fanout } from './fanout.js';

function recording(name?: string): AuditSink & { events: AuditEvent[]; calls: string[] } {
  const events: AuditEvent[] = [];
  const calls: string[] = [];
  return {
    ...(name !== undefined ? { name } : {}),
    events,
    calls,
    write: (event) => void events.push(event),
    flush: async () => void calls.push('flush'),
    close: async () => void calls.push('close'),
  };
}

const throwing: AuditSink = {
  name: 'broken',
  write() {
    throw new Error('disk full');
  },
  async flush() {
    throw new Error('flush failed');
  },
};

function event(id: string): AuditEvent {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id,
    type: 'input-allowed',
    time: '2026-01-02T03:04:05.000Z',
    traceId: 't',
    spanId: 's',
    guard: 'g',
    findings: [],
    errors: [],
  };
}

describe('fanout', () => {
  it('writes every event to every sink, past a sink that throws', () => {
    const a = recording('a');
    const b = recording();
    const errors: [unknown, FanoutErrorInfo][] = [];
    const sink = fanout([a, throwing, b], { onError: (error, info) => void errors.push([error, info]) });
    sink.write(event('1'));
    sink.write(event('2'));
    expect(a.events.map((e) => e.id)).toEqual(['1', '2']);
    expect(b.events.map((e) => e.id)).toEqual(['1', '2']);
    expect(sink.stats).toEqual({
      events: 2,
      failed: 2,
      sinks: [
        { sink: 'a', written: 2, failed: 0 },
        { sink: 'broken', written: 0, failed: 2 },
        { sink: 'sink[2]', written: 2, failed: 0 },
      ],
    });
    expect(errors).toHaveLength(2);
    expect(errors[0]![1]).toMatchObject({ sink: 'broken', index: 1, phase: 'write' });
    expect(errors[1]![1].event?.id).toBe('2');
    expect((errors[0]![0] as Error).message).toBe('disk full');
  });

  it('accepts sinks as arguments and survives an onError that throws', () => {
    const a = recording('a');
    expect(() => fanout(throwing, a).write(event('1'))).not.toThrow();
    const noisy = fanout([throwing, a], {
      onError: () => {
        throw new Error('reporter broke');
      },
    });
    expect(() => noisy.write(event('2'))).not.toThrow();
    expect(a.events.map((e) => e.id)).toEqual(['1', '2']);
  });

  it('flushes every sink and rejects with an AggregateError only after all settled', async () => {
    const a = recording('a');
    let slowDone = false;
    const slow: AuditSink = {
      name: 'slow',
      write() {},
      flush: () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            slowDone = true;
            resolve();
          }),
        ),
    };
    const phases: string[] = [];
    const sink = fanout([throwing, slow, a], { onError: (_error, info) => void phases.push(info.phase) });
    const failure = await sink.flush!().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((e) => (e as Error).message)).toEqual(['flush failed']);
    expect((failure as AggregateError).message).toMatch(/1 of 3 sink\(s\) failed to flush \(broken\)/);
    expect(slowDone).toBe(true);
    expect(a.calls).toEqual(['flush']);
    expect(phases).toEqual(['flush']);
  });

  it('close flushes and closes every sink, and resolves when none failed', async () => {
    const a = recording('a');
    const b = recording('b');
    await expect(fanout(a, b).close!()).resolves.toBeUndefined();
    expect(a.calls).toEqual(['flush', 'close']);
    expect(b.calls).toEqual(['flush', 'close']);
  });

  it('collects synchronous throws from close as well', async () => {
    const a = recording('a');
    const badClose: AuditSink = {
      write() {},
      close: (() => {
        throw new Error('sync close');
      }) as never,
    };
    const failure = await fanout(badClose, a).close!().catch((error: unknown) => error);
    expect((failure as AggregateError).errors).toHaveLength(1);
    expect((failure as AggregateError).message).toContain('sink[0]');
    expect(a.calls).toEqual(['flush', 'close']);
  });

  it('works as a guard sink: every decision reaches every sink and guard.close closes them', async () => {
    const a = recording('a');
    const b = recording('b');
    const writeFails: AuditSink = {
      write() {
        throw new Error('disk full');
      },
    };
    const sink = fanout(a, writeFails, b);
    const guard = createGuard({ audit: sink });
    await guard.checkInput('hello');
    await guard.close();
    expect(a.events.map((e) => e.type)).toEqual(['input-allowed']);
    expect(b.events).toHaveLength(1);
    expect(sink.stats.sinks[1]).toEqual({ sink: 'sink[1]', written: 0, failed: 1 });
    // guard.close() calls flush() then close(); fanout's close flushes again, harmlessly.
    expect(a.calls).toEqual(['flush', 'flush', 'close']);
  });

  it('a failing flush surfaces from guard.close() after every sink was flushed', async () => {
    const a = recording('a');
    const guard = createGuard({ audit: fanout(a, throwing) });
    await guard.checkInput('hello');
    await expect(guard.close()).rejects.toThrow(/failed to close/);
    expect(a.calls[0]).toBe('flush');
    // The guard still closes the fanout after its flush failed, so every sink is closed.
    expect(a.calls).toContain('close');
  });

  it('validates its arguments, naming the field', () => {
    expect(() => fanout()).toThrow(ConfigError);
    expect(() => fanout([{} as never])).toThrow(/sinks\[0\]|sinks\.0/);
    expect(() => fanout([recording()], { onError: 'log' as never })).toThrow(/onError/);
  });
});
