import { createHash } from 'node:crypto';
import { ArgumentError } from '@parapet/core';

/**
 * The helpers below are exported from `@parapet/pii` (for custom recognizers' validators); a value that is
 * not a string gets an ArgumentError naming the helper, not a TypeError from deep inside it.
 */
function requireString(helper: string, value: unknown): void {
  if (typeof value !== 'string') {
    throw new ArgumentError({
      message: `${helper}(value): value must be a string (got ${value === null ? 'null' : typeof value}); pass the text of the candidate, e.g. String(value).`,
    });
  }
}

/** Keeps only ASCII digits. */
export function digitsOf(value: string): string {
  requireString('digitsOf', value);
  return value.replace(/[^0-9]/g, '');
}

/** Keeps only ASCII letters and digits, upper-cased. */
export function alnumOf(value: string): string {
  requireString('alnumOf', value);
  return value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/** Luhn (mod 10) over the digits of `value` (separators ignored). */
export function luhn(value: string): boolean {
  requireString('luhn', value);
  const digits = digitsOf(value);
  if (digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 7064 mod 97-10 remainder of a string of digits and letters (A=10 … Z=35), computed in chunks. */
export function mod97(value: string): number {
  requireString('mod97', value);
  let remainder = 0;
  for (const char of value.toUpperCase()) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

/** Weighted sum of digits, for the many national ids defined as "sum of digit × weight, mod m". */
export function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length && i < digits.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return sum;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Verhoeff check (Aadhaar). */
export function verhoeff(value: string): boolean {
  requireString('verhoeff', value);
  const digits = digitsOf(value);
  let check = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    check = VERHOEFF_D[check]![VERHOEFF_P[i % 8]![digit]!]!;
  }
  return digits.length > 0 && check === 0;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58Check (Bitcoin legacy and P2SH addresses): the last 4 bytes are the double SHA-256 of the rest. */
export function base58Check(value: string): boolean {
  requireString('base58Check', value);
  let bytes: number[] = [0];
  for (const char of value) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) return false;
    let carry = digit;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const char of value) {
    if (char !== '1') break;
    bytes.push(0);
  }
  bytes = bytes.reverse();
  if (bytes.length < 5) return false;
  const payload = Buffer.from(bytes.slice(0, -4));
  const checksum = bytes.slice(-4);
  const hash = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return checksum.every((byte, index) => hash[index] === byte);
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: readonly number[]): number {
  const generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= generator[i]!;
  }
  return checksum >>> 0;
}

/** Bech32 / Bech32m checksum (SegWit addresses, `bc1…`). */
export function bech32(value: string): boolean {
  requireString('bech32', value);
  const lower = value.toLowerCase();
  if (lower !== value && value.toUpperCase() !== value) return false;
  const separator = lower.lastIndexOf('1');
  if (separator < 1 || separator + 7 > lower.length || lower.length > 90) return false;
  const prefix = lower.slice(0, separator);
  const data: number[] = [];
  for (const char of lower.slice(separator + 1)) {
    const index = BECH32_CHARSET.indexOf(char);
    if (index < 0) return false;
    data.push(index);
  }
  const expanded: number[] = [];
  for (const char of prefix) expanded.push(char.charCodeAt(0) >> 5);
  expanded.push(0);
  for (const char of prefix) expanded.push(char.charCodeAt(0) & 31);
  const polymod = bech32Polymod([...expanded, ...data]);
  return polymod === 1 || polymod === 0x2bc830a3;
}

/** Per ASCII code, how often it occurs in the value `entropy` is reading (zeroed again before it returns). */
const ASCII_COUNTS = new Int32Array(128);

/**
 * Shannon entropy in bits per character (per code point). Secret validators call it on every candidate
 * token, so ASCII values, nearly all of them, are counted in a shared array instead of a map of strings.
 */
export function entropy(value: string): number {
  requireString('entropy', value);
  const length = value.length;
  if (length === 0) return 0;
  let ascii = true;
  for (let i = 0; i < length; i++) {
    if (value.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return entropyOfCodePoints(value);
  for (let i = 0; i < length; i++) ASCII_COUNTS[value.charCodeAt(i)]!++;
  let bits = 0;
  // Distinct characters are visited in the order they first occur, like the map below, so the sum is
  // taken in the same order and the result is the same number to the last bit.
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    const count = ASCII_COUNTS[code]!;
    if (count === 0) continue;
    ASCII_COUNTS[code] = 0;
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * The same sum for values with characters beyond ASCII: code points counted in a map. This is the
 * definition; `entropy`'s ASCII path is checked against it (`secrets/shared.test.ts`).
 */
export function entropyOfCodePoints(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** ISO 7064 MOD 11,10 over a string of digits whose last digit is the check digit (German tax id, German VAT id). */
export function mod11_10(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let product = 10;
  for (let i = 0; i < digits.length - 1; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  return (11 - product) % 10 === digits.charCodeAt(digits.length - 1) - 48;
}

/**
 * ICAO 9303 (machine-readable travel documents) check digit of `value`: weights 7, 3, 1 repeating; digits
 * count as themselves, letters A=10 … Z=35, '<' as 0. Returns -1 for any other character.
 */
export function icaoCheckDigit(value: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.toUpperCase().charCodeAt(i);
    let number: number;
    if (code >= 48 && code <= 57) number = code - 48;
    else if (code >= 65 && code <= 90) number = code - 55;
    else if (code === 60) number = 0;
    else return -1;
    sum += number * weights[i % 3]!;
  }
  return sum % 10;
}
