import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, numberBounded, withLeadingWords } from './shared.js';

const ng = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('NG', spec);

// National Identification Number: eleven digits with no public check digit, so only next to an id word.
const nin = ng({
  id: 'ng-nin',
  entity: 'NG_NIN',
  pattern: numberBounded('\\d{11}'),
  starts: ['digit'],
  score: 0.3,
  contextRequired: true,
  context: ['nin', 'national identification number', 'national identity number', 'nimc', 'nin slip'],
});

// Vehicle registration: local-government code (three letters), three digits and two letters. Upper case
// only: in lower case the shape is prose ("the 100th").
const vehicle = ng({
  id: 'ng-vehicle-registration',
  entity: 'NG_VEHICLE_REGISTRATION',
  pattern: withLeadingWords('[A-Z]{3}[ -]?\\d{3}[A-Z]{2}', '[A-Z]{3} '),
  group: 1,
  starts: ['upper', 'digit'],
  score: 0.5,
  context: ['plate', 'plate number', 'number plate', 'vehicle', 'registration', 'car'],
});

export const ngRecognizers: readonly Recognizer[] = [nin, vehicle];
