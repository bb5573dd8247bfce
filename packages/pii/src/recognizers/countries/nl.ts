import { digitsOf } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded } from './shared.js';

// Burgerservicenummer: nine digits passing the "11-proef": 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11).
const bsn = countryRecognizer('NL', {
  id: 'nl-bsn',
  entity: 'NL_BSN',
  pattern: numberBounded('\\d{9}|\\d{4}\\.\\d{2}\\.\\d{3}|\\d{3} \\d{3} \\d{3}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    if (/^0+$/.test(digits)) return false;
    let sum = -(digits.charCodeAt(8) - 48);
    for (let i = 0; i < 8; i++) sum += (digits.charCodeAt(i) - 48) * (9 - i);
    return sum % 11 === 0;
  },
  validScore: 0.5,
  context: ['bsn', 'burgerservicenummer', 'sofinummer', 'sofi', 'persoonsnummer', 'citizen service number'],
});

export const nlRecognizers: readonly Recognizer[] = [bsn];
