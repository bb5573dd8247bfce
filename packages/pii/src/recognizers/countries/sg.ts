import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer } from './shared.js';

const sg = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('SG', spec);

// NRIC / FIN: S or T (citizens, born before / from 2000), F or G (foreigners, before / from 2000), M (from
// 2022), seven digits and a check letter: weights 2 7 6 5 4 3 2, plus 4 for T and G, 3 for M, mod 11.
const NRIC_LETTERS: Record<string, string> = {
  S: 'JZIHGFEDCBA',
  T: 'JZIHGFEDCBA',
  F: 'XWUTRQPNMLK',
  G: 'XWUTRQPNMLK',
  M: 'XWUTRQPNJLK',
};
const NRIC_OFFSET: Record<string, number> = { S: 0, T: 4, F: 0, G: 4, M: 3 };
const NRIC_WEIGHTS = [2, 7, 6, 5, 4, 3, 2];
const NRIC_WORDS = ['nric', 'fin', 'ic', 'identity card', 'ic number', 'foreign identification number', 'singpass'];
const nric = sg({
  id: 'sg-nric-fin',
  entity: 'SG_NRIC_FIN',
  pattern: bounded('[STFGM]\\d{7}[A-Z]', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  validate: (raw) => {
    const value = raw.toUpperCase();
    const prefix = value[0]!;
    let sum = NRIC_OFFSET[prefix]!;
    for (let i = 0; i < 7; i++) sum += (value.charCodeAt(i + 1) - 48) * NRIC_WEIGHTS[i]!;
    return NRIC_LETTERS[prefix]![sum % 11] === value[8];
  },
  validScore: 0.95,
  context: NRIC_WORDS,
});
// The shape alone (a typo, or an example value).
const nricShape = sg({
  id: 'sg-nric-fin-shape',
  entity: 'SG_NRIC_FIN',
  pattern: bounded('[STFGM]\\d{7}[A-Z]', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: NRIC_WORDS,
});

// UEN: businesses (8 digits + check letter), local companies (year + 5 digits + check letter) and other
// entities (R/S/T for the 19th/20th/21st century, year, entity type, 4 digits, check character).
const BUSINESS_WEIGHTS = [10, 4, 9, 3, 8, 2, 7, 1];
const COMPANY_WEIGHTS = [10, 8, 6, 4, 9, 7, 5, 3, 1];
const OTHER_WEIGHTS = [4, 3, 5, 3, 10, 2, 2, 5, 7];
const OTHER_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWX0123456789';
const OTHER_TYPES = new Set(
  'CC CD CH CL CM CP CS CX DP FB FC FM FN GA GB GS HC HS LL LP MB MC MD MH MM MQ NB NR PA PB PF RF RP SM SS TC TU VH XL'.split(
    ' ',
  ),
);
const digitWeighted = (digits: string, weights: readonly number[]) => {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return sum;
};
const uen = sg({
  id: 'sg-uen',
  entity: 'SG_UEN',
  pattern: bounded('\\d{8}[A-Z]|\\d{9}[A-Z]|[RST]\\d{2}[A-Z]{2}\\d{4}[A-Z0-9]'),
  starts: ['digit', 'upper'],
  score: 0.3,
  validate: (value) => {
    if (value.length === 9) return 'XMKECAWLJDB'[digitWeighted(value, BUSINESS_WEIGHTS) % 11] === value[8];
    if (/^\d/.test(value)) {
      if (Number(value.slice(0, 4)) > new Date().getFullYear()) return false;
      return 'ZKCMDNERGWH'[digitWeighted(value, COMPANY_WEIGHTS) % 11] === value[9];
    }
    if (!OTHER_TYPES.has(value.slice(3, 5))) return false;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += OTHER_ALPHABET.indexOf(value[i]!) * OTHER_WEIGHTS[i]!;
    return OTHER_ALPHABET[(sum - 5 + 11 * 100) % 11] === value[9];
  },
  validScore: 0.85,
  context: [
    'uen',
    'unique entity number',
    'acra',
    'business registration',
    'company registration',
    'registration number',
  ],
});

export const sgRecognizers: readonly Recognizer[] = [nric, nricShape, uen];
