import { verhoeff } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { alnumValue, bounded, countryRecognizer, numberBounded, withLeadingWords } from './shared.js';

const india = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('IN', spec);

// PAN: five letters (the fourth the holder type: P person, C company, H HUF, F firm, A AOP, T trust, B BOI,
// L local authority, J juridical person, G government, E LLP), four digits and a letter.
const PAN_WORDS = ['pan', 'permanent account number', 'pan card', 'income tax'];
const pan = india({
  id: 'in-pan',
  entity: 'IN_PAN',
  pattern: bounded('[A-Z]{3}[ABCEFGHJLPT][A-Z]\\d{4}[A-Z]', 'i'),
  starts: ['upper', 'lower'],
  score: 0.85,
  context: PAN_WORDS,
});
// The same shape with an unassigned holder-type letter.
const panShape = india({
  id: 'in-pan-shape',
  entity: 'IN_PAN',
  pattern: bounded('[A-Z]{5}\\d{4}[A-Z]'),
  starts: ['upper'],
  score: 0.5,
  context: PAN_WORDS,
});

// Aadhaar: twelve digits, never starting with 0 or 1, the last a Verhoeff check digit.
const aadhaar = india({
  id: 'in-aadhaar',
  entity: 'IN_AADHAAR',
  pattern: numberBounded('[2-9]\\d{3}(?: \\d{4} \\d{4}|-\\d{4}-\\d{4}|:\\d{4}:\\d{4}|\\d{8})'),
  starts: ['digit'],
  score: 0.3,
  validate: verhoeff,
  validScore: 0.85,
  context: ['aadhaar', 'aadhar', 'adhaar', 'uid', 'uidai', 'आधार'],
});

// Passport: a letter (not Q, X, Z), a non-zero digit, five digits and a non-zero digit.
const passport = india({
  id: 'in-passport',
  entity: 'IN_PASSPORT',
  pattern: bounded('[A-PR-WY][1-9]\\d ?\\d{4}[1-9]'),
  starts: ['upper'],
  score: 0.5,
  context: ['passport', 'passport number', 'passport no', 'पासपोर्ट'],
});

// Voter id (EPIC): three letters and seven digits.
const voter = india({
  id: 'in-voter',
  entity: 'IN_VOTER',
  pattern: bounded('[A-Z]{3}\\d{7}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: ['voter', 'voter id', 'epic', 'electoral', 'election', 'vote', 'मतदाता'],
});

// GSTIN: state code (01–38, 97 other territory, 99 centre), the holder's PAN, an entity number, Z, and a
// check character (Luhn mod 36 over the first fourteen).
const GSTIN = '(?:0[1-9]|[12]\\d|3[0-8]|97|99)[A-Z]{5}\\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]';
const gstinCheck = (value: string) => {
  const code = value.toUpperCase();
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const product = alnumValue(code[i]!) * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(product / 36) + (product % 36);
  }
  return alnumValue(code[14]!) === (36 - (sum % 36)) % 36;
};
const GSTIN_WORDS = ['gstin', 'gst', 'gst number', 'gst registration', 'goods and services tax'];
const gstin = india({
  id: 'in-gstin',
  entity: 'IN_GSTIN',
  pattern: bounded(GSTIN, 'i'),
  starts: ['digit'],
  score: 0.7,
  validate: gstinCheck,
  validScore: 1,
  context: GSTIN_WORDS,
});
// The structure alone is specific enough to report a GSTIN with a wrong check character.
const gstinShape = india({
  id: 'in-gstin-shape',
  entity: 'IN_GSTIN',
  pattern: bounded(GSTIN, 'i'),
  starts: ['digit'],
  score: 0.7,
  context: GSTIN_WORDS,
});

// Vehicle registration: state or union-territory code, RTO district (1–2 digits), series (0–3 letters)
// and a four-digit number; or the Bharat series (YY BH NNNN XX). Without series letters the shape is a
// postal code ("APO AP 96854").
const STATES =
  'AN|AP|AR|AS|BR|CG|CH|DD|DL|DN|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|OR|PB|PY|RJ|SK|TN|TR|TS|UA|UK|UP|WB';
const vehicle = india({
  id: 'in-vehicle-registration',
  entity: 'IN_VEHICLE_REGISTRATION',
  pattern: withLeadingWords(
    `(?:${STATES})[ -]?\\d{1,2}[ -]?[A-Z]{1,3}[ -]?\\d{4}|\\d{2}[ -]?BH[ -]?\\d{4}[ -]?[A-Z]{1,2}`,
    '[A-Z]{2} ',
  ),
  group: 1,
  starts: ['upper', 'digit'],
  score: 0.5,
  context: ['vehicle', 'registration', 'registration number', 'number plate', 'license plate', 'rc', 'car', 'bike'],
});

export const inRecognizers: readonly Recognizer[] = [
  pan,
  panShape,
  aadhaar,
  passport,
  voter,
  gstin,
  gstinShape,
  vehicle,
];
