import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { ConfigError } from '@parapet/core';
import type { RE2 as RE2Type } from 're2-wasm';
import { z } from 'zod';

/**
 * Restrictions on one argument, addressed by a dotted path into the validated arguments (`to`,
 * `recipient.email`, `files.*` for every element). Each names what the value must be; values are never
 * echoed in messages (they may be personal data).
 */
export interface ArgumentConstraint {
  /** The value must equal one of these. */
  readonly oneOf?: readonly (string | number | boolean)[];
  /** The value must equal none of these. */
  readonly noneOf?: readonly (string | number | boolean)[];
  /** Numeric bounds, inclusive. */
  readonly min?: number;
  readonly max?: number;
  /** Longest string or array. */
  readonly maxLength?: number;
  /** An RE2 pattern (linear time, no backtracking) the whole string must match. */
  readonly pattern?: string;
  /** A file path that must resolve inside one of these directories (no `..` escape, no NUL byte). */
  readonly pathWithin?: readonly string[];
  /** A URL whose host is one of these (`*.example.com` for subdomains). */
  readonly urlHosts?: readonly string[];
  /** Allowed URL schemes when `urlHosts` is set; default `['https']`. */
  readonly urlSchemes?: readonly string[];
  /** An e-mail address whose domain is one of these (`*.example.com` for subdomains). */
  readonly emailDomains?: readonly string[];
}

export const constraintSchema = z
  .object({
    oneOf: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    noneOf: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    pattern: z.string().min(1).max(2_000).optional(),
    pathWithin: z
      .array(z.string().startsWith('/', 'must be an absolute POSIX directory such as "/srv/data"'))
      .min(1)
      .optional(),
    urlHosts: z.array(z.string().min(1).max(253)).min(1).optional(),
    urlSchemes: z
      .array(z.string().regex(/^[a-z][a-z0-9+.-]*$/, 'must be a lowercase scheme without ":" such as "https"'))
      .min(1)
      .optional(),
    emailDomains: z.array(z.string().min(1).max(253)).min(1).optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, 'give at least one restriction (oneOf, max, pathWithin, …)');

export interface ConstraintViolation {
  readonly path: string;
  readonly message: string;
}

type Check = (value: unknown) => string | undefined;

let RE2: typeof RE2Type | undefined;
function re2(): typeof RE2Type {
  RE2 ??= (createRequire(import.meta.url)('re2-wasm') as { RE2: typeof RE2Type }).RE2;
  return RE2;
}

function hostMatcher(entries: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const lower = entry.toLowerCase();
    if (lower.startsWith('*.')) suffixes.push(lower.slice(1));
    else exact.add(lower);
  }
  return (host) => {
    const lower = host.toLowerCase().replace(/\.$/, '');
    if (exact.has(lower)) return true;
    for (const suffix of suffixes) if (lower.endsWith(suffix) && lower.length > suffix.length) return true;
    return false;
  };
}

function describeList(values: readonly unknown[]): string {
  const shown = values.slice(0, 5).map((value) => JSON.stringify(value));
  return values.length > 5 ? `${shown.join(', ')}, … (${values.length} in all)` : shown.join(', ');
}

