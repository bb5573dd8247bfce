import { z } from 'zod';
import { ArgumentError } from './errors.js';
import { parseConfig } from './validate.js';

export interface StoreWriteOptions {
  /** Time to live in milliseconds; the entry disappears after it. Omit to keep the entry. */
  readonly ttlMs?: number;
}

/**
 * Shared state: rate limits, session risk, grants, revocations, vault entries. Every method is async so the
 * same code runs on the in-memory store and on a distributed one (see `@parapet/redis`). Values are strings;
 * counters are integers stored under their own keys.
 */
export interface Store {
  get(key: string): Promise<string | undefined>;
  /** Reads several keys in one round trip (Redis: MGET). Optional: callers fall back to `get` per key. */
  getMany?(keys: readonly string[]): Promise<(string | undefined)[]>;
  /**
   * Increments a counter (as `incr`) and reads several keys, in one atomic round trip: a rate-limited tool
   * check takes its slot and reads its grant, revocations and taint at once. Optional: callers fall back
   * to `incr` and `getMany`.
   */
  countAndRead?(
    counter: { readonly key: string; readonly by: number; readonly ttlMs?: number },
    keys: readonly string[],
  ): Promise<{ count: number; values: (string | undefined)[] }>;
  set(key: string, value: string, options?: StoreWriteOptions): Promise<void>;
  /** Adds `by` (default 1) to the integer at `key` (missing counts as 0) and returns the new value. The TTL is set when the key is created. */
  incr(key: string, by?: number, options?: StoreWriteOptions): Promise<number>;
  /** Writes `value` only if the current value equals `expected` (`undefined`: only if missing). Returns whether it wrote. */
  compareAndSet(
    key: string,
    expected: string | undefined,
    value: string,
    options?: StoreWriteOptions,
  ): Promise<boolean>;
  /** Removes the key; returns whether it existed. */
  delete(key: string): Promise<boolean>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

const memoryStoreOptionsSchema = z
  .object({
    /** Entries kept at most; the oldest are evicted past it. */
    maxEntries: z.number().int().positive().default(100_000),
    /** Clock, for tests. */
    now: z
      .custom<() => number>((value) => typeof value === 'function', 'must be a function returning epoch milliseconds')
      .optional(),
  })
  .strict();

export type MemoryStoreOptions = z.input<typeof memoryStoreOptionsSchema>;

interface Entry {
  value: string;
  expiresAt: number;
}

function checkKey(key: unknown, method: string): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ArgumentError({
      message: `Store.${method}: key must be a non-empty string (got ${typeof key}). Use a stable prefix such as "ratelimit:tool:user".`,
    });
  }
}

function checkTtl(options: StoreWriteOptions | undefined, method: string): number | undefined {
  const ttl = options?.ttlMs;
  if (ttl === undefined) return undefined;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new ArgumentError({ message: `Store.${method}: options.ttlMs must be a positive number of milliseconds.` });
  }
  return ttl;
}

/** An in-process Store with TTLs, for one instance. Use `@parapet/redis` to share state across instances. */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const config = parseConfig(memoryStoreOptionsSchema, options, 'memoryStore() options');
  const now = config.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let writes = 0;

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = (): void => {
    // Amortized: a full pass every 4096 writes, plus eviction of the oldest entries over the cap.
    if (++writes % 4096 === 0) {
      const at = now();
      for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
    }
    while (entries.size > config.maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
  };

  const write = (key: string, value: string, ttl: number | undefined): void => {
    entries.delete(key);
    entries.set(key, { value, expiresAt: ttl === undefined ? Number.POSITIVE_INFINITY : now() + ttl });
    sweep();
  };

  const store: Store = {
    async get(key) {
      checkKey(key, 'get');
      return live(key)?.value;
    },
    async getMany(keys) {
      if (!Array.isArray(keys))
        throw new ArgumentError({ message: 'Store.getMany: keys must be an array of strings.' });
      const values: (string | undefined)[] = new Array(keys.length);
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index];
        checkKey(key, 'getMany');
        values[index] = live(key)?.value;
      }
      return values;
    },
    async countAndRead(counter, keys) {
      if (counter === null || typeof counter !== 'object') {
        throw new ArgumentError({ message: 'Store.countAndRead: counter must be { key, by, ttlMs? }.' });
      }
      const count = await store.incr(
        counter.key,
        counter.by,
        counter.ttlMs === undefined ? undefined : { ttlMs: counter.ttlMs },
      );
      const values = await (store.getMany as NonNullable<Store['getMany']>)(keys);
      return { count, values };
    },
    async set(key, value, writeOptions) {
      checkKey(key, 'set');
      if (typeof value !== 'string')
        throw new ArgumentError({
          message: 'Store.set: value must be a string (serialize objects with JSON.stringify).',
        });
      write(key, value, checkTtl(writeOptions, 'set'));
    },
    async incr(key, by = 1, writeOptions) {
      checkKey(key, 'incr');
      if (!Number.isSafeInteger(by)) throw new ArgumentError({ message: 'Store.incr: by must be a safe integer.' });
      const ttl = checkTtl(writeOptions, 'incr');
      const entry = live(key);
      if (entry === undefined) {
        write(key, String(by), ttl);
        return by;
      }
      const current = Number(entry.value);
      if (!Number.isSafeInteger(current)) {
        throw new ArgumentError({
          message: 'Store.incr: the key holds a non-integer value; use a separate key for counters.',
        });
      }
      entry.value = String(current + by);
      return current + by;
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
      const ttl = checkTtl(writeOptions, 'compareAndSet');
      const entry = live(key);
      if ((entry === undefined && expected !== undefined) || (entry !== undefined && entry.value !== expected))
        return false;
      write(key, value, ttl);
      return true;
    },
    async delete(key) {
      checkKey(key, 'delete');
      const existed = live(key) !== undefined;
      entries.delete(key);
      return existed;
    },
    async close() {
      entries.clear();
    },
  };
  return store;
}
