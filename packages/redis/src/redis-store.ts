import { ArgumentError, parseConfig, type Store, StoreError, type StoreWriteOptions } from '@parapet/core';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';

/**
 * The core `Store` on Redis (or a Redis-compatible server such as Valkey), so that rate limits, budgets,
 * grants, revocations, taint, session risk and PII vault entries hold across every instance of an
 * application. Counters and compare-and-set run as Lua scripts (atomic on the server); reads of several
 * keys are one MGET; with auto-pipelining, concurrent calls share round trips.
 *
 * Failure behaviour: every command is bounded by `timeoutMs`; a command that fails (server down, slow,
 * unreachable) rejects with a `StoreError` that says so, and the caller's fail mode decides (tool policies
 * and detectors fail closed by default). The client reconnects on its own: when Redis comes back, the next
 * calls succeed without restarting the application.
 */

const optionsSchema = z
  .object({
    /** `redis://[:password@]host:port[/db]` or `rediss://…`. Ignored when `client` is given. */
    url: z.string().min(1).optional(),
    /** An existing ioredis client (yours to close, unless `closeClient: true`). */
    client: z
      .custom<Redis>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { get?: unknown }).get === 'function' &&
          typeof (value as { defineCommand?: unknown }).defineCommand === 'function',
        'must be an ioredis client (new Redis(...))',
      )
      .optional(),
    /** Prepended to every key, so several applications can share one server. */
    prefix: z.string().max(200).default('parapet:'),
    /** Bound on each command, in ms: past it the command fails and the caller's fail mode applies. */
    timeoutMs: z.number().int().min(1).max(60_000).default(500),
    /** Bound on establishing a connection, in ms. */
    connectTimeoutMs: z.number().int().min(1).max(60_000).default(2_000),
    /** Concurrent commands share round trips (ioredis auto-pipelining). */
    autoPipelining: z.boolean().default(true),
    /** Close the client on `close()` even when it was given. Default: only a client this store created. */
    closeClient: z.boolean().optional(),
    /** Told about connection errors (the store keeps reconnecting); default: ignore, commands report them. */
    onError: z.custom<(error: Error) => void>((value) => typeof value === 'function', 'must be a function').optional(),
  })
  .strict()
  .refine((value) => value.url !== undefined || value.client !== undefined, {
    message: 'give url (for example process.env.REDIS_URL) or client (an ioredis client)',
    path: ['url'],
  });

export type RedisStoreOptions = z.input<typeof optionsSchema>;

export interface RedisStore extends Store {
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  countAndRead(
    counter: { readonly key: string; readonly by: number; readonly ttlMs?: number },
    keys: readonly string[],
  ): Promise<{ count: number; values: (string | undefined)[] }>;
  /** The ioredis client (for health checks or your own commands). */
  readonly client: Redis;
  close(): Promise<void>;
  /** The connection status as ioredis reports it (`ready`, `connecting`, `reconnecting`, `end`, …). */
  status(): string;
  /** The last connection error, if the connection is not healthy. */
  lastError(): Error | undefined;
}

// Set the TTL only when this increment created the key: a counter's window starts with its first call.
const INCR_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if existed == 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return value`;

// KEYS[1]: the counter, KEYS[2..]: keys to read. ARGV: by, ttl (0: none). One round trip for a rate-limited check.
const COUNT_AND_READ_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if existed == 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
local values = {}
for index = 2, #KEYS do values[index - 1] = redis.call('GET', KEYS[index]) end
return {count, values}`;

