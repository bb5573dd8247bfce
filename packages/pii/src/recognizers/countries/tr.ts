import { digitsOf } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { countryRecognizer, NUMBER_START, numberBounded } from './shared.js';

const tr = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('TR', spec);

// T.C. Kimlik No: eleven digits, no leading zero; the tenth is (7 × (d1+d3+d5+d7+d9) − (d2+d4+d6+d8)) mod 10,
// the eleventh the sum of the first ten mod 10.
const nationalId = tr({
  id: 'tr-national-id',
  entity: 'TR_NATIONAL_ID',
  pattern: numberBounded('[1-9]\\d{10}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const d = [...value].map((char) => char.charCodeAt(0) - 48);
    const odd = d[0]! + d[2]! + d[4]! + d[6]! + d[8]!;
    const even = d[1]! + d[3]! + d[5]! + d[7]!;
    if ((((7 * odd - even) % 10) + 10) % 10 !== d[9]) return false;
    return d.slice(0, 10).reduce((sum, digit) => sum + digit, 0) % 10 === d[10];
  },
  validScore: 0.9,
  context: ['tc kimlik', 'kimlik no', 'kimlik numarası', 'tckn', 't.c', 'kimlik', 'turkish id', 'national id'],
});

// Phone numbers: mobile operator codes (50x, 53x–55x, 561) and geographic area codes, ten digits after the
// trunk 0 or +90, commonly grouped 3-3-2-2.
const AREA_CODES = new Set(
  (
    '212 216 222 224 226 228 232 236 242 246 248 252 256 258 262 264 266 272 274 276 282 284 286 288 312 318 322 ' +
    '324 326 328 332 338 342 344 346 348 352 354 356 358 362 364 366 368 370 372 374 376 378 380 382 384 386 388 412 ' +
    '414 416 422 424 426 428 432 434 436 438 442 446 452 454 456 458 462 464 466 472 474 476 478 482 484 486 488 850'
  ).split(' '),
);
const knownPrefix = (national: string) => /^5(?:0\d|[345]\d|61)/.test(national) || AREA_CODES.has(national.slice(0, 3));
// Written 3-3-2-2 (with one separator style), 3-7 after a parenthesised code, or as one run of digits; the
// American 3-3-4 grouping is left to the generic phone recognizer.
const GROUPED =
  '\\d{3}(?: \\d{3} \\d{2} \\d{2}|-\\d{3}-\\d{2}-\\d{2}|\\.\\d{3}\\.\\d{2}\\.\\d{2}|\\d{7})|\\(\\d{3}\\) ?(?:\\d{3} \\d{2} \\d{2}|\\d{7})';
const PHONE_WORDS = [
  'telefon',
  'tel',
  'cep',
  'gsm',
  'numara',
  'numaram',
  'telefon numarası',
  'phone',
  'mobile',
  'cell',
];
const phone = tr({
  id: 'tr-phone-number',
  entity: 'TR_PHONE_NUMBER',
  pattern: new RegExp(`(?<![\\w+])(?:\\+90|0)[ -]?(?:${GROUPED})(?![\\w]|[ .-]\\d)`),
  starts: ['plus', 'digit'],
  score: 0.4,
  validate: (value) => knownPrefix(digitsOf(value).replace(/^(?:90|0)/, '')),
  validScore: 0.7,
  context: PHONE_WORDS,
});
// Without the trunk prefix: ten digits starting with a Turkish mobile or area code.
const phoneNational = tr({
  id: 'tr-phone-number-national',
  entity: 'TR_PHONE_NUMBER',
  pattern: new RegExp(`${NUMBER_START}(?:${GROUPED})(?![\\w]|[ .-]\\d)`),
  starts: ['digit', 'paren'],
  score: 0.3,
  validate: (value) => knownPrefix(digitsOf(value)),
  validScore: 0.5,
  context: PHONE_WORDS,
});

// Licence plate: province code 01–81, one to three letters (no Q, W, X) and two to four digits. Upper case
// only; units and times read the same way ("16 GB 2400", "10 AM 2024").
const NOT_PLATE_LETTERS = new Set([
  'AM',
  'PM',
  'KG',
  'KM',
  'CM',
  'MM',
  'MG',
  'ML',
  'KB',
  'MB',
  'GB',
  'TB',
  'HZ',
  'KHZ',
  'MHZ',
  'GHZ',
  'MP',
  'HP',
  'KW',
  'BC',
  'AD',
]);
const plate = tr({
  id: 'tr-license-plate',
  entity: 'TR_LICENSE_PLATE',
  pattern: numberBounded('(?:0[1-9]|[1-7]\\d|8[01]) ?[A-PR-VYZ]{1,3} ?\\d{2,4}'),
  starts: ['digit'],
  score: 0.5,
  validate: (value) => !NOT_PLATE_LETTERS.has(value.replace(/[^A-Z]/g, '')),
  validScore: 0.5,
  context: ['plaka', 'plakası', 'araç', 'arac', 'license plate', 'licence plate', 'plate', 'vehicle'],
});

export const trRecognizers: readonly Recognizer[] = [nationalId, phone, phoneNational, plate];
