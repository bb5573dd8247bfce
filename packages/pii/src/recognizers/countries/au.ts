import { digitsOf, weightedSum } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded } from './shared.js';

const au = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('AU', spec);

// Australian Business Number: eleven digits (2-3-3-3); subtract 1 from the first digit, then the weighted
// sum (10, 1, 3, 5, …, 19) is divisible by 89.
const abn = au({
  id: 'au-abn',
  entity: 'AU_ABN',
  pattern: numberBounded('\\d{2} ?\\d{3} ?\\d{3} ?\\d{3}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    const sum = weightedSum(digits, [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) - 10;
    return sum > 0 && sum % 89 === 0;
  },
  validScore: 0.85,
  context: ['abn', 'australian business number', 'business number'],
});

// Australian Company Number: nine digits (3-3-3), the last the complement of a weighted sum (8 … 1) mod 10.
const acn = au({
  id: 'au-acn',
  entity: 'AU_ACN',
  pattern: numberBounded('\\d{3} ?\\d{3} ?\\d{3}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    return (10 - (weightedSum(digits, [8, 7, 6, 5, 4, 3, 2, 1]) % 10)) % 10 === digits.charCodeAt(8) - 48;
  },
  validScore: 0.6,
  context: ['acn', 'australian company number', 'company number'],
});

// Tax File Number: nine digits whose weighted sum (1, 4, 3, 7, 5, 8, 6, 9, 10) is divisible by 11.
const tfn = au({
  id: 'au-tfn',
  entity: 'AU_TFN',
  pattern: numberBounded('\\d{3} ?\\d{3} ?\\d{3}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    const sum = weightedSum(digits, [1, 4, 3, 7, 5, 8, 6, 9, 10]);
    return sum > 0 && sum % 11 === 0;
  },
  validScore: 0.6,
  context: ['tfn', 'tax file number', 'tax file'],
});

// Medicare card number: ten digits (4-5-1) starting 2–6; the ninth is the weighted sum (1, 3, 7, 9, …) of
// the first eight mod 10, the tenth the card's issue number.
const medicare = au({
  id: 'au-medicare',
  entity: 'AU_MEDICARE',
  pattern: numberBounded('[2-6]\\d{3} ?\\d{5} ?\\d'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    return weightedSum(digits, [1, 3, 7, 9, 1, 3, 7, 9]) % 10 === digits.charCodeAt(8) - 48;
  },
  validScore: 0.6,
  context: ['medicare', 'medicare card', 'medicare number'],
});

export const auRecognizers: readonly Recognizer[] = [abn, acn, tfn, medicare];
