import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,9}(?:\.\d{1,3})?)\s?(ms|s|m|h|d|w)$/;

/** A duration: milliseconds as a number, or a string such as `'500ms'`, `'30s'`, `'15m'`, `'1h'`, `'7d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd' | 'w'}` | (string & {});

/** Milliseconds of a duration, or undefined when it is not one. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  return ms > 0 ? Math.round(ms) : undefined;
}

/** A zod schema accepting a duration and producing milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, context) => {
  const ms = durationMs(value);
  if (ms === undefined) {
    context.addIssue({
      code: 'custom',
      message: 'must be a positive duration: milliseconds, or a string such as "30s", "15m", "1h", "7d"',
    });
    return z.NEVER;
  }
  return ms;
});
