import type { Recognizer } from '../../recognizer.js';

/** A value neither starts nor ends inside a longer run of ASCII letters or digits. */
export const START = '(?<![A-Za-z0-9])';
export const END = '(?![A-Za-z0-9])';

/**
 * For numbers, also: not a group of a longer grouped number ("4950 7796 1685 1508" holds no twelve-digit id,
 * "+1 925 643 1696" no ten-digit one) and not after a '+'.
 */
export const NUMBER_START = '(?<![A-Za-z0-9+])(?<![0-9][ .-])';
export const NUMBER_END = '(?![A-Za-z0-9])(?![ .-][0-9])';

/** A bounded number pattern: the whole match is the value, which is not part of a longer grouped number. */
export function numberBounded(body: string, flags = ''): RegExp {
  return new RegExp(`${NUMBER_START}(?:${body})${NUMBER_END}`, flags);
}

/** A bounded pattern: the whole match is the value. */
export function bounded(body: string, flags = ''): RegExp {
  return new RegExp(`${START}(?:${body})${END}`, flags);
}

/**
 * The engine starts matches only in tokens that hold a digit (or right after a joiner such as '-'), so a
 * value whose first space-separated word is letters only (`HRB 12345`, `AB 12 34 56 C`, `B AB 1234`) is
 * never tried at its first letter. This pattern matches both at the value's start and at the start of a
 * later word: a lookbehind steps back over the leading word(s) and a lookahead inside it captures the whole
 * value as group 1 (use it with `group: 1`). `leadingWords` must end with the separator that follows them.
 */
export function withLeadingWords(body: string, leadingWords: string, flags = '', start = START, end = END): RegExp {
  return new RegExp(`(?<=(?=(${start}(?:${body})${end}))(?:${leadingWords}|))`, flags);
}

/** A country-pack recognizer: personal data with the country set. */
export function countryRecognizer(country: string, spec: Omit<Recognizer, 'kind' | 'country'>): Recognizer {
  return { kind: 'pii', country, ...spec };
}

/** Whether year-month-day is a real calendar date. */
export function isDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return day <= days[month - 1]!;
}

/** The value of a character in the usual 0-9, A=10 … Z=35 scheme, or -1. */
export function alnumValue(char: string): number {
  const code = char.toUpperCase().charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  return -1;
}
