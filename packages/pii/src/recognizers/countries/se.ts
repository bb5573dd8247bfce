import { digitsOf, luhn } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, isDate, numberBounded } from './shared.js';

const se = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('SE', spec);

// Personnummer: birth date (YYMMDD or YYYYMMDD; the day +60 for a samordningsnummer), '-' (or '+' from the
// age of 100), three serial digits and a Luhn check digit over the ten-digit form.
const personnummer = se({
  id: 'se-personnummer',
  entity: 'SE_PERSONNUMMER',
  pattern: numberBounded('(?:18|19|20)?\\d{6}[-+]?\\d{4}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    const short = digits.slice(-10);
    const year = digits.length === 12 ? Number(digits.slice(0, 4)) : 2000 + Number(short.slice(0, 2));
    const day = Number(short.slice(4, 6));
    return isDate(year, Number(short.slice(2, 4)), day > 60 ? day - 60 : day) && luhn(short);
  },
  validScore: 0.85,
  context: ['personnummer', 'pnr', 'personnr', 'samordningsnummer', 'personal identity number', 'swedish id'],
});

// Organisationsnummer: group digit, six digits of which the third is at least 2 (so it never reads as a
// birth date), '-', four digits; Luhn check. Optionally prefixed with 16.
const organisationsnummer = se({
  id: 'se-organisationsnummer',
  entity: 'SE_ORGANISATIONSNUMMER',
  pattern: numberBounded('(?:16)?[1235-9]\\d[2-9]\\d{3}-?\\d{4}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => luhn(digitsOf(value).slice(-10)),
  validScore: 0.7,
  context: ['organisationsnummer', 'orgnummer', 'org.nr', 'orgnr', 'organisation number', 'company number', 'företag'],
});

export const seRecognizers: readonly Recognizer[] = [personnummer, organisationsnummer];