// ARGV: expectMissing ('1' or '0'), expected, value, ttl (0: none)
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[3]) end
return 1`;

type ScriptedRedis = Redis & {
  parapetIncr(key: string, by: string, ttl: string): Promise<number>;
  parapetCas(key: string, expectMissing: string, expected: string, value: string, ttl: string): Promise<number>;
  parapetCountAndRead(numberOfKeys: number, ...args: string[]): Promise<[number, (string | null)[]]>;
};

function checkKey(key: unknown, method: string): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ArgumentError({
      message: `Store.${method}: key must be a non-empty string (got ${typeof key}). Use a stable prefix such as "ratelimit:tool:user".`,
    });
  }
}

function ttlOf(options: StoreWriteOptions | undefined, method: string): number {
  const ttl = options?.ttlMs;
  if (ttl === undefined) return 0;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new ArgumentError({ message: `Store.${method}: options.ttlMs must be a positive number of milliseconds.` });
  }
  // Redis counts whole milliseconds; round up so an entry never lives shorter than asked.
  return Math.ceil(ttl);
}

function where(options: z.output<typeof optionsSchema>): string {
  if (options.url === undefined) return 'the given client';
  try {
    const url = new URL(options.url);
    return `${url.hostname}:${url.port || '6379'}`;
  } catch {
    return 'the configured URL';
  }
}

/** Creates the store. It connects at once and reconnects by itself; `close()` releases the connection. */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const config = parseConfig(optionsSchema, options, 'redisStore() options');
  const ownsClient = config.client === undefined;
  const clientOptions: RedisOptions = {
    commandTimeout: config.timeoutMs,
    connectTimeout: config.connectTimeoutMs,
    enableAutoPipelining: config.autoPipelining,
    // Fail a command after one reconnection attempt instead of holding it for seconds: the caller's fail
    // mode answers now, and the client keeps reconnecting in the background.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 1_000),
  };
  const client = (config.client ?? new Redis(config.url as string, clientOptions)) as ScriptedRedis;
  const location = where(config);
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
    config.onError?.(error);
  });
  client.on('ready', () => {
    lastError = undefined;
  });
  if (typeof client.parapetIncr !== 'function') {
    client.defineCommand('parapetIncr', { numberOfKeys: 1, lua: INCR_SCRIPT });
    client.defineCommand('parapetCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
    // Without numberOfKeys, the first argument says how many keys follow.
    client.defineCommand('parapetCountAndRead', { lua: COUNT_AND_READ_SCRIPT });
  }
  const prefix = config.prefix;

  const failed = (method: string, error: unknown): ArgumentError | StoreError => {
    const reason = error instanceof Error ? error.message : String(error);
    if (/not an integer/i.test(reason)) {
      return new ArgumentError({
        message: `Store.${method}: the key holds a non-integer value; use a separate key for counters.`,
        cause: error,
      });
    }
    return new StoreError({
      message: `Redis store: ${method} failed at ${location} (${reason}). Check that Redis is reachable; the caller's fail mode applies (tool policies fail closed by default).`,
      cause: error,
    });
  };
  const run = async <T>(method: string, command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw failed(method, error);
    }
  };

  return {
    client,
    status: () => client.status,
    lastError: () => lastError,
    async get(key) {
      checkKey(key, 'get');
      const value = await run('get', () => client.get(prefix + key));
      return value ?? undefined;
    },
    async getMany(keys) {
      if (!Array.isArray(keys))
        throw new ArgumentError({ message: 'Store.getMany: keys must be an array of strings.' });
      if (keys.length === 0) return [];
      const full = keys.map((key) => {
        checkKey(key, 'getMany');
        return prefix + key;
      });
      const values = await run('getMany', () => client.mget(full));
      return values.map((value) => value ?? undefined);
    },
    async countAndRead(counter, keys) {
      if (counter === null || typeof counter !== 'object') {
        throw new ArgumentError({ message: 'Store.countAndRead: counter must be { key, by, ttlMs? }.' });
      }
      checkKey(counter.key, 'countAndRead');
      if (!Number.isSafeInteger(counter.by))
        throw new ArgumentError({ message: 'Store.countAndRead: by must be a safe integer.' });
      if (!Array.isArray(keys))
        throw new ArgumentError({ message: 'Store.countAndRead: keys must be an array of strings.' });
      const ttl = ttlOf(counter.ttlMs === undefined ? undefined : { ttlMs: counter.ttlMs }, 'countAndRead');
      const full = keys.map((key) => {
        checkKey(key, 'countAndRead');
        return prefix + key;
      });
      const [count, values] = await run('countAndRead', () =>
        client.parapetCountAndRead(full.length + 1, prefix + counter.key, ...full, String(counter.by), String(ttl)),
      );
      const out: (string | undefined)[] = new Array(keys.length);
      for (let index = 0; index < keys.length; index++) out[index] = values[index] ?? undefined;
      return { count: Number(count), values: out };
    },
    async set(key, value, writeOptions) {
      checkKey(key, 'set');
      if (typeof value !== 'string') {
        throw new ArgumentError({
          message: 'Store.set: value must be a string (serialize objects with JSON.stringify).',
        });
      }
      const ttl = ttlOf(writeOptions, 'set');
      await run('set', () => (ttl > 0 ? client.set(prefix + key, value, 'PX', ttl) : client.set(prefix + key, value)));
    },
    async incr(key, by = 1, writeOptions) {
      checkKey(key, 'incr');
      if (!Number.isSafeInteger(by)) throw new ArgumentError({ message: 'Store.incr: by must be a safe integer.' });
      const ttl = ttlOf(writeOptions, 'incr');
      return Number(await run('incr', () => client.parapetIncr(prefix + key, String(by), String(ttl))));
    },
    async compareAndSet(key, expected, value, writeOptions) {
      checkKey(key, 'compareAndSet');
      if (typeof value !== 'string') {
        throw new ArgumentError({
          message: 'Store.compareAndSet: value must be a string (serialize objects with JSON.stringify).',
        });
      }
      if (expected !== undefined && typeof expected !== 'string') {
        throw new ArgumentError({
          message: 'Store.compareAndSet: expected must be a string, or undefined for "only if missing".',
        });
      }
      const ttl = ttlOf(writeOptions, 'compareAndSet');
      const written = await run('compareAndSet', () =>
        client.parapetCas(prefix + key, expected === undefined ? '1' : '0', expected ?? '', value, String(ttl)),
      );
      return Number(written) === 1;
    },
    async delete(key) {
      checkKey(key, 'delete');
      return (await run('delete', () => client.del(prefix + key))) > 0;
    },
    async close() {
      if (!ownsClient && config.closeClient !== true) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
