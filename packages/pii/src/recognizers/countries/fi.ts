import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer, isDate } from './shared.js';

// Henkilötunnus: birth date DDMMYY, a century sign (+ 1800s; - or U–Y 1900s; A–F 2000s), a three-digit
// individual number and a check character: DDMMYYZZZ mod 31 indexes 0-9 and the letters below.
const CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const CENTURIES: Record<string, number> = {
  '+': 1800,
  '-': 1900,
  U: 1900,
  V: 1900,
  W: 1900,
  X: 1900,
  Y: 1900,
  A: 2000,
  B: 2000,
  C: 2000,
  D: 2000,
  E: 2000,
  F: 2000,
};
const hetu = countryRecognizer('FI', {
  id: 'fi-personal-identity-code',
  entity: 'FI_PERSONAL_IDENTITY_CODE',
  pattern: bounded('\\d{6}[-+A-FU-Y]\\d{3}[0-9A-FHJ-NPR-Y]', 'i'),
  starts: ['digit'],
  score: 0.4,
  validate: (raw) => {
    const value = raw.toUpperCase();
    const century = CENTURIES[value[6]!];
    if (century === undefined) return false;
    if (!isDate(century + Number(value.slice(4, 6)), Number(value.slice(2, 4)), Number(value.slice(0, 2))))
      return false;
    return CHECK_CHARACTERS[Number(value.slice(0, 6) + value.slice(7, 10)) % 31] === value[10];
  },
  validScore: 0.95,
  context: ['henkilötunnus', 'hetu', 'henkilotunnus', 'personbeteckning', 'personal identity code', 'finnish id'],
});

export const fiRecognizers: readonly Recognizer[] = [hetu];
