import type { AuditEvent, AuditSink } from '@parapet/core';
import { parseConfig } from '@parapet/core';
import { z } from 'zod';

export type FanoutPhase = 'write' | 'flush' | 'close';

export interface FanoutErrorInfo {
  /** The sink's `name`, or `sink[<index>]` when it has none. */
  readonly sink: string;
  readonly index: number;
  readonly phase: FanoutPhase;
  /** The event being written (phase `write` only). */
  readonly event?: AuditEvent;
}

export interface FanoutOptions {
  /** Called for every failure of a sink; an `onError` that throws is ignored. */
  readonly onError?: (error: unknown, info: FanoutErrorInfo) => void;
  /** Default `fanout`. */
  readonly name?: string;
}

export interface FanoutSinkStats {
  readonly sink: string;
  readonly written: number;
  readonly failed: number;
}

export interface FanoutStats {
  /** Events received by the fan-out. */
  readonly events: number;
  /** Write failures summed over sinks. */
  readonly failed: number;
  readonly sinks: readonly FanoutSinkStats[];
}

export interface FanoutAuditSink extends AuditSink {
  readonly stats: FanoutStats;
}

const sinkSchema = z.custom<AuditSink>(
  (value) => typeof value === 'object' && value !== null && typeof (value as AuditSink).write === 'function',
  'must be an audit sink: an object with a write(event) method',
);

const optionsSchema = z
  .object({
    onError: z
      .custom<NonNullable<FanoutOptions['onError']>>((value) => typeof value === 'function', 'must be a function')
      .optional(),
    name: z.string().min(1).max(100).default('fanout'),
  })
  .strict();

/**
 * One sink that writes every event to several: `fanout(jsonlSink(…), otelSink())` or
 * `fanout([jsonlSink(…), otelSink()], { onError })`. A sink that throws does not stop the others; failures
 * are counted per sink (`stats`) and reported to `onError`. `flush()` and `close()` run on every sink
 * concurrently and, once all have settled, reject with an `AggregateError` if any failed.
 */
export function fanout(...sinks: AuditSink[]): FanoutAuditSink;
export function fanout(sinks: readonly AuditSink[], options?: FanoutOptions): FanoutAuditSink;
export function fanout(...args: unknown[]): FanoutAuditSink {
  const listForm = Array.isArray(args[0]);
  const list = parseConfig(
    z.array(sinkSchema).min(1, 'give at least one sink'),
    listForm ? args[0] : args,
    'fanout() sinks',
    'sinks',
  );
  const config = parseConfig(optionsSchema, listForm ? (args[1] ?? {}) : {}, 'fanout() options');
  const names = list.map((sink, index) => sink.name ?? `sink[${index}]`);
  const written = list.map(() => 0);
  const failures = list.map(() => 0);
  let events = 0;

  const report = (error: unknown, index: number, phase: FanoutPhase, event?: AuditEvent): void => {
    if (config.onError === undefined) return;
    try {
      config.onError(error, { sink: names[index]!, index, phase, ...(event !== undefined ? { event } : {}) });
    } catch {
      // The reporter failing must not turn into the caller failing.
    }
  };

  const settle = async (phase: 'flush' | 'close'): Promise<void> => {
    const results = await Promise.allSettled(
      list.map(async (sink) => {
        // close() also flushes, as guard.close() does, so a sink without close() still loses nothing.
        await sink.flush?.();
        if (phase === 'close') await sink.close?.();
      }),
    );
    const errors: unknown[] = [];
    const failed: string[] = [];
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        errors.push(result.reason);
        failed.push(names[index]!);
        report(result.reason, index, phase);
      }
    });
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${config.name}: ${errors.length} of ${list.length} sink(s) failed to ${phase} (${failed.join(', ')}); their events may be lost. See error.errors.`,
      );
    }
  };

  return {
    name: config.name,
    write(event) {
      events++;
      for (let index = 0; index < list.length; index++) {
        try {
          list[index]!.write(event);
          written[index]!++;
        } catch (error) {
          failures[index]!++;
          report(error, index, 'write', event);
        }
      }
    },
    flush: () => settle('flush'),
    close: () => settle('close'),
    get stats() {
      let failed = 0;
      for (const count of failures) failed += count;
      return {
        events,
        failed,
        sinks: names.map((sink, index) => ({ sink, written: written[index]!, failed: failures[index]! })),
      };
    },
  };
}
