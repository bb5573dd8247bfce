import { ArgumentError, memoryStore } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { applyOperator, PlaceholderNumbers } from './operators.js';
import { createVault, decryptValue, encryptValue, hmacValue, placeholderLabel } from './vault.js';

const KEY = 'a'.repeat(64);

describe('operators', () => {
  const numbers = () => new PlaceholderNumbers();
  it('redact, mask, placeholder, hash, encrypt, keep, custom', () => {
    expect(applyOperator({ type: 'redact' }, 'x@y.io', 'EMAIL_ADDRESS', numbers())).toBe('[REDACTED]');
    expect(applyOperator({ type: 'redact', with: '***' }, 'x@y.io', 'EMAIL_ADDRESS', numbers())).toBe('***');
    expect(applyOperator({ type: 'mask' }, '4111 1111 1111 1111', 'CREDIT_CARD', numbers())).toBe(
      '**** **** **** 1111',
    );
    expect(applyOperator({ type: 'mask', char: '#', keepFirst: 2, keepLast: 0 }, 'AB123', 'X', numbers())).toBe(
      'AB###',
    );
    const counter = numbers();
    expect(applyOperator({ type: 'placeholder' }, 'a@b.io', 'EMAIL_ADDRESS', counter)).toBe('<EMAIL_1>');
    expect(applyOperator({ type: 'placeholder' }, 'c@d.io', 'EMAIL_ADDRESS', counter)).toBe('<EMAIL_2>');
    expect(applyOperator({ type: 'placeholder' }, 'a@b.io', 'EMAIL_ADDRESS', counter)).toBe('<EMAIL_1>');
    const hashed = applyOperator({ type: 'hash', key: 'k'.repeat(16) }, 'a@b.io', 'EMAIL_ADDRESS', numbers());
    expect(hashed).toBe(`<EMAIL_ADDRESS:${hmacValue('a@b.io', 'k'.repeat(16)).slice(0, 16)}>`);
    expect(applyOperator({ type: 'hash', key: 'other-key-123456' }, 'a@b.io', 'EMAIL_ADDRESS', numbers())).not.toBe(
      hashed,
    );
    const sealed = applyOperator({ type: 'encrypt', key: KEY }, 'a@b.io', 'EMAIL_ADDRESS', numbers()) as string;
    expect(sealed).toMatch(/^<enc:[A-Za-z0-9_-]+>$/);
    expect(decryptValue(sealed.slice(5, -1), KEY)).toBe('a@b.io');
    expect(applyOperator({ type: 'keep' }, 'a@b.io', 'EMAIL_ADDRESS', numbers())).toBeUndefined();
    expect(
      applyOperator(
        { type: 'custom', fn: (value, entity) => `${entity}:${value.length}` },
        'a@b.io',
        'EMAIL_ADDRESS',
        numbers(),
      ),
    ).toBe('EMAIL_ADDRESS:6');
  });

  it('encryption is randomized, authenticated and refuses a wrong key', () => {
    const first = encryptValue('secret', KEY);
    expect(encryptValue('secret', KEY)).not.toBe(first);
    expect(() => decryptValue(first, 'b'.repeat(64))).toThrow(ArgumentError);
    const tampered = `${first.slice(0, -2)}${first.endsWith('AA') ? 'AB' : 'AA'}`;
    expect(() => decryptValue(tampered, KEY)).toThrow(ArgumentError);
  });

  it('uses short labels for long entity names', () => {
    expect(placeholderLabel('EMAIL_ADDRESS')).toBe('EMAIL');
    expect(placeholderLabel('PHONE_NUMBER')).toBe('PHONE');
    expect(placeholderLabel('UK_NINO')).toBe('UK_NINO');
  });
});

describe('createVault', () => {
  it('gives each value one placeholder, numbered per label, and resolves it back', () => {
    const vault = createVault();
    expect(vault.placeholder('EMAIL_ADDRESS', 'a@b.io')).toBe('<EMAIL_1>');
    expect(vault.placeholder('PHONE_NUMBER', '+44 20 7946 0958')).toBe('<PHONE_1>');
    expect(vault.placeholder('EMAIL_ADDRESS', 'c@d.io')).toBe('<EMAIL_2>');
    expect(vault.placeholder('EMAIL_ADDRESS', 'a@b.io')).toBe('<EMAIL_1>');
    expect(vault.resolve('<EMAIL_2>')).toBe('c@d.io');
    expect(vault.resolve('<EMAIL_9>')).toBeUndefined();
    vault.clear();
    expect(vault.resolve('<EMAIL_1>')).toBeUndefined();
  });

  it('on a store: shared between vault objects with the same id and key, encrypted at rest', async () => {
    const store = memoryStore();
    const writes: string[] = [];
    const spy = {
      ...store,
      set: async (key: string, value: string, options?: { ttlMs?: number }) => {
        writes.push(`${key}=${value}`);
        return store.set(key, value, options);
      },
    };
    const a = createVault({ id: 'conversation-1', store: spy, key: KEY });
    const b = createVault({ id: 'conversation-1', store: spy, key: KEY });
    const placeholder = await a.placeholder('EMAIL_ADDRESS', 'jane@example.org');
    expect(placeholder).toBe('<EMAIL_1>');
    expect(await b.placeholder('EMAIL_ADDRESS', 'jane@example.org')).toBe('<EMAIL_1>');
    expect(await b.resolve('<EMAIL_1>')).toBe('jane@example.org');
    expect(writes.join('\n')).not.toContain('jane@example.org');
    // After clear(), numbering starts again without ever resolving to an old value.
    await a.clear();
    expect(await b.resolve('<EMAIL_1>')).toBeUndefined();
    expect(await b.placeholder('EMAIL_ADDRESS', 'bob@example.org')).toBe('<EMAIL_1>');
    expect(await a.resolve('<EMAIL_1>')).toBe('bob@example.org');
    expect(await a.placeholder('EMAIL_ADDRESS', 'jane@example.org')).toBe('<EMAIL_2>');
    const other = createVault({ id: 'conversation-1', store: spy, key: 'c'.repeat(64) });
    await expect(other.resolve('<EMAIL_2>')).rejects.toThrow(ArgumentError);
  });

  it('validates its options', () => {
    expect(() => createVault({ store: memoryStore() })).toThrow(/needs an id .* and a key/);
    expect(() => createVault({ id: 'x', store: memoryStore(), key: 'short' })).toThrow(/64 hex/);
  });
});
