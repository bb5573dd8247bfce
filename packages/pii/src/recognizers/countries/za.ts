import { luhn } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, isDate, numberBounded } from './shared.js';

// South African id number: birth date YYMMDD, a four-digit sequence (sex), citizenship (0 citizen,
// 1 permanent resident, 2 refugee), a digit (formerly race, now 8 or 9) and a Luhn check digit.
const idNumber = countryRecognizer('ZA', {
  id: 'za-id-number',
  entity: 'ZA_ID_NUMBER',
  pattern: numberBounded('\\d{6} ?\\d{4} ?[012]\\d{2}'),
  starts: ['digit'],
  score: 0.3,
  validate: (raw) => {
    const value = raw.replace(/ /g, '');
    const year = Number(value.slice(0, 2));
    const month = Number(value.slice(2, 4));
    const day = Number(value.slice(4, 6));
    return (isDate(1900 + year, month, day) || isDate(2000 + year, month, day)) && luhn(value);
  },
  validScore: 0.85,
  context: ['id number', 'identity number', 'south african id', 'rsa id', 'sa id', 'identity document', 'id'],
});

export const zaRecognizers: readonly Recognizer[] = [idNumber];
