import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, isDate, numberBounded } from './shared.js';

// PESEL: birth date YYMMDD (the month carries the century: +80 for 1800s, +0 for 1900s, +20, +40, +60 for
// 2000s–2200s), a serial, a sex digit and a check digit (weights 1 3 7 9 1 3 7 9 1 3, complement mod 10).
const PESEL_WEIGHTS = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
const pesel = countryRecognizer('PL', {
  id: 'pl-pesel',
  entity: 'PL_PESEL',
  pattern: numberBounded('\\d{11}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const encodedMonth = Number(value.slice(2, 4));
    const century = [1900, 2000, 2100, 2200, 1800][Math.floor(encodedMonth / 20)];
    if (
      century === undefined ||
      !isDate(century + Number(value.slice(0, 2)), encodedMonth % 20, Number(value.slice(4, 6)))
    )
      return false;
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (value.charCodeAt(i) - 48) * PESEL_WEIGHTS[i]!;
    return (10 - (sum % 10)) % 10 === value.charCodeAt(10) - 48;
  },
  validScore: 0.8,
  context: ['pesel', 'numer pesel', 'numer ewidencyjny'],
});

export const plRecognizers: readonly Recognizer[] = [pesel];
