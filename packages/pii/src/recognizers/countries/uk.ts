import { digitsOf, weightedSum } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer, numberBounded, withLeadingWords } from './shared.js';

const uk = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('UK', spec);

// National Insurance number: two prefix letters (D, F, I, Q, U, V never; O never second), six digits,
// a suffix A–D. Written compact, or with the digits in pairs.
const NINO_EXCLUDED_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);
const nino = uk({
  id: 'uk-nino',
  entity: 'UK_NINO',
  pattern: withLeadingWords(
    '[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?(?:\\d{6}|\\d\\d \\d\\d \\d\\d) ?[A-D]',
    '[A-Z]{2} ',
    'i',
  ),
  group: 1,
  starts: ['upper', 'lower', 'digit'],
  score: 0.6,
  validate: (value) => !NINO_EXCLUDED_PREFIXES.has(value.slice(0, 2).toUpperCase()),
  validScore: 0.6,
  context: ['national insurance', 'nino', 'ni number', 'ni no', 'insurance number', 'nat ins'],
});

// NHS number: ten digits (3-3-4), the last a mod-11 check digit over weights 10 … 2; a remainder giving 10
// is never issued.
const nhs = uk({
  id: 'uk-nhs',
  entity: 'UK_NHS',
  pattern: numberBounded('\\d{3} \\d{3} \\d{4}|\\d{3}-\\d{3}-\\d{4}|\\d{10}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    const check = 11 - (weightedSum(digits, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
    if (check === 10) return false;
    return (check === 11 ? 0 : check) === digits.charCodeAt(9) - 48;
  },
  validScore: 0.6,
  context: ['nhs', 'national health', 'health service', 'health number', 'patient'],
});

// Passport: two letters and seven digits (the nine-digit numbers issued before 2015 have all expired).
const passport = uk({
  id: 'uk-passport',
  entity: 'UK_PASSPORT',
  pattern: bounded('[A-Z]{2}\\d{7}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: ['passport', 'passport no', 'passport number', 'travel document', 'hm passport office'],
});
// Driving licence number: 5 characters of the surname (padded with 9s), the birth date as decade digit,
// month (+50 for women), day and year digit, two initials (9 when missing), a digit and two check characters.
const drivingLicence = uk({
  id: 'uk-driving-licence',
  entity: 'UK_DRIVING_LICENCE',
  pattern: bounded(
    '(?:[A-Z]{5}|[A-Z]{4}9|[A-Z]{3}99|[A-Z]{2}999|[A-Z]9999)\\d[0156]\\d[0-3]\\d\\d[A-Z][A-Z9]\\d[A-Z0-9]{2}',
    'i',
  ),
  starts: ['upper', 'lower'],
  score: 0.6,
  validate: (value) => {
    const month = Number(value.slice(6, 8)) % 50;
    const day = Number(value.slice(8, 10));
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  },
  validScore: 0.6,
  context: ['driving licence', 'driving license', 'driver licence', 'licence', 'license', 'dvla'],
});

// Postcode: outward code (area letters and district) and inward code (sector digit and unit letters), with
// the letters each position may hold; GIR 0AA is the one historic exception.
const OUTWARD = '[A-PR-UWYZ](?:\\d{1,2}|\\d[A-HJKPSTUW]|[A-HK-Y]\\d{1,2}|[A-HK-Y]\\d[ABEHMNPRVWXY])';
const INWARD = '\\d[ABD-HJLNP-UW-Z]{2}';
const postcode = uk({
  id: 'uk-postcode',
  entity: 'UK_POSTCODE',
  pattern: withLeadingWords(`${OUTWARD} ?${INWARD}|GIR ?0AA`, 'GIR '),
  group: 1,
  starts: ['upper', 'digit'],
  score: 0.5,
  context: ['postcode', 'post code', 'postal code', 'address', 'zip'],
});

const VEHICLE_WORDS = [
  'registration',
  'reg',
  'reg no',
  'number plate',
  'plate',
  'vehicle',
  'car',
  'vrn',
  'licence plate',
  'license plate',
];
// Current registrations (since 2001): area letters, age identifier (March: 02–29, September: 51–79) and
// three random letters; I, Q and Z never as area letters, I and Q never among the random ones.
const vehicle = uk({
  id: 'uk-vehicle-registration',
  entity: 'UK_VEHICLE_REGISTRATION',
  pattern: bounded('[A-HK-PR-SVWY][A-HJ-PR-Y](?:0[2-9]|[12]\\d|5[1-9]|[67]\\d)[ -]?[A-HJ-PR-Z]{3}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: VEHICLE_WORDS,
});
// Prefix (1983–2001: year letter, number, three letters) and suffix (1963–1983: three letters, number,
// year letter) registrations; I, O, Q, U and Z were never year letters. Upper case only: in lower case these
// shapes are ordinary words ("the 3d").
const YEAR_LETTER = '[A-HJ-NPR-TV-Y]';
const legacyVehicle = (id: string, digits: string, score: number) =>
  uk({
    id,
    entity: 'UK_VEHICLE_REGISTRATION',
    pattern: withLeadingWords(
      `${YEAR_LETTER}${digits}[ -]?[A-HJ-PR-Z]{3}|[A-HJ-PR-Z]{3}[ -]?${digits}[ -]?${YEAR_LETTER}`,
      '[A-Z]{3} ',
    ),
    group: 1,
    starts: ['upper', 'digit'],
    score,
    context: VEHICLE_WORDS,
  });
// With one digit they collide with "A4 PDF" or "USB 3C": reported only next to a vehicle word.
const vehicleLegacy = legacyVehicle('uk-vehicle-registration-legacy', '\\d{2,3}', 0.5);
const vehicleLegacyShort = legacyVehicle('uk-vehicle-registration-legacy-short', '\\d', 0.4);

export const ukRecognizers: readonly Recognizer[] = [
  nino,
  nhs,
  passport,
  drivingLicence,
  postcode,
  vehicle,
  vehicleLegacy,
  vehicleLegacyShort,
];
