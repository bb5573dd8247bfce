import { alnumOf, digitsOf, icaoCheckDigit, mod11_10 } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { alnumValue, bounded, countryRecognizer, numberBounded, withLeadingWords } from './shared.js';

const de = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('DE', spec);

// Steuerliche Identifikationsnummer: eleven digits, no leading zero; among the first ten one digit may repeat
// (at most three times, never three in a row) and the last is an ISO 7064 MOD 11,10 check digit.
function taxIdDigitsValid(digits: string): boolean {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[digits.charCodeAt(i) - 48]!++;
  let repeated = 0;
  for (const count of counts) {
    if (count > 3) return false;
    if (count > 1) repeated++;
  }
  if (repeated > 1) return false;
  for (let i = 2; i < 10; i++) if (digits[i] === digits[i - 1] && digits[i] === digits[i - 2]) return false;
  return true;
}
const taxId = de({
  id: 'de-tax-id',
  entity: 'DE_TAX_ID',
  pattern: numberBounded('[1-9]\\d ?\\d{3} ?\\d{3} ?\\d{3}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    return taxIdDigitsValid(digits) && mod11_10(digits);
  },
  validScore: 0.6,
  context: [
    'steuer',
    'steuerid',
    'steueridentifikationsnummer',
    'identifikationsnummer',
    'idnr',
    'steuerliche identifikationsnummer',
    'tax id',
    'tin',
  ],
});

// Personalausweis and Reisepass (since 2010 / 2007): nine characters from digits and the letters
// C F G H J K L M N P R T V W X Y Z, the last an ICAO 9303 check digit over the first eight.
const DOCUMENT_NUMBER = '[CFGHJ-NPRTV-Z][0-9CFGHJ-NPRTV-Z]{7}\\d';
const documentNumberValid = (value: string) => {
  const compact = value.toUpperCase();
  return icaoCheckDigit(compact.slice(0, 8)) === compact.charCodeAt(8) - 48;
};
const idCard = de({
  id: 'de-id-card',
  entity: 'DE_ID_CARD',
  pattern: bounded(DOCUMENT_NUMBER, 'i'),
  starts: ['upper', 'lower'],
  score: 0.3,
  validate: documentNumberValid,
  validScore: 0.6,
  context: [
    'personalausweis',
    'ausweis',
    'ausweisnummer',
    'perso',
    'personalausweisnummer',
    'id card',
    'identity card',
  ],
});
const passport = de({
  id: 'de-passport',
  entity: 'DE_PASSPORT',
  pattern: bounded(DOCUMENT_NUMBER, 'i'),
  starts: ['upper', 'lower'],
  score: 0.3,
  validate: documentNumberValid,
  validScore: 0.6,
  context: ['reisepass', 'pass', 'passnummer', 'reisepassnummer', 'passport'],
});

// Umsatzsteuer-Identifikationsnummer: DE and nine digits, the last an ISO 7064 MOD 11,10 check digit.
const vatId = de({
  id: 'de-vat-id',
  entity: 'DE_VAT_ID',
  pattern: withLeadingWords('DE[ .-]?\\d{3}[ .-]?\\d{3}[ .-]?\\d{3}', 'DE ', 'i'),
  group: 1,
  starts: ['upper', 'lower', 'digit'],
  score: 0.5,
  validate: (value) => mod11_10(digitsOf(value)),
  validScore: 1,
  context: ['ust', 'ustid', 'idnr', 'umsatzsteuer', 'umsatzsteueridentifikationsnummer', 'vat', 'vat id', 'vat number'],
});

// Kfz-Kennzeichen: district code (1–3 letters), 1–2 letters, 1–4 digits without a leading zero, E (electric)
// or H (historic); the parts separated by a space or a hyphen. Upper case only: in lower case the shape is
// ordinary prose ("in an 2020").
const DE_START = '(?<![A-Za-zÄÖÜäöüß0-9])';
const DE_END = '(?![A-Za-zÄÖÜäöüß0-9])';
const kfz = de({
  id: 'de-kfz',
  entity: 'DE_KFZ',
  pattern: withLeadingWords(
    '[A-ZÄÖÜ]{1,3}[ -][A-Z]{1,2}[ -][1-9]\\d{0,3}[EH]?',
    '[A-ZÄÖÜ]{1,3}[ -][A-Z]{1,2}[ -]|[A-ZÄÖÜ]{1,3}[ -]',
    '',
    DE_START,
    DE_END,
  ),
  group: 1,
  starts: ['upper', 'digit', 'other'],
  score: 0.5,
  context: [
    'kennzeichen',
    'kfz',
    'nummernschild',
    'fahrzeug',
    'auto',
    'license plate',
    'licence plate',
    'number plate',
  ],
});

