import { digitsOf } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded } from './shared.js';

// Thai national id: thirteen digits (often 1-2345-67890-12-1): a person-type digit 1–8, the province of
// registration (10–27, 30–49, 50–58, 60–67, 70–77, 80–86, 90–96) and a check digit
// (11 − Σ dᵢ × (13 − i) mod 11) mod 10.
const provinceValid = (code: number) =>
  (code >= 10 && code <= 27) ||
  (code >= 30 && code <= 58) ||
  (code >= 60 && code <= 67) ||
  (code >= 70 && code <= 77) ||
  (code >= 80 && code <= 86) ||
  (code >= 90 && code <= 96);
const tnin = countryRecognizer('TH', {
  id: 'th-tnin',
  entity: 'TH_TNIN',
  pattern: numberBounded('[1-8](?:\\d{12}|-\\d{4}-\\d{5}-\\d{2}-\\d| \\d{4} \\d{5} \\d{2} \\d)'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    if (!provinceValid(Number(digits.slice(1, 3)))) return false;
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += (digits.charCodeAt(i) - 48) * (13 - i);
    return (11 - (sum % 11)) % 10 === digits.charCodeAt(12) - 48;
  },
  validScore: 0.9,
  context: ['เลขประจำตัวประชาชน', 'เลขบัตรประชาชน', 'บัตรประชาชน', 'thai id', 'national id', 'tnin', 'id card'],
});

export const thRecognizers: readonly Recognizer[] = [tnin];
