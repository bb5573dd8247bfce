import { ArgumentError } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { alnumOf, base58Check, bech32, digitsOf, entropy, luhn, mod97, verhoeff } from './index.js';

describe('the exported checksum helpers', () => {
  const helpers = { alnumOf, base58Check, bech32, digitsOf, entropy, luhn, mod97, verhoeff } as Record<
    string,
    (value: unknown) => unknown
  >;

  it('answer on valid input', () => {
    expect(luhn('4539 1488 0343 6467')).toBe(true);
    expect(luhn('4539 1488 0343 6468')).toBe(false);
    // An IBAN moved to the end and read mod 97 leaves 1.
    const iban = 'GB82WEST12345698765432';
    expect(mod97(`${iban.slice(4)}${iban.slice(0, 4)}`)).toBe(1);
    expect(verhoeff('2363')).toBe(true);
    expect(base58Check('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe(true);
    expect(bech32('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe(true);
    expect(digitsOf('a1-b2')).toBe('12');
    expect(alnumOf('a1-b2')).toBe('A1B2');
    expect(entropy('ab')).toBe(1);
  });

  it('throw an ArgumentError naming the helper for anything but a string', () => {
    for (const [name, helper] of Object.entries(helpers)) {
      for (const bad of [42, null, undefined, ['4539'], { value: 'x' }]) {
        expect(() => helper(bad), `${name}(${String(bad)})`).toThrow(ArgumentError);
        expect(() => helper(bad)).toThrow(new RegExp(`^${name}\\(value\\): value must be a string`));
      }
    }
  });
});