// Postleitzahl: five digits 01001–99998. Any five-digit number, so only next to a postal word.
const plz = de({
  id: 'de-plz',
  entity: 'DE_PLZ',
  pattern: numberBounded('\\d{5}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const number = Number(value);
    return number >= 1001 && number <= 99998;
  },
  validScore: 0.3,
  contextRequired: true,
  // German words only: next to 'zip' a five-digit number is an American ZIP code.
  context: ['plz', 'postleitzahl', 'postanschrift', 'anschrift', 'adresse', 'wohnort', 'wohnhaft'],
});

const TAX_NUMBER_WORDS = ['steuernummer', 'st', 'stnr', 'steuer', 'finanzamt', 'tax number'];
// Steuernummer in the federal 13-digit form: a Land prefix and the tax office (FFFF), a 0, the district
// (BBB), the taxpayer (UUUU) and a check digit; Bavaria (9FFF) and North Rhine-Westphalia (5FFF) use a
// one-digit prefix. Thirteen digits are also every EAN barcode, so only next to a tax word.
const TAX_NUMBER_LAND_PREFIXES = new Set([
  '10',
  '11',
  '21',
  '22',
  '23',
  '24',
  '26',
  '27',
  '28',
  '30',
  '31',
  '32',
  '40',
  '41',
]);
const taxNumberFederal = de({
  id: 'de-tax-number',
  entity: 'DE_TAX_NUMBER',
  pattern: numberBounded('\\d{13}'),
  starts: ['digit'],
  score: 0.45,
  validate: (value) =>
    value[4] === '0' && (value[0] === '9' || value[0] === '5' || TAX_NUMBER_LAND_PREFIXES.has(value.slice(0, 2))),
  validScore: 0.45,
  contextRequired: true,
  context: TAX_NUMBER_WORDS,
});
// The Länder forms with slashes: FF/BBB/UUUUP, FFF/BBB/UUUUP, FFF/BBBB/UUUP, FFFFF/UUUUP.
const taxNumberSlashed = de({
  id: 'de-tax-number-slashed',
  entity: 'DE_TAX_NUMBER',
  pattern: numberBounded('\\d{2,3}/\\d{3,4}/\\d{4,5}|\\d{5}/\\d{5}'),
  starts: ['digit'],
  needs: '/',
  score: 0.5,
  context: TAX_NUMBER_WORDS,
});
// Any ten to thirteen digits right after a tax-number word.
const taxNumberNearWord = de({
  id: 'de-tax-number-context',
  entity: 'DE_TAX_NUMBER',
  pattern: numberBounded('\\d{10,13}'),
  starts: ['digit'],
  score: 0.3,
  contextRequired: true,
  context: TAX_NUMBER_WORDS,
});

// Handelsregisternummer: HRA (partnerships) or HRB (companies) and up to six digits.
const REGISTER_WORDS = [
  'handelsregister',
  'amtsgericht',
  'registergericht',
  'registernummer',
  'eingetragen',
  'commercial register',
];
const handelsregister = de({
  id: 'de-handelsregister',
  entity: 'DE_HANDELSREGISTER',
  pattern: withLeadingWords('HR[AB] ?\\d{1,6}', 'HR[AB] ', 'i'),
  group: 1,
  starts: ['upper', 'lower', 'digit'],
  score: 0.6,
  context: REGISTER_WORDS,
});
// Cooperative, partnership and association registers: GnR, PR and VR read like ordinary abbreviations.
const otherRegisters = de({
  id: 'de-handelsregister-other',
  entity: 'DE_HANDELSREGISTER',
  pattern: withLeadingWords('(?:GnR|PR|VR) ?\\d{1,6}', '(?:GnR|PR|VR) '),
  group: 1,
  starts: ['upper', 'digit'],
  score: 0.3,
  contextRequired: true,
  context: [...REGISTER_WORDS, 'genossenschaftsregister', 'partnerschaftsregister', 'vereinsregister'],
});

