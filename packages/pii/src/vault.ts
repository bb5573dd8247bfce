import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { ArgumentError, type Store } from '@parapet/core';
import { z } from 'zod';

/**
 * Pseudonymization state for one conversation: each distinct value gets a typed placeholder
 * (`<EMAIL_1>`), the same value always the same placeholder, and placeholders can be resolved back.
 * In memory by default; on a `Store` (shared across processes, e.g. Redis) when one is given, with the
 * values encrypted at rest (AES-256-GCM) under the vault key.
 */
export interface Vault {
  readonly id: string;
  /** The placeholder for `value` (created on first sight). */
  placeholder(entity: string, value: string): string | Promise<string>;
  /** The value behind a placeholder, or undefined. */
  resolve(placeholder: string): string | undefined | Promise<string | undefined>;
  /** Forgets every entry (in memory), or moves to a new generation (on a store: old entries expire with their TTL). */
  clear(): void | Promise<void>;
}

/** Short labels for placeholders: `<EMAIL_1>` rather than `<EMAIL_ADDRESS_1>`. */
const LABELS: Readonly<Record<string, string>> = {
  EMAIL_ADDRESS: 'EMAIL',
  PHONE_NUMBER: 'PHONE',
  IBAN_CODE: 'IBAN',
  IP_ADDRESS: 'IP',
  MAC_ADDRESS: 'MAC',
  SWIFT_CODE: 'SWIFT',
  DATE_OF_BIRTH: 'DOB',
  STREET_ADDRESS: 'ADDRESS',
};

export function placeholderLabel(entity: string): string {
  return LABELS[entity] ?? entity;
}

/** Matches placeholders as this package writes them. */
export const PLACEHOLDER_PATTERN = /<([A-Z][A-Z0-9_]{0,40})_(\d{1,7})>/g;

const vaultOptionsSchema = z
  .object({
    /** Names the conversation; required with a store, so every process finds the same entries. */
    id: z.string().min(1).max(200).optional(),
    store: z
      .custom<Store>(
        (value) => typeof value === 'object' && value !== null && typeof (value as Store).compareAndSet === 'function',
        'must be a Store (memoryStore(), redisStore(), …)',
      )
      .optional(),
    /** 32-byte key (Buffer, or 64 hex characters) that encrypts values at rest in the store. */
    key: z
      .union([z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)'), z.instanceof(Uint8Array)])
      .optional(),
    /** How long store entries live (ms). Default 24 hours. */
    ttlMs: z.number().int().positive().default(86_400_000),
    /** Placeholders kept at most in memory (oldest dropped past it). */
    maxEntries: z.number().int().positive().default(100_000),
  })
  .strict()
  .refine((value) => value.store === undefined || (value.id !== undefined && value.key !== undefined), {
    message: 'a vault on a store needs an id (the conversation) and a key (32 bytes, to encrypt values at rest)',
    path: ['store'],
  });

export type VaultOptions = z.input<typeof vaultOptionsSchema>;

function keyBytes(key: string | Uint8Array): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'hex') : Buffer.from(key);
  if (bytes.length !== 32) throw new ArgumentError({ message: 'Vault key must be 32 bytes (AES-256).' });
  return bytes;
}

/** AES-256-GCM: base64url(iv ‖ ciphertext ‖ tag). */
export function encryptValue(plaintext: string, key: string | Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Reverses `encryptValue`; throws ArgumentError when the key is wrong or the text was altered. */
export function decryptValue(token: string, key: string | Uint8Array): string {
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 29)
    throw new ArgumentError({ message: 'decryptValue: the token is too short to be an encrypted value.' });
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(key), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new ArgumentError({ message: 'decryptValue: wrong key, or the encrypted value was altered.', cause: error });
  }
}

/** HMAC-SHA256 of a value, hex. */
export function hmacValue(value: string, key: string | Uint8Array): string {
  return createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key)
    .update(value, 'utf8')
    .digest('hex');
}

/** Creates a vault: in memory, or on a store (shared across instances) when `store` is given. */
export function createVault(options: VaultOptions = {}): Vault {
  const parsed = vaultOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ArgumentError({
      message: `createVault(options): ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}`,
      cause: parsed.error,
    });
  }
  const config = parsed.data;
  const id = config.id ?? randomBytes(8).toString('hex');
  if (config.store !== undefined) return storeVault(id, config.store, keyBytes(config.key!), config.ttlMs);

  const byValue = new Map<string, string>();
  const byPlaceholder = new Map<string, string>();
  const counters = new Map<string, number>();
  return {
    id,
    placeholder(entity, value) {
      const label = placeholderLabel(entity);
      const key = `${label}\u0000${value}`;
      const known = byValue.get(key);
      if (known !== undefined) return known;
      const next = (counters.get(label) ?? 0) + 1;
      counters.set(label, next);
      const placeholder = `<${label}_${next}>`;
      byValue.set(key, placeholder);
      byPlaceholder.set(placeholder, value);
      if (byPlaceholder.size > config.maxEntries) {
        const oldest = byPlaceholder.keys().next().value as string;
        const oldValue = byPlaceholder.get(oldest)!;
        byPlaceholder.delete(oldest);
        byValue.delete(`${oldest.slice(1, oldest.lastIndexOf('_'))}\u0000${oldValue}`);
      }
      return placeholder;
    },
    resolve(placeholder) {
      return byPlaceholder.get(placeholder);
    },
    clear() {
      byValue.clear();
      byPlaceholder.clear();
      counters.clear();
    },
  };
}

function storeVault(id: string, store: Store, key: Buffer, ttlMs: number): Vault {
  const base = `vault:${id}:`;
  // Entries live under a generation; clear() moves to the next one and the old entries expire with their TTL.
  const prefix = async (): Promise<string> => `${base}${(await store.get(`${base}gen`)) ?? '0'}:`;
  // Value lookups use a keyed hash, so the store never holds a value in the clear, even as a key.
  const digest = (label: string, value: string) =>
    createHmac('sha256', key).update(`${label}\u0000${value}`).digest('base64url');
  return {
    id,
    async placeholder(entity, value) {
      const label = placeholderLabel(entity);
      const at = await prefix();
      const valueKey = `${at}v:${digest(label, value)}`;
      const known = await store.get(valueKey);
      if (known !== undefined) return known;
      const next = await store.incr(`${at}n:${label}`, 1, { ttlMs });
      const placeholder = `<${label}_${next}>`;
      // The value first, then the claim: whoever resolves the placeholder finds the value.
      await store.set(`${at}p:${placeholder}`, encryptValue(value, key), { ttlMs });
      // Two instances may race on the same value: the first claim wins, the other adopts its placeholder.
      if (!(await store.compareAndSet(valueKey, undefined, placeholder, { ttlMs }))) {
        const winner = await store.get(valueKey);
        if (winner !== undefined) return winner;
      }
      return placeholder;
    },
    async resolve(placeholder) {
      const sealed = await store.get(`${await prefix()}p:${placeholder}`);
      return sealed === undefined ? undefined : decryptValue(sealed, key);
    },
    async clear() {
      await store.incr(`${base}gen`, 1);
    },
  };
}

/** A stable short fingerprint for logs and tests (never the value). */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}
