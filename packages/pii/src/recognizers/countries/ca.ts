import { luhn } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded } from './shared.js';

// Social Insurance Number: nine digits (3-3-3, one separator style throughout) with a Luhn check; the first
// digit is never 0 or 8.
const sin = countryRecognizer('CA', {
  id: 'ca-sin',
  entity: 'CA_SIN',
  pattern: numberBounded('[1-79]\\d{2}(?: \\d{3} \\d{3}|-\\d{3}-\\d{3}|\\d{6})'),
  starts: ['digit'],
  score: 0.3,
  validate: luhn,
  validScore: 0.6,
  context: [
    'sin',
    'social insurance',
    'social insurance number',
    'nas',
    "numéro d'assurance sociale",
    'assurance sociale',
  ],
});

export const caRecognizers: readonly Recognizer[] = [sin];