const DOCTOR_WORDS = [
  'lanr',
  'arztnummer',
  'lebenslange arztnummer',
  'arzt',
  'ärztin',
  'praxis',
  'bsnr',
  'betriebsstättennummer',
  'betriebsstätte',
];
// Lebenslange Arztnummer: six digits, a check digit (weights 4, 9 alternating, mod 10, complement) and a
// two-digit specialty code.
const lanr = de({
  id: 'de-lanr',
  entity: 'DE_LANR',
  pattern: numberBounded('\\d{9}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    let sum = 0;
    for (let i = 0; i < 6; i++) sum += (value.charCodeAt(i) - 48) * (i % 2 === 0 ? 4 : 9);
    return (10 - (sum % 10)) % 10 === value.charCodeAt(6) - 48;
  },
  validScore: 0.5,
  context: DOCTOR_WORDS,
});
// Betriebsstättennummer: nine digits without a check digit (the first two name the regional association).
const bsnr = de({
  id: 'de-bsnr',
  entity: 'DE_BSNR',
  pattern: numberBounded('\\d{9}'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => !value.startsWith('00'),
  validScore: 0.3,
  contextRequired: true,
  context: ['bsnr', 'betriebsstättennummer', 'betriebsstätte', 'betriebsstaettennummer', 'praxis'],
});

// Krankenversichertennummer: a letter and nine digits; the check digit is a Luhn-like sum (weights 1, 2,
// products digit-summed) over the letter's two-digit position in the alphabet and the first eight digits.
const healthInsurance = de({
  id: 'de-health-insurance',
  entity: 'DE_HEALTH_INSURANCE',
  pattern: bounded('[A-Z]\\d{9}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.3,
  validate: (value) => {
    const letter = value.toUpperCase().charCodeAt(0) - 64;
    const digits = `${String(letter).padStart(2, '0')}${value.slice(1, 9)}`;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      const product = (digits.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 2);
      sum += product > 9 ? product - 9 : product;
    }
    return sum % 10 === value.charCodeAt(9) - 48;
  },
  validScore: 0.75,
  context: [
    'krankenversichertennummer',
    'versichertennummer',
    'krankenversicherungsnummer',
    'kvnr',
    'krankenkasse',
    'egk',
    'gesundheitskarte',
    'versicherungsnummer',
    'health insurance',
  ],
});

// Rentenversicherungsnummer: area number, birth date (DDMMYY; the day may be raised by 50), the birth
// name's initial, a serial number and a check digit: weights 2 1 2 5 7 1 2 1 2 1 2 1 over the digits with the
// letter as its two-digit alphabet position, products digit-summed, mod 10.
const SOCIAL_WEIGHTS = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
const socialSecurity = de({
  id: 'de-social-security',
  entity: 'DE_SOCIAL_SECURITY',
  pattern: numberBounded('\\d{2} ?\\d{6} ?[A-Z] ?\\d{3}', 'i'),
  starts: ['digit'],
  score: 0.3,
  validate: (raw) => {
    const value = alnumOf(raw);
    if (value.startsWith('00')) return false;
    const day = Number(value.slice(2, 4)) % 50;
    const month = Number(value.slice(4, 6));
    if (day < 1 || day > 31 || month < 1 || month > 12) return false;
    const digits = `${value.slice(0, 8)}${String(value.charCodeAt(8) - 64).padStart(2, '0')}${value.slice(9, 11)}`;
    let sum = 0;
    for (let i = 0; i < 12; i++) {
      const product = (digits.charCodeAt(i) - 48) * SOCIAL_WEIGHTS[i]!;
      sum += Math.floor(product / 10) + (product % 10);
    }
    return sum % 10 === value.charCodeAt(11) - 48;
  },
  validScore: 0.85,
  context: [
    'rentenversicherungsnummer',
    'sozialversicherungsnummer',
    'versicherungsnummer',
    'rvnr',
    'svnr',
    'sv',
    'sozialversicherungsausweis',
    'rentenversicherung',
    'social security',
  ],
});

// Führerscheinnummer (card licences): authority code (Land letter A–P, two district digits, one character),
// five-character serial, check digit (weights 9 … 1 over the first nine, letters A=10 … Z=35, mod 11, 10 as X)
// and the issue number.
const LICENCE_WORDS = [
  'führerschein',
  'fuehrerschein',
  'führerscheinnummer',
  'fahrerlaubnis',
  'fahrerlaubnisnummer',
  'driving licence',
  'driving license',
  'driver license',
];
const fuehrerschein = de({
  id: 'de-fuehrerschein',
  entity: 'DE_FUEHRERSCHEIN',
  pattern: bounded('[A-P]\\d{2}[A-Z0-9]{6}[0-9X][A-Z0-9]', 'i'),
  starts: ['upper', 'lower'],
  score: 0.4,
  validate: (value) => {
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += alnumValue(value[i]!) * (9 - i);
    const check = sum % 11;
    return value[9]!.toUpperCase() === (check === 10 ? 'X' : String(check));
  },
  validScore: 0.9,
  context: LICENCE_WORDS,
});
// Any eleven letters and digits right next to a licence word.
const fuehrerscheinNearWord = de({
  id: 'de-fuehrerschein-context',
  entity: 'DE_FUEHRERSCHEIN',
  pattern: bounded('[A-Z0-9]{11}', 'i'),
  starts: ['upper', 'lower', 'digit'],
  score: 0.3,
  validate: (value) => /[A-Za-z]/.test(value) && digitsOf(value).length >= 4,
  validScore: 0.3,
  contextRequired: true,
  context: LICENCE_WORDS,
});

export const deRecognizers: readonly Recognizer[] = [
  taxId,
  idCard,
  passport,
  vatId,
  kfz,
  plz,
  taxNumberFederal,
  taxNumberSlashed,
  taxNumberNearWord,
  handelsregister,
  otherRegisters,
  lanr,
  bsnr,
  healthInsurance,
  socialSecurity,
  fuehrerschein,
  fuehrerscheinNearWord,
];
