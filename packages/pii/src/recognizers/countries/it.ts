import { digitsOf, luhn } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer, withLeadingWords } from './shared.js';

const it = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('IT', spec);

// Codice fiscale: three surname and three name consonants, birth year, month letter, day (+40 for women),
// birthplace code and a check letter. Digits may be replaced by L–V when two codes would collide (omocodia).
const OMOCODE = '[0-9LMNPQRSTUV]';
const FISCAL_CODE = `[A-Z]{6}${OMOCODE}{2}[ABCDEHLMPRST]${OMOCODE}{2}[A-Z]${OMOCODE}{3}[A-Z]`;
const OMOCODE_DIGITS = 'LMNPQRSTUV';
const ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
const fiscalDay = (code: string) => {
  const digits = code
    .slice(9, 11)
    .split('')
    .map((char) => (/\d/.test(char) ? char : String(OMOCODE_DIGITS.indexOf(char))))
    .join('');
  const day = Number(digits) % 40;
  return day >= 1 && day <= 31;
};
const fiscalCheck = (code: string) => {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const char = code.charCodeAt(i);
    const value = char <= 57 ? char - 48 : char - 65;
    sum += i % 2 === 0 ? ODD_VALUES[value]! : value;
  }
  return String.fromCharCode(65 + (sum % 26)) === code[15];
};
const FISCAL_WORDS = ['codice fiscale', 'cf', 'c.f', 'fiscal code', 'tax code', 'tessera sanitaria'];
const fiscalCode = it({
  id: 'it-fiscal-code',
  entity: 'IT_FISCAL_CODE',
  pattern: bounded(FISCAL_CODE, 'i'),
  starts: ['upper', 'lower'],
  score: 0.6,
  validate: (value) => fiscalDay(value.toUpperCase()) && fiscalCheck(value.toUpperCase()),
  validScore: 1,
  context: FISCAL_WORDS,
});
// The same shape with a wrong check letter (a typo, or an example): still a fiscal code, at a lower score.
const fiscalCodeShape = it({
  id: 'it-fiscal-code-shape',
  entity: 'IT_FISCAL_CODE',
  pattern: bounded(FISCAL_CODE, 'i'),
  starts: ['upper', 'lower'],
  score: 0.6,
  validate: (value) => fiscalDay(value.toUpperCase()),
  validScore: 0.6,
  context: FISCAL_WORDS,
});

// Partita IVA: seven-digit company number, three-digit province office (001–100, 120, 121, 888, 999) and a
// Luhn check digit; sometimes prefixed with IT.
const vatCode = it({
  id: 'it-vat-code',
  entity: 'IT_VAT_CODE',
  pattern: bounded('(?:IT ?)?\\d{11}', 'i'),
  starts: ['upper', 'lower', 'digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    const office = Number(digits.slice(7, 10));
    if (/^0+$/.test(digits.slice(0, 7))) return false;
    if (!((office >= 1 && office <= 100) || office === 120 || office === 121 || office === 888 || office === 999))
      return false;
    return luhn(digits);
  },
  validScore: 0.6,
  context: ['partita iva', 'p.iva', 'piva', 'p. iva', 'iva', 'vat', 'vat number'],
});

// Patente di guida: two letters, seven digits and a letter (paper and older cards), or U1 followed by seven
// characters without vowels and a letter (cards since 2013).
const driverLicense = it({
  id: 'it-driver-license',
  entity: 'IT_DRIVER_LICENSE',
  pattern: bounded('[A-Z]{2}\\d{7}[A-Z]|U1[0-9B-DF-HJ-NP-TV-Z]{7}[A-Z]', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: [
    'patente',
    'patente di guida',
    'licenza di guida',
    'driving licence',
    'driving license',
    'driver license',
    'license',
    'licence',
  ],
});

// Carta d'identità: paper (two letters and seven digits), CIE 2.0 (seven digits and two letters) and
// CIE 3.0 (two letters, five digits, two letters).
const identityCard = it({
  id: 'it-identity-card',
  entity: 'IT_IDENTITY_CARD',
  pattern: withLeadingWords('[A-Z]{2} ?\\d{7}|\\d{7}[A-Z]{2}|[A-Z]{2}\\d{5}[A-Z]{2}', '[A-Z]{2} ', 'i'),
  group: 1,
  starts: ['upper', 'lower', 'digit'],
  score: 0.5,
  context: [
    "carta d'identità",
    "carta d'identita",
    'carta di identità',
    'carta identità',
    'documento',
    'cie',
    'identity card',
    'id card',
  ],
});

// Passaporto: two letters and seven digits.
const passport = it({
  id: 'it-passport',
  entity: 'IT_PASSPORT',
  pattern: bounded('[A-Z]{2}\\d{7}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  // Italian words only: an English 'passport' makes the same shape a UK passport first.
  context: ['passaporto', 'numero di passaporto', 'numero passaporto'],
});

export const itRecognizers: readonly Recognizer[] = [
  fiscalCode,
  fiscalCodeShape,
  vatCode,
  driverLicense,
  identityCard,
  passport,
];
