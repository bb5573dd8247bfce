import { digitsOf } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer, isDate, numberBounded } from './shared.js';

const kr = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('KR', spec);

// Resident and foreigner registration numbers: birth date YYMMDD, a hyphen, then a digit giving sex and
// century (1–4 residents, 5–8 foreigners; 1, 2, 5, 6 for the 1900s), five digits and a check digit
// (weights 2 … 9, 2 … 5, (11 − sum mod 11) mod 10). Numbers issued since October 2020 no longer carry a
// meaningful check digit, so a valid date and sex digit are enough for a lower score.
const RRN_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
const registrationDateValid = (digits: string) => {
  const sexDigit = digits.charCodeAt(6) - 48;
  const century = sexDigit === 1 || sexDigit === 2 || sexDigit === 5 || sexDigit === 6 ? 1900 : 2000;
  const year = century + Number(digits.slice(0, 2));
  return year <= new Date().getFullYear() && isDate(year, Number(digits.slice(2, 4)), Number(digits.slice(4, 6)));
};
const registrationCheck = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (digits.charCodeAt(i) - 48) * RRN_WEIGHTS[i]!;
  return (11 - (sum % 11)) % 10 === digits.charCodeAt(12) - 48;
};
const registration = (id: string, entity: string, sexDigits: string, context: readonly string[]): Recognizer[] => {
  const pattern = numberBounded(`\\d{6}-?[${sexDigits}]\\d{6}`);
  return [
    kr({
      id,
      entity,
      pattern,
      starts: ['digit'],
      score: 0.5,
      validate: (value) => {
        const digits = digitsOf(value);
        return registrationDateValid(digits) && registrationCheck(digits);
      },
      validScore: 0.95,
      context,
    }),
    kr({
      id: `${id}-date`,
      entity,
      pattern,
      starts: ['digit'],
      score: 0.6,
      validate: (value) => registrationDateValid(digitsOf(value)),
      validScore: 0.6,
      context,
    }),
  ];
};
const rrn = registration('kr-rrn', 'KR_RRN', '1-4', [
  'rrn',
  'resident registration',
  'resident registration number',
  '주민등록번호',
  '주민번호',
  '주민등록',
]);
const frn = registration('kr-frn', 'KR_FRN', '5-8', [
  'frn',
  'foreigner registration',
  'alien registration',
  'foreign registration number',
  '외국인등록번호',
  '외국인등록',
]);

// Passport: type letter (M multiple, S single, R travel certificate, O official, D diplomatic, G), then
// three digits, a letter and four digits (since 2021) or eight digits (before).
const passport = kr({
  id: 'kr-passport',
  entity: 'KR_PASSPORT',
  pattern: bounded('[MSRODG]\\d{3}[A-Z]\\d{4}|[MSRODG]\\d{8}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: ['passport', 'passport number', '여권', '여권번호'],
});

// Driver's licence: region code (11–26, 28), issue year, six-digit serial and two check digits, hyphenated
// or spaced; twelve bare digits only next to a licence word.
const LICENSE_WORDS = [
  'driver license',
  "driver's license",
  'driving licence',
  'driving license',
  'license',
  'licence',
  '운전면허',
  '운전면허번호',
  '면허번호',
];
const REGION = '(?:1[1-9]|2[0-68])';
const driverLicense = kr({
  id: 'kr-driver-license',
  entity: 'KR_DRIVER_LICENSE',
  pattern: numberBounded(`${REGION}-\\d{2}-\\d{6}-\\d{2}|${REGION} \\d{2} \\d{6} \\d{2}`),
  starts: ['digit'],
  score: 0.5,
  context: LICENSE_WORDS,
});
const driverLicenseCompact = kr({
  id: 'kr-driver-license-compact',
  entity: 'KR_DRIVER_LICENSE',
  pattern: numberBounded(`${REGION}\\d{10}`),
  starts: ['digit'],
  score: 0.3,
  contextRequired: true,
  context: LICENSE_WORDS,
});

// Business registration number: 3-2-5 digits; weights 1 3 7 1 3 7 1 3 5 plus the tens of the ninth
// digit × 5, complement mod 10.
const BRN_WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5];
const brn = kr({
  id: 'kr-brn',
  entity: 'KR_BRN',
  pattern: numberBounded('\\d{3}-\\d{2}-\\d{5}|\\d{10}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * BRN_WEIGHTS[i]!;
    sum += Math.floor(((digits.charCodeAt(8) - 48) * 5) / 10);
    return (10 - (sum % 10)) % 10 === digits.charCodeAt(9) - 48;
  },
  validScore: 0.6,
  context: ['brn', 'business registration', 'business registration number', '사업자등록번호', '사업자번호', '사업자'],
});

export const krRecognizers: readonly Recognizer[] = [
  ...rrn,
  ...frn,
  passport,
  driverLicense,
  driverLicenseCompact,
  brn,
];