/** Compiles one constraint to a list of checks, once, when the policy is built. */
function compile(constraint: z.output<typeof constraintSchema>, where: string): Check[] {
  const checks: Check[] = [];
  if (constraint.oneOf !== undefined) {
    const allowed = new Set<unknown>(constraint.oneOf);
    checks.push((value) => (allowed.has(value) ? undefined : `must be one of ${describeList(constraint.oneOf ?? [])}`));
  }
  if (constraint.noneOf !== undefined) {
    const denied = new Set<unknown>(constraint.noneOf);
    checks.push((value) => (denied.has(value) ? 'is a value this tool may not receive' : undefined));
  }
  if (constraint.min !== undefined || constraint.max !== undefined) {
    const { min, max } = constraint;
    checks.push((value) => {
      if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
      if (min !== undefined && value < min) return `must be at least ${min}`;
      if (max !== undefined && value > max) return `must be at most ${max}`;
      return undefined;
    });
  }
  if (constraint.maxLength !== undefined) {
    const limit = constraint.maxLength;
    checks.push((value) => {
      const length = typeof value === 'string' || Array.isArray(value) ? value.length : undefined;
      if (length === undefined) return 'must be a string or an array';
      return length > limit ? `must be at most ${limit} long` : undefined;
    });
  }
  if (constraint.pattern !== undefined) {
    let compiled: RE2Type;
    try {
      const RE2Class = re2();
      compiled = new RE2Class(`^(?:${constraint.pattern})$`, 'u');
    } catch (cause) {
      throw new ConfigError({
        message: `Invalid ${where}.pattern: RE2 cannot compile it (no look-around or back-references). ${
          cause instanceof Error ? cause.message : ''
        }`.trim(),
        issues: [{ path: `${where}.pattern`, message: 'not an RE2 pattern' }],
        cause,
      });
    }
    checks.push((value) => {
      if (typeof value !== 'string') return 'must be a string';
      return compiled.test(value) ? undefined : 'does not match the allowed pattern';
    });
  }
  if (constraint.pathWithin !== undefined) {
    const roots = constraint.pathWithin.map((root) => {
      const normalized = posix.resolve(root);
      return normalized.endsWith('/') ? normalized : `${normalized}/`;
    });
    checks.push((value) => {
      if (typeof value !== 'string' || value.length === 0) return 'must be a file path';
      if (value.includes('\0')) return 'must not contain a NUL byte';
      // Backslashes are separators on Windows hosts: treat them as such, so "..\\" cannot escape.
      const slashed = value.replace(/\\/g, '/');
      for (const root of roots) {
        const resolved = posix.resolve(root, slashed);
        if (`${resolved}/`.startsWith(root)) return undefined;
      }
      return `must be a path inside ${describeList(constraint.pathWithin ?? [])}`;
    });
  }
  if (constraint.urlHosts !== undefined) {
    const matches = hostMatcher(constraint.urlHosts);
    const schemes = new Set((constraint.urlSchemes ?? ['https']).map((scheme) => `${scheme}:`));
    checks.push((value) => {
      if (typeof value !== 'string') return 'must be a URL';
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return 'must be an absolute URL';
      }
      if (!schemes.has(url.protocol)) return `must use ${[...schemes].map((s) => s.slice(0, -1)).join(' or ')}`;
      if (url.username !== '' || url.password !== '') return 'must not carry credentials';
      return matches(url.hostname) ? undefined : `must point to ${describeList(constraint.urlHosts ?? [])}`;
    });
  }
  if (constraint.emailDomains !== undefined) {
    const matches = hostMatcher(constraint.emailDomains);
    checks.push((value) => {
      if (typeof value !== 'string') return 'must be an e-mail address';
      const at = value.lastIndexOf('@');
      if (at <= 0 || at === value.length - 1 || /[\s<>,;]/.test(value)) return 'must be a single e-mail address';
      return matches(value.slice(at + 1))
        ? undefined
        : `must be an address at ${describeList(constraint.emailDomains ?? [])}`;
    });
  }
  return checks;
}

/** Values at a dotted path; `*` walks every element of an array or every value of an object. */
function valuesAt(root: unknown, segments: readonly string[]): unknown[] {
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (segment === '*') {
        for (const item of Array.isArray(value) ? value : Object.values(value)) next.push(item);
      } else if (Object.hasOwn(value, segment)) {
        next.push((value as Record<string, unknown>)[segment]);
      }
    }
    current = next;
  }
  return current;
}

export type CompiledConstraints = (args: unknown) => ConstraintViolation[];

/**
 * Compiles a tool's constraints. A missing optional argument is not checked (the schema decides whether it
 * is required); a path that names nothing in a call passes.
 */
export function compileConstraints(
  constraints: Readonly<Record<string, z.output<typeof constraintSchema>>>,
  where: string,
): CompiledConstraints | undefined {
  const entries = Object.entries(constraints).map(([path, constraint]) => ({
    path,
    segments: path.split('.'),
    checks: compile(constraint, `${where}.${path}`),
  }));
  if (entries.length === 0) return undefined;
  return (args) => {
    const violations: ConstraintViolation[] = [];
    for (const entry of entries) {
      for (const value of valuesAt(args, entry.segments)) {
        if (value === undefined) continue;
        for (const check of entry.checks) {
          const message = check(value);
          if (message !== undefined) violations.push({ path: entry.path, message });
        }
      }
    }
    return violations;
  };
}
