import type { AuditEvent, AuditSink } from '@parapet/core';
import { parseConfig } from '@parapet/core';
import { z } from 'zod';
import { BatchQueue, type BatchQueueOptions } from './queue.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** pino's call shape, object first: `logger.info(object, message)`. winston and bunyan-style loggers fit too. */
export type LogMethod = (object: Record<string, unknown>, message?: string) => void;
export type StructuredLogger = { readonly [level in 'info' | 'warn' | 'error']: LogMethod } & {
  readonly [level in LogLevel]?: LogMethod;
};

export interface LoggerSinkOptions {
  /** Level of ordinary decisions. Default `info`; blocks, detector failures and lost events go at `warn`, store failures at `error`. */
  readonly level?: LogLevel;
  /** Chooses the level per event, overriding the defaults above. */
  readonly levelFor?: (event: AuditEvent) => LogLevel;
  /**
   * The key the event goes under in the log line. Default `audit`. The event is nested rather than merged
   * because its `time` would collide with pino's own `time` field.
   */
  readonly key?: string;
  /**
   * Log through a batch queue instead of synchronously in the caller's `write()`: the caller pays only a
   * push (well under 2 µs), and the lines are written by a timer or a full batch (the delay is at most
   * `flushIntervalMs`). Default: synchronous, like calling the logger yourself.
   */
  readonly queue?: BatchQueueOptions | boolean;
}

export interface LoggerAuditSink extends AuditSink {
  readonly stats: { readonly logged: number; readonly failed: number };
}

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const optionsSchema = z
  .object({
    level: z.enum(levels).default('info'),
    levelFor: z
      .custom<(event: AuditEvent) => LogLevel>((value) => typeof value === 'function', 'must be a function')
      .optional(),
    key: z.string().min(1).max(100).default('audit'),
    queue: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
  })
  .strict();

const loggerSchema = z.custom<StructuredLogger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['info', 'warn', 'error'].every((level) => typeof (value as Record<string, unknown>)[level] === 'function'),
  'must be a logger with info(object, message), warn(object, message) and error(object, message), e.g. pino()',
);

function defaultLevel(event: AuditEvent, level: LogLevel): LogLevel {
  if (event.type === 'store-failed') return 'error';
  if (event.action === 'block' || event.type === 'tool-call-denied' || event.type === 'tool-call-rejected') {
    return 'warn';
  }
  if (event.errors.length > 0 || event.type === 'events-dropped' || event.type === 'tool-output-quarantined') {
    return 'warn';
  }
  return level;
}

/**
 * One structured log line per audit event, for pino or any logger with pino's `(object, message)` shape.
 * Events carry hashes, not text (unless the guard was told to include redacted text); use the logger's own
 * `redact` paths (`audit.user`, `audit.content.redacted`, …) to drop more.
 *
 * @example
 * const guard = createGuard({ input: [promptInjection()], audit: loggerSink(pino()) });
 * // {"level":40,"time":…,"audit":{"type":"input-blocked","traceId":"…",…},"msg":"parapet input-blocked"}
 */
export function loggerSink(logger: StructuredLogger, options: LoggerSinkOptions = {}): LoggerAuditSink {
  const target = parseConfig(loggerSchema, logger, 'loggerSink() logger');
  const config = parseConfig(optionsSchema, options, 'loggerSink() options');
  // Bound once: the method is looked up per level, not per event.
  const methods = new Map<LogLevel, LogMethod>();
  for (const level of levels) {
    const method = target[level];
    if (typeof method === 'function') methods.set(level, method.bind(target));
  }
  if (!methods.has(config.level)) {
    parseConfig(
      z.custom(() => false, `the logger has no ${config.level}() method; pick another level`),
      config.level,
      'loggerSink() options',
      'level',
    );
  }
  const info = methods.get('info')!;
  const levelFor = config.levelFor;
  const key = config.key;
  let logged = 0;
  let failed = 0;

  const log = (event: AuditEvent): void => {
    try {
      const level = levelFor !== undefined ? levelFor(event) : defaultLevel(event, config.level);
      const method = methods.get(level) ?? info;
      method({ [key]: event }, `parapet ${event.type}`);
      logged++;
    } catch {
      // A logger or a levelFor that throws must not break the caller; counted in stats.
      failed++;
    }
  };
  const queue =
    config.queue === undefined || config.queue === false
      ? undefined
      : new BatchQueue(
          (events) => {
            for (const event of events) log(event);
          },
          config.queue === true ? {} : (config.queue as BatchQueueOptions),
        );

  return {
    name: 'logger',
    write(event) {
      if (queue !== undefined) queue.push(event);
      else log(event);
    },
    async close() {
      queue?.close();
    },
    async flush() {
      queue?.flush();
      const flushable = target as { flush?: (callback?: (error?: Error) => void) => unknown };
      if (typeof flushable.flush !== 'function') return;
      // A flush without a callback parameter would never call one: await what it returns instead.
      if (flushable.flush.length === 0) {
        await flushable.flush();
        return;
      }
      // pino's flush takes a callback (and is a no-op for synchronous destinations).
      await new Promise<void>((resolve, reject) => {
        try {
          flushable.flush!((error) => (error ? reject(error) : resolve()));
        } catch (error) {
          reject(error);
        }
      });
    },
    get stats() {
      return { logged, failed };
    },
  };
}
