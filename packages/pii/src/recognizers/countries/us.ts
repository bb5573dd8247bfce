import { digitsOf, luhn, weightedSum } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer, numberBounded } from './shared.js';

const us = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('US', spec);

// ITIN: 9XX-XX-XXXX with the middle group in 50–65, 70–88, 90–92 or 94–99; as selective as a check digit
// (about one nine-digit number in twenty-five has the shape).
const itin = us({
  id: 'us-itin',
  entity: 'US_ITIN',
  pattern: numberBounded('9\\d{2}[- ]?(?:5\\d|6[0-5]|7\\d|8[0-8]|9[0-24-9])[- ]?\\d{4}'),
  starts: ['digit'],
  score: 0.5,
  context: ['itin', 'individual taxpayer', 'taxpayer identification', 'tax id', 'tax identification'],
});

const PASSPORT_WORDS = ['passport', 'passport number', 'passport no', 'travel document'];
// Passport book numbers: a letter and eight digits (Next Generation passports, since 2021) or nine digits.
const passport = us({
  id: 'us-passport',
  entity: 'US_PASSPORT',
  pattern: bounded('[A-Z]\\d{8}'),
  starts: ['upper'],
  score: 0.5,
  context: PASSPORT_WORDS,
});
const passportNumeric = us({
  id: 'us-passport-numeric',
  entity: 'US_PASSPORT',
  pattern: numberBounded('\\d{9}'),
  starts: ['digit'],
  score: 0.3,
  contextRequired: true,
  context: PASSPORT_WORDS,
});

// Driver's licence numbers differ by state (letters and 4–14 digits, or digits alone): only next to a
// licence word.
const driverLicense = us({
  id: 'us-driver-license',
  entity: 'US_DRIVER_LICENSE',
  pattern: bounded('[A-Z]{1,2}[ -]?\\d{4,14}|\\d{6,14}|[A-Z]\\d{3}(?:[ -]\\d{3,4}){2,3}', 'i'),
  starts: ['upper', 'lower', 'digit'],
  score: 0.3,
  contextRequired: true,
  context: [
    'driver license',
    "driver's license",
    'drivers license',
    'driver licence',
    'driving license',
    'license number',
    'licence number',
    'dl',
    'dln',
  ],
});

// Bank account numbers: 8–17 digits with no structure, only next to an account word.
const bankNumber = us({
  id: 'us-bank-number',
  entity: 'US_BANK_NUMBER',
  pattern: numberBounded('\\d{8,17}'),
  starts: ['digit'],
  score: 0.3,
  contextRequired: true,
  context: ['bank account', 'account', 'account number', 'acct', 'checking', 'savings', 'bank', 'deposit', 'routing'],
});

// ABA routing number: Federal Reserve district prefix (00–12, 21–32, 61–72, 80), then a 3-7-1 weighted
// sum divisible by 10; also written as 4-4-1.
const aba = us({
  id: 'us-aba-routing-number',
  entity: 'ABA_ROUTING_NUMBER',
  pattern: numberBounded('(?:0\\d|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)(?:\\d{7}|\\d{2}-\\d{4}-\\d)'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    const sum = weightedSum(digits, [3, 7, 1, 3, 7, 1, 3, 7, 1]);
    return sum > 0 && sum % 10 === 0;
  },
  validScore: 0.6,
  context: ['aba', 'routing', 'routing number', 'aba number', 'rtn', 'bank', 'transit number'],
});

// Medicare Beneficiary Identifier: 11 characters in a fixed pattern of digits and letters (never S, L, O,
// I, B or Z), often written 4-3-4.
const MBI_LETTER = '[AC-HJKMNP-RT-Y]';
const MBI_ALNUM = '[AC-HJKMNP-RT-Y0-9]';
const mbi = us({
  id: 'us-mbi',
  entity: 'US_MBI',
  pattern: bounded(`[1-9]${MBI_LETTER}${MBI_ALNUM}\\d-?${MBI_LETTER}${MBI_ALNUM}\\d-?${MBI_LETTER}{2}\\d{2}`, 'i'),
  starts: ['digit'],
  score: 0.8,
  context: ['mbi', 'medicare', 'medicare beneficiary', 'beneficiary identifier', 'medicare id'],
});

// National Provider Identifier: ten digits starting 1 or 2, Luhn-valid with the 80840 prefix.
const npi = us({
  id: 'us-npi',
  entity: 'US_NPI',
  pattern: numberBounded('[12]\\d{3}[ -]?\\d{3}[ -]?\\d{3}'),
  starts: ['digit'],
  score: 0.3,
  // Nine repeated digits are placeholders, whatever their check digit.
  validate: (value) => {
    const digits = digitsOf(value);
    return !/^(?:0{9}|1{9}|2{9})/.test(digits) && luhn(`80840${digits}`);
  },
  validScore: 0.6,
  context: ['npi', 'national provider', 'provider identifier', 'provider number', 'provider id'],
});

// DEA registration number: registrant-type letter, the registrant's initial (or 9), seven digits: the last is
// (d1 + d3 + d5 + 2 × (d2 + d4 + d6)) mod 10.
const dea = us({
  id: 'us-dea-number',
  entity: 'MEDICAL_LICENSE',
  pattern: bounded('[ABCDEFGHJKLMPRSTUX][A-Z9]\\d{7}'),
  starts: ['upper'],
  score: 0.3,
  validate: (value) => {
    const d = [...value.slice(2)].map((char) => char.charCodeAt(0) - 48);
    return (d[0]! + d[2]! + d[4]! + 2 * (d[1]! + d[3]! + d[5]!)) % 10 === d[6];
  },
  validScore: 0.6,
  context: [
    'dea',
    'dea number',
    'dea registration',
    'medical license',
    'medical licence',
    'certificate',
    'prescriber',
    'license',
  ],
});

export const usRecognizers: readonly Recognizer[] = [
  itin,
  passport,
  passportNumeric,
  driverLicense,
  bankNumber,
  aba,
  mbi,
  npi,
  dea,
];
