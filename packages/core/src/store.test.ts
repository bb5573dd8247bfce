import { describe, expect, it } from 'vitest';
import { rejection, thrown } from '../test/helpers.js';
import { ArgumentError, ConfigError } from './errors.js';
import { memoryStore } from './store.js';

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('memoryStore', () => {
  it('get / set / delete', async () => {
    const store = memoryStore();
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', 'v1');
    expect(await store.get('k')).toBe('v1');
    await store.set('k', 'v2');
    expect(await store.get('k')).toBe('v2');
    expect(await store.delete('k')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.delete('k')).toBe(false);
  });

  it('getMany reads several keys in order, missing and expired ones as undefined', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    await store.set('a', '1');
    await store.set('b', '2', { ttlMs: 10 });
    time.advance(10);
    expect(await store.getMany?.(['a', 'b', 'c', 'a'])).toEqual(['1', undefined, undefined, '1']);
    expect(await store.getMany?.([])).toEqual([]);
    await expect(store.getMany?.(['a', ''])).rejects.toBeInstanceOf(ArgumentError);
  });

  it('countAndRead increments a counter and reads keys in one call', async () => {
    const store = memoryStore();
    await store.set('a', 'x');
    expect(await store.countAndRead?.({ key: 'n', by: 2, ttlMs: 1_000 }, ['a', 'n', 'b'])).toEqual({
      count: 2,
      values: ['x', '2', undefined],
    });
    await expect(store.countAndRead?.(null as never, [])).rejects.toBeInstanceOf(ArgumentError);
  });

  it('set with a TTL expires the entry exactly at the deadline', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    await store.set('session:1', 'risk=3', { ttlMs: 1_000 });
    time.advance(999);
    expect(await store.get('session:1')).toBe('risk=3');
    time.advance(1);
    expect(await store.get('session:1')).toBeUndefined();
    // An expired key does not count as existing.
    expect(await store.delete('session:1')).toBe(false);
  });

  it('set without a TTL keeps the entry; a later set replaces the TTL', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    await store.set('k', 'short', { ttlMs: 10 });
    await store.set('k', 'forever');
    time.advance(1_000_000_000);
    expect(await store.get('k')).toBe('forever');
  });

  it('incr counts from 0, by 1 or by a given step, and sets the TTL when the key is created', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    expect(await store.incr('hits')).toBe(1);
    expect(await store.incr('hits')).toBe(2);
    expect(await store.incr('hits', 5)).toBe(7);
    expect(await store.incr('hits', -10)).toBe(-3);
    expect(await store.get('hits')).toBe('-3');

    expect(await store.incr('window', 1, { ttlMs: 100 })).toBe(1);
    time.advance(60);
    // A later increment does not extend the window.
    expect(await store.incr('window', 1, { ttlMs: 100 })).toBe(2);
    time.advance(40);
    expect(await store.get('window')).toBeUndefined();
    expect(await store.incr('window', 1, { ttlMs: 100 })).toBe(1);
  });

  it('incr refuses a non-integer value or step', async () => {
    const store = memoryStore();
    await store.set('name', 'alice');
    expect(await rejection(store.incr('name'))).toBeInstanceOf(ArgumentError);
    expect(await rejection(store.incr('n', 1.5))).toBeInstanceOf(ArgumentError);
    expect(await rejection(store.incr('n', Number.NaN))).toBeInstanceOf(ArgumentError);
  });

  it('compareAndSet writes only when the current value matches', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    // undefined: only if missing.
    expect(await store.compareAndSet('grant', undefined, 'v1')).toBe(true);
    expect(await store.compareAndSet('grant', undefined, 'v2')).toBe(false);
    expect(await store.get('grant')).toBe('v1');
    expect(await store.compareAndSet('grant', 'wrong', 'v2')).toBe(false);
    expect(await store.compareAndSet('grant', 'v1', 'v2')).toBe(true);
    expect(await store.get('grant')).toBe('v2');
    // Expecting a value on a missing key fails.
    expect(await store.compareAndSet('missing', 'v1', 'x')).toBe(false);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('compareAndSet honours TTLs: an expired key counts as missing, and a TTL can be set', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    await store.set('lock', 'owner-a', { ttlMs: 50 });
    expect(await store.compareAndSet('lock', undefined, 'owner-b', { ttlMs: 50 })).toBe(false);
    time.advance(50);
    expect(await store.compareAndSet('lock', 'owner-a', 'owner-c')).toBe(false);
    expect(await store.compareAndSet('lock', undefined, 'owner-b', { ttlMs: 50 })).toBe(true);
    time.advance(49);
    expect(await store.get('lock')).toBe('owner-b');
    time.advance(1);
    expect(await store.get('lock')).toBeUndefined();
  });

  it.each([
    ['an empty key', ''],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { key: 'k' }],
  ])('rejects %s as a key in every method', async (_label, key) => {
    const store = memoryStore();
    const calls = [
      () => store.get(key as never),
      () => store.set(key as never, 'v'),
      () => store.incr(key as never),
      () => store.compareAndSet(key as never, undefined, 'v'),
      () => store.delete(key as never),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).code).toBe('ARGUMENT_INVALID');
      expect((error as Error).message).toContain('key');
    }
  });

  it.each([
    ['zero', 0],
    ['a negative number', -5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '100'],
  ])('rejects %s as ttlMs', async (_label, ttlMs) => {
    const store = memoryStore();
    const options = { ttlMs: ttlMs as never };
    for (const call of [
      () => store.set('k', 'v', options),
      () => store.incr('k', 1, options),
      () => store.compareAndSet('k', undefined, 'v', options),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as Error).message).toContain('ttlMs');
    }
  });

  it('rejects a non-string value in set', async () => {
    const store = memoryStore();
    expect(await rejection(store.set('k', 42 as never))).toBeInstanceOf(ArgumentError);
    expect(await rejection(store.set('k', { a: 1 } as never))).toBeInstanceOf(ArgumentError);
  });

  it('evicts the oldest entries past maxEntries', async () => {
    const store = memoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await store.set(key, key);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBe('b');
    expect(await store.get('d')).toBe('d');
    // Rewriting a key makes it the newest.
    await store.set('b', 'b2');
    await store.set('e', 'e');
    expect(await store.get('c')).toBeUndefined();
    expect(await store.get('b')).toBe('b2');
  });

  it('keeps many independent keys', async () => {
    const store = memoryStore();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.incr(`counter:${i % 10}`)));
    for (let i = 0; i < 10; i++) expect(await store.get(`counter:${i}`)).toBe('100');
  });

  it('close() clears the entries', async () => {
    const store = memoryStore();
    await store.set('k', 'v');
    await store.close?.();
    expect(await store.get('k')).toBeUndefined();
  });

  it('rejects bad options with a ConfigError', () => {
    expect(thrown(() => memoryStore({ maxEntries: 0 }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => memoryStore({ now: 5 as never }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => memoryStore({ ttl: 5 } as never))).toBeInstanceOf(ConfigError);
  });
});
