import { ArgumentError, ConfigError, createGuard, defineDetector, StoreError } from '@parapet/core';
import { sessionRisk } from '@parapet/detectors';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisProcess, startRedis } from '../test/redis-server.js';
import { type RedisStore, redisStore } from './redis-store.js';

/** The Store contract, against a real redis-server started for this file. */
describe('redisStore', () => {
  let redis: RedisProcess;
  let store: RedisStore;
  beforeAll(async () => {
    redis = await startRedis();
    store = redisStore({ url: redis.url, prefix: 'test:' });
  });
  afterAll(async () => {
    await store.close();
    await redis.stop();
  });

  it('get / set / delete, under the prefix', async () => {
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', 'v1');
    expect(await store.get('k')).toBe('v1');
    expect(await store.client.get('test:k')).toBe('v1');
    await store.set('k', 'v2');
    expect(await store.get('k')).toBe('v2');
    expect(await store.delete('k')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.delete('k')).toBe(false);
  });

  it('set with a TTL: the server expires the entry', async () => {
    await store.set('short', 'x', { ttlMs: 40 });
    const ttl = await store.client.pttl('test:short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(40);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('short')).toBeUndefined();
  });

  it('getMany: one MGET, missing keys as undefined, in order', async () => {
    await store.set('a', '1');
    await store.set('b', '2');
    expect(await store.getMany(['a', 'missing', 'b', 'a'])).toEqual(['1', undefined, '2', '1']);
    expect(await store.getMany([])).toEqual([]);
  });

  it('incr: counts from 0, by a step, sets the TTL only when it creates the key', async () => {
    expect(await store.incr('n')).toBe(1);
    expect(await store.incr('n', 5)).toBe(6);
    expect(await store.incr('n', -2)).toBe(4);
    expect(await store.client.pttl('test:n')).toBe(-1);
    expect(await store.incr('w', 1, { ttlMs: 60_000 })).toBe(1);
    const first = await store.client.pttl('test:w');
    expect(first).toBeGreaterThan(59_000);
    await store.client.pexpire('test:w', 30_000);
    expect(await store.incr('w', 1, { ttlMs: 60_000 })).toBe(2);
    // A later increment does not push the window's end back.
    expect(await store.client.pttl('test:w')).toBeLessThanOrEqual(30_000);
  });

  it('countAndRead: increments and reads in one script, TTL on creation, missing keys as undefined', async () => {
    await store.set('r1', 'one');
    const first = await store.countAndRead({ key: 'slot', by: 1, ttlMs: 60_000 }, ['r1', 'nothing', 'slot']);
    expect(first).toEqual({ count: 1, values: ['one', undefined, '1'] });
    expect(await store.client.pttl('test:slot')).toBeGreaterThan(59_000);
    const second = await store.countAndRead({ key: 'slot', by: 2 }, []);
    expect(second).toEqual({ count: 3, values: [] });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.countAndRead({ key: 'slots', by: 1, ttlMs: 60_000 }, ['r1'])),
    );
    expect(new Set(results.map((result) => result.count)).size).toBe(100);
    await expect(store.countAndRead({ key: '', by: 1 }, [])).rejects.toBeInstanceOf(ArgumentError);
  });

  it('incr is atomic: 500 concurrent increments from two clients count 500', async () => {
    const other = redisStore({ url: redis.url, prefix: 'test:' });
    await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        (index % 2 === 0 ? store : other).incr('concurrent', 1, { ttlMs: 60_000 }),
      ),
    );
    expect(await store.get('concurrent')).toBe('500');
    await other.close();
  });

  it('incr refuses a non-integer value with an ArgumentError', async () => {
    await store.set('text', 'hello');
    await expect(store.incr('text')).rejects.toBeInstanceOf(ArgumentError);
    await expect(store.incr('n', 1.5)).rejects.toBeInstanceOf(ArgumentError);
  });

  it('compareAndSet: writes only on a match, honours "only if missing" and TTLs; concurrent writers, one winner', async () => {
    expect(await store.compareAndSet('cas', undefined, 'a')).toBe(true);
    expect(await store.compareAndSet('cas', undefined, 'b')).toBe(false);
    expect(await store.compareAndSet('cas', 'x', 'b')).toBe(false);
    expect(await store.compareAndSet('cas', 'a', 'b', { ttlMs: 60_000 })).toBe(true);
    expect(await store.get('cas')).toBe('b');
    expect(await store.client.pttl('test:cas')).toBeGreaterThan(59_000);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.compareAndSet('race', undefined, `writer-${index}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('validates arguments and options with clear errors', async () => {
    await expect(store.get('')).rejects.toBeInstanceOf(ArgumentError);
    await expect(store.set('k', 42 as never)).rejects.toBeInstanceOf(ArgumentError);
    await expect(store.set('k', 'v', { ttlMs: -1 })).rejects.toBeInstanceOf(ArgumentError);
    expect(() => redisStore({} as never)).toThrow(ConfigError);
    expect(() => redisStore({ url: redis.url, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it("a session's risk accumulates across two instances, each with its own connection", async () => {
    const suspicious = defineDetector({
      id: 'suspicious',
      stages: ['input'],
      detect: (text) =>
        text.includes('override') ? [{ category: 'probe', score: 0.6, severity: 'medium', message: 'probe' }] : [],
    });
    const instance = () => {
      const own = redisStore({ url: redis.url, prefix: 'risk:' });
      const guard = createGuard({
        input: [sessionRisk({ detectors: [suspicious], threshold: 1.5, halfLife: '10m' })],
        store: own,
      });
      return { own, guard };
    };
    const a = instance();
    const b = instance();
    const risk = async (guard: typeof a.guard, text: string) =>
      (await guard.checkInput(text, { session: 'chat-3' })).findings.find((f) => f.category === 'session-risk');
    expect(await risk(a.guard, 'try an override')).toBeUndefined();
    await risk(b.guard, 'another override');
    const third = await risk(a.guard, 'override again');
    expect(third?.score).toBe(1);
    expect(third?.data?.turns).toBe(3);
    // Each instance alone would not get there: a session seen once stays below the threshold.
    expect((await b.guard.checkInput('one override', { session: 'chat-4' })).findings).toEqual([]);
    await Promise.all([a.guard.close(), b.guard.close(), a.own.close(), b.own.close()]);
  });

  it('works on a client the application already has, and leaves it open', async () => {
    const client = new Redis(redis.url);
    const shared = redisStore({ client, prefix: 'app2:' });
    await shared.set('k', 'v');
    expect(await client.get('app2:k')).toBe('v');
    await shared.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('reports an unreachable server as a StoreError within the timeout', async () => {
    const nowhere = redisStore({ url: 'redis://127.0.0.1:1', timeoutMs: 200, connectTimeoutMs: 200 });
    const error = await nowhere.get('k').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).toContain('fail mode');
    await nowhere.close();
  });
});
