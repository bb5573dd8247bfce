import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded } from './shared.js';

const ph = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('PH', spec);

// Mobile numbers: +63 or the trunk 0, then 9XX (network prefix) and seven digits.
const mobile = ph({
  id: 'ph-mobile-number',
  entity: 'PH_MOBILE_NUMBER',
  pattern: /(?<![\w+])(?:\+63|0)[ -]?(?:\(9\d{2}\)|9\d{2})[ -]?\d{3}[ -]?\d{4}(?![\w]|[.-]\d)/,
  starts: ['plus', 'digit'],
  score: 0.6,
  context: ['mobile', 'cellphone', 'cell', 'phone', 'telepono', 'telefono', 'numero', 'contact', 'sim'],
});

// Taxpayer Identification Number: nine digits, and a three- to five-digit branch code for businesses
// (000-123-456-000). With the branch code the shape is distinctive; nine digits alone need a tax word.
const TIN_WORDS = ['tin', 'tax identification', 'taxpayer identification', 'tax id', 'bir', 'taxpayer'];
const tin = ph({
  id: 'ph-tin',
  entity: 'PH_TIN',
  pattern: numberBounded('\\d{3}-\\d{3}-\\d{3}-\\d{3}(?:\\d{2})?'),
  starts: ['digit'],
  needs: '-',
  score: 0.5,
  context: TIN_WORDS,
});
const tinShort = ph({
  id: 'ph-tin-short',
  entity: 'PH_TIN',
  pattern: numberBounded('\\d{3}-\\d{3}-\\d{3}|\\d{9}(?:\\d{3})?'),
  starts: ['digit'],
  score: 0.4,
  contextRequired: true,
  context: TIN_WORDS,
});

export const phRecognizers: readonly Recognizer[] = [mobile, tin, tinShort];
