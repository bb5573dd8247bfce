import { alnumOf, digitsOf, luhn, mod97 } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded } from './shared.js';

const fr = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('FR', spec);

// NIR (numéro de sécurité sociale, INSEE): sex, year, month (20 and 30–99 for unknown or special cases),
// department (2A/2B for Corsica), commune, order number and a key = 97 − (the 13 digits mod 97), where the
// Corsican departments count as 19 (2A) and 18 (2B).
const nir = fr({
  id: 'fr-nir',
  entity: 'FR_NIR',
  pattern: numberBounded('[1-478] ?\\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\\d) ?(?:\\d{2}|2[AB]) ?\\d{3} ?\\d{3} ?\\d{2}', 'i'),
  starts: ['digit'],
  score: 0.4,
  validate: (value) => {
    const compact = alnumOf(value);
    // Fifteen digits starting 34 or 37 that pass Luhn are an American Express card number.
    if (/^3[47]\d{13}$/.test(compact) && luhn(compact)) return false;
    const department = compact.slice(5, 7);
    const body =
      compact.slice(0, 5) +
      (department === '2A' ? '19' : department === '2B' ? '18' : department) +
      compact.slice(7, 13);
    return 97 - mod97(body) === Number(compact.slice(13));
  },
  validScore: 0.95,
  context: [
    'nir',
    'insee',
    'sécurité sociale',
    'securite sociale',
    'sécu',
    'secu',
    'numéro de sécurité sociale',
    'carte vitale',
    'social security',
    'ssn',
  ],
});

const COMPANY_WORDS = [
  'siren',
  'siret',
  'rcs',
  'entreprise',
  'société',
  'societe',
  'établissement',
  'etablissement',
  'company',
  'registration',
];

// SIREN: nine digits with a Luhn check. Weak on its own (one nine-digit number in ten passes).
const siren = fr({
  id: 'fr-siren',
  entity: 'FR_SIREN',
  pattern: numberBounded('\\d{3} ?\\d{3} ?\\d{3}'),
  starts: ['digit'],
  score: 0.2,
  validate: (value) => luhn(value) && !/^0+$/.test(digitsOf(value)),
  validScore: 0.45,
  context: COMPANY_WORDS,
});

// SIRET: the SIREN and a five-digit establishment number, Luhn over all fourteen digits; La Poste's
// establishments (SIREN 356 000 000) use the sum of the digits mod 5 instead.
const siret = fr({
  id: 'fr-siret',
  entity: 'FR_SIRET',
  pattern: numberBounded('\\d{3} ?\\d{3} ?\\d{3} ?\\d{5}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    if (/^0+$/.test(digits)) return false;
    if (digits.startsWith('356000000')) {
      let sum = 0;
      for (const digit of digits) sum += digit.charCodeAt(0) - 48;
      return sum % 5 === 0;
    }
    return luhn(digits);
  },
  // Fourteen Luhn-valid digits are also Diners Club card numbers: a company word is needed.
  validScore: 0.45,
  context: COMPANY_WORDS,
});

export const frRecognizers: readonly Recognizer[] = [nir, siren, siret];
