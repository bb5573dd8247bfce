import { z } from 'zod';
import { encryptValue, hmacValue, placeholderLabel, type Vault } from './vault.js';

/** What to put in place of a recognized value. */
export type Operator =
  /** A fixed text (default `[REDACTED]`). */
  | { readonly type: 'redact'; readonly with?: string }
  /** Mask characters, keeping the last (and/or first) few; separators are kept so formats stay readable. */
  | { readonly type: 'mask'; readonly char?: string; readonly keepLast?: number; readonly keepFirst?: number }
  /** `<EMAIL_1>`: numbered per entity; the same value gets the same number within one text. */
  | { readonly type: 'placeholder' }
  /** `<EMAIL_ADDRESS:hmac>`: HMAC-SHA256 with a key, cut to `length` hex characters (default 16). */
  | { readonly type: 'hash'; readonly key: string | Uint8Array; readonly length?: number }
  /** `<enc:…>`: AES-256-GCM, reversible with `decryptValue(token, key)`. */
  | { readonly type: 'encrypt'; readonly key: string | Uint8Array }
  /** Leave the value (the finding is still reported). */
  | { readonly type: 'keep' }
  /** Any function of the value. */
  | { readonly type: 'custom'; readonly fn: (value: string, entity: string) => string }
  /** Placeholders from a vault, consistent across turns and tool calls; restore them with `restore`. */
  | { readonly type: 'pseudonymize'; readonly vault: Vault };

const keySchema = z.union([z.string().min(16, 'must be at least 16 characters'), z.instanceof(Uint8Array)]);
const vaultSchema = z.custom<Vault>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Vault).placeholder === 'function',
  'must be a vault from createVault()',
);

export const operatorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('redact'), with: z.string().max(200).optional() }).strict(),
  z
    .object({
      type: z.literal('mask'),
      char: z.string().length(1, 'must be one character').optional(),
      keepLast: z.number().int().min(0).max(64).optional(),
      keepFirst: z.number().int().min(0).max(64).optional(),
    })
    .strict(),
  z.object({ type: z.literal('placeholder') }).strict(),
  z.object({ type: z.literal('hash'), key: keySchema, length: z.number().int().min(8).max(64).optional() }).strict(),
  z
    .object({
      type: z.literal('encrypt'),
      key: z.union([
        z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)'),
        z.instanceof(Uint8Array),
      ]),
    })
    .strict(),
  z.object({ type: z.literal('keep') }).strict(),
  z
    .object({
      type: z.literal('custom'),
      fn: z.custom<(value: string, entity: string) => string>(
        (value) => typeof value === 'function',
        'must be a function',
      ),
    })
    .strict(),
  z.object({ type: z.literal('pseudonymize'), vault: vaultSchema }).strict(),
]);

/** Per-text numbering for `placeholder` without a vault. */
export class PlaceholderNumbers {
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  for(entity: string, value: string): string {
    const label = placeholderLabel(entity);
    const key = `${label}\u0000${value}`;
    const known = this.byValue.get(key);
    if (known !== undefined) return known;
    const next = (this.counters.get(label) ?? 0) + 1;
    this.counters.set(label, next);
    const placeholder = `<${label}_${next}>`;
    this.byValue.set(key, placeholder);
    return placeholder;
  }
}

function mask(value: string, char: string, keepFirst: number, keepLast: number): string {
  // Count only letters and digits, so "4111 1111 1111 1111" keeps its spaces and its last four digits.
  let total = 0;
  for (const c of value) if (/[\p{L}\p{N}]/u.test(c)) total++;
  let seen = 0;
  let out = '';
  for (const c of value) {
    if (!/[\p{L}\p{N}]/u.test(c)) {
      out += c;
      continue;
    }
    out += seen < keepFirst || seen >= total - keepLast ? c : char;
    seen++;
  }
  return out;
}

/**
 * The replacement for one value. Returns undefined for `keep` (no replacement). May return a promise
 * for `pseudonymize` on a store-backed vault.
 */
export function applyOperator(
  operator: Operator,
  value: string,
  entity: string,
  numbers: PlaceholderNumbers,
): string | undefined | Promise<string> {
  switch (operator.type) {
    case 'redact':
      return operator.with ?? '[REDACTED]';
    case 'mask':
      return mask(value, operator.char ?? '*', operator.keepFirst ?? 0, operator.keepLast ?? 4);
    case 'placeholder':
      return numbers.for(entity, value);
    case 'hash':
      return `<${entity}:${hmacValue(value, operator.key).slice(0, operator.length ?? 16)}>`;
    case 'encrypt':
      return `<enc:${encryptValue(value, operator.key)}>`;
    case 'keep':
      return undefined;
    case 'custom':
      return operator.fn(value, entity);
    case 'pseudonymize':
      return operator.vault.placeholder(entity, value);
  }
}
