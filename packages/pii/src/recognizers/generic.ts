import { isIPv6 } from 'node:net';
import { alnumOf, base58Check, bech32, digitsOf, luhn, mod97 } from '../checksums.js';
import type { Recognizer } from '../recognizer.js';

/** Context words shared by several recognizers, in English, French, German, Spanish, Italian and Dutch. */
const PHONE_WORDS = [
  'phone',
  'telephone',
  'tel',
  'mobile',
  'cell',
  'call',
  'fax',
  'whatsapp',
  'contact',
  'desk',
  'dial',
  'text me',
  'téléphone',
  'portable',
  'appeler',
  'joindre',
  'telefon',
  'handy',
  'rufnummer',
  'anrufen',
  'durchwahl',
  'teléfono',
  'móvil',
  'celular',
  'llamar',
  'telefono',
  'cellulare',
  'chiamare',
  'telefoon',
  'mobiel',
  'bellen',
];
const CARD_WORDS = [
  'card',
  'credit',
  'debit',
  'visa',
  'mastercard',
  'amex',
  'cc',
  'payment',
  'carte',
  'crédit',
  'bancaire',
  'karte',
  'kreditkarte',
  'zahlung',
  'tarjeta',
  'crédito',
  'débito',
  'pago',
  'carta',
  'credito',
  'pagamento',
  'kaart',
  'creditcard',
  'betaling',
];
const BANK_WORDS = [
  'iban',
  'account',
  'bank',
  'transfer',
  'wire',
  'compte',
  'virement',
  'banque',
  'konto',
  'überweisung',
  'cuenta',
  'transferencia',
  'banco',
  'conto',
  'bonifico',
  'rekening',
  'overschrijving',
];
const SSN_WORDS = [
  'ssn',
  'social security',
  'social',
  'security number',
  'ss#',
  'ssn#',
  'sozialversicherung',
  'seguridad social',
];
const BIRTH_WORDS = [
  'born',
  'birth',
  'birthday',
  'dob',
  'd.o.b',
  'date of birth',
  'birthdate',
  'né',
  'née',
  'naissance',
  'geboren',
  'geburtsdatum',
  'geburtstag',
  'nacido',
  'nacida',
  'nacimiento',
  'nato',
  'nata',
  'nascita',
  'geboortedatum',
  'jarig',
];
const IP_WORDS = ['ip', 'address', 'host', 'server', 'adresse', 'adresa', 'dirección', 'indirizzo', 'adres'];

// --- e-mail -------------------------------------------------------------------------------------------
// RFC 5322 "dot-atom" local part and a DNS domain with a letter (or punycode) top-level label.
const LOCAL_ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}";
const DOMAIN_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const email: Recognizer = {
  id: 'email',
  entity: 'EMAIL_ADDRESS',
  kind: 'pii',
  pattern: new RegExp(
    `(?<![A-Za-z0-9!#$%&'*+/=?^_\`{|}~.-])${LOCAL_ATOM}(?:\\.${LOCAL_ATOM}){0,8}@(?:${DOMAIN_LABEL}\\.){1,8}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`,
  ),
  starts: ['digit', 'upper', 'lower', 'other', 'plus', 'dash'],
  needs: '@',
  score: 0.9,
  testValues: ['user@example.com', 'test@example.com', 'john.doe@example.com', 'foo@bar.com'],
};

// --- phone numbers --------------------------------------------------------------------------------------
// International (+CC or 00CC) or national numbers written in digit groups: 7 to 15 digits, separators
// space, dot, dash or a parenthesised area code, an optional extension. Plain runs of digits without any
// separator or '+' are left to other recognizers (they are as likely to be order numbers).
const phone: Recognizer = {
  id: 'phone',
  entity: 'PHONE_NUMBER',
  kind: 'pii',
  pattern:
    /(?<![\w+.-])(?:(?:\+|00)[1-9]\d{6,14}|(?:(?:\+|00)[1-9]\d{0,2}[ .-]?(?:\(0\)[ .-]?)?)?(?:\(\d{1,5}\)[ .-]?|\d{1,5}[ .-])(?:\d{1,5}[ .-]){0,4}\d{2,8})(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?!\w|-\d|\.\d|:\d)/,
  starts: ['digit', 'plus', 'paren'],
  score: 0.6,
  validate: (value) => {
    const main = value.replace(/(?:x|ext\.?|#)[ ]?\d{1,6}$/, '');
    const digits = digitsOf(main);
    if (digits.length < 7 || digits.length > 15) return false;
    // Dates and times read like digit groups; leave them to the date recognizer.
    if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:\D|$)|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/.test(main)) return false;
    // Four dotted groups of 1–3 digits is an IP address or a version; 3-2-4 is the US SSN shape.
    if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(main) || /^\d{3}-\d{2}-\d{4}$/.test(main)) return false;
    // Two plain groups ("17151 2450", "3610-114") are as often a street number, a postcode or a
    // reference: see phoneLoose, which needs a context word.
    if (/^\d{1,5}[ .-]\d{2,8}$/.test(main)) return false;
    return true;
  },
  context: PHONE_WORDS,
  testValues: ['555-555-5555', '123-456-7890', '(555) 555-5555'],
};
// Two digit groups separated by one space ("17151 2450") are as often a street number and a postcode:
// a phone number only with a context word.
// For the two context-only shapes, "number" counts as context too ("my number is 09-7625400").
const PHONE_WORDS_LOOSE = [...PHONE_WORDS, 'number', 'numéro', 'nummer', 'número', 'numero'];
const phoneLoose: Recognizer = {
  ...phone,
  context: PHONE_WORDS_LOOSE,
  id: 'phone-two-groups',
  validate: (value) => digitsOf(value).length >= 7 && digitsOf(value).length <= 13,
  pattern: /(?<![\w+.-])\d{2,5}[ .-]\d{3,8}(?!\w|[ .-]\d|\.\d|:\d)/,
  score: 0.35,
  contextRequired: true,
};
// Ten to fifteen digits in one run: a phone number only with a context word ("Fax: 9498777106").
const phoneCompact: Recognizer = {
  ...phone,
  context: PHONE_WORDS_LOOSE,
  id: 'phone-compact',
  validate: (value) => digitsOf(value).length >= 9 && digitsOf(value).length <= 15,
  pattern: /(?<![\w+.-])0?\d{9,14}(?!\w|-\d|\.\d)/,
  score: 0.35,
  contextRequired: true,
};

// --- payment cards --------------------------------------------------------------------------------------
// 12 to 19 digits, plain or in groups separated by one space or dash, starting with a known issuer digit,
// passing Luhn.
const creditCard: Recognizer = {
  id: 'credit-card',
  entity: 'CREDIT_CARD',
  kind: 'pii',
  pattern:
    /(?<![\d-])[1-6](?:\d{11,18}|\d{3}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{3}[ -]\d{6}[ -]\d{4,5}|\d{3}(?:[ -]\d{4}){3}[ -]\d{1,3})(?![\d]|-\d)/,
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const digits = digitsOf(value);
    if (digits.length < 12 || digits.length > 19) return false;
    if (/^(\d)\1+$/.test(digits)) return false;
    // Issuer digit 1 is UATP, always 15 digits.
    if (digits[0] === '1' && digits.length !== 15) return false;
    return luhn(digits);
  },
  validScore: 0.95,
  context: CARD_WORDS,
  testValues: ['4111111111111111', '4012888888881881', '5555555555554444', '378282246310005', '6011111111111117'],
};

// --- IBAN -----------------------------------------------------------------------------------------------
// Country code, two check digits, then the country's fixed number of alphanumerics (in groups of four, or
// not); the length table cuts the match, mod 97 confirms it. Lower case is accepted (people type it).
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};
const iban: Recognizer = {
  id: 'iban',
  entity: 'IBAN_CODE',
  kind: 'pii',
  pattern: /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,30}/,
  starts: ['upper', 'lower'],
  score: 0.3,
  refine: (value) => {
    const expected = IBAN_LENGTHS[value.slice(0, 2).toUpperCase()];
    if (expected === undefined) return undefined;
    let count = 0;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code === 32 || code === 45) continue;
      count++;
      if (count === expected) {
        // The value must end here: not inside a longer alphanumeric group.
        const next = value.charCodeAt(i + 1);
        if (i + 1 < value.length && next !== 32 && next !== 45) return undefined;
        return i + 1;
      }
    }
    return undefined;
  },
  validate: (value) => {
    const compact = alnumOf(value);
    return mod97(compact.slice(4) + compact.slice(0, 4)) === 1;
  },
  validScore: 0.95,
  context: BANK_WORDS,
  testValues: ['GB82WEST12345698765432', 'DE89370400440532013000'],
};

// --- SWIFT / BIC ----------------------------------------------------------------------------------------
const COUNTRY_CODES = new Set(
  (
    'AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BM BN BO BR BS BT BW BY BZ CA CD CF CG CH CI ' +
    'CK CL CM CN CO CR CU CV CW CY CZ DE DJ DK DM DO DZ EC EE EG ES ET FI FJ FK FM FO FR GA GB GD GE GG GH GI GL GM GN GQ ' +
    'GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK ' +
    'LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MO MP MR MS MT MU MV MW MX MY MZ NA NC NE NG NI NL NO NP NR NZ OM PA ' +
    'PE PF PG PH PK PL PR PS PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH ' +
    'TJ TL TM TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WS XK YE ZA ZM ZW'
  ).split(' '),
);
const swift: Recognizer = {
  id: 'swift-bic',
  entity: 'SWIFT_CODE',
  kind: 'pii',
  // The key word is part of the pattern: a bare 8-letter upper-case word is far more often not a BIC.
  pattern:
    /(?:SWIFT|BIC|Swift|swift|bic)(?:[ -]?(?:code|Code|CODE|number|#))?\s{0,3}[:=]?\s{0,3}([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)(?![A-Za-z0-9])/,
  group: 1,
  starts: ['upper', 'lower'],
  literals: ['SWIFT', 'BIC'],
  score: 0.85,
  validate: (value) => COUNTRY_CODES.has(value.slice(4, 6)),
};

// --- network addresses ----------------------------------------------------------------------------------
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4: Recognizer = {
  id: 'ipv4',
  entity: 'IP_ADDRESS',
  kind: 'pii',
  pattern: new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?:/(?:3[0-2]|[12]?\\d))?(?!\\d)`),
  starts: ['digit'],
  score: 0.6,
  context: IP_WORDS,
};
const ipv6: Recognizer = {
  id: 'ipv6',
  entity: 'IP_ADDRESS',
  kind: 'pii',
  pattern:
    /(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:%[0-9A-Za-z]{1,16})?(?:\/(?:12[0-8]|1[01]\d|[1-9]?\d))?(?![0-9A-Za-z:]|\.[0-9A-Za-z])/,
  starts: ['digit', 'upper', 'lower', 'other'],
  needs: ':',
  score: 0.6,
  validate: (value) => {
    const address = value.replace(/\/\d+$/, '').replace(/%.*$/, '');
    return (address.match(/:/g)?.length ?? 0) >= 2 && isIPv6(address);
  },
  context: IP_WORDS,
};
const mac: Recognizer = {
  id: 'mac-address',
  entity: 'MAC_ADDRESS',
  kind: 'pii',
  pattern:
    /(?<![0-9A-Fa-f:.-])(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![0-9A-Fa-f:.-])/,
  starts: ['digit', 'upper', 'lower'],
  score: 0.6,
  // All zeros and the broadcast address name no device.
  validate: (value) => !/^(?:0{12}|f{12})$/i.test(value.replace(/[:.-]/g, '')),
};
const url: Recognizer = {
  id: 'url',
  entity: 'URL',
  kind: 'pii',
  pattern:
    /(?<![\w/])(?:(?:https?|ftp|wss?):\/\/|www\.)[A-Za-z0-9.-]{1,253}(?::\d{1,5})?(?:[/?#][^\s<>"'`{}|\\^[\]]{0,2000})?/,
  starts: ['lower', 'upper'],
  needs: '.',
  literals: ['www.'],
  longValues: true,
  score: 0.6,
  refine: (value) => {
    // Trailing punctuation belongs to the sentence; a closing bracket only when it has no opener.
    let end = value.length;
    while (end > 0 && '.,;:!?'.includes(value[end - 1]!)) end--;
    if (value[end - 1] === ')' && !value.slice(0, end).includes('(')) end--;
    return end > 0 ? end : undefined;
  },
  validate: (value) => {
    const host = (value.replace(/^[a-z]+:\/\//i, '').split(/[/?#:]/)[0] ?? '').replace(/^www\./i, '');
    return /^(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}$/.test(host) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
  },
};

// --- crypto wallets -------------------------------------------------------------------------------------
const bitcoinLegacy: Recognizer = {
  id: 'bitcoin-base58',
  entity: 'CRYPTO',
  kind: 'pii',
  pattern: /(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])/,
  starts: ['digit'],
  score: 0.2,
  validate: base58Check,
  validScore: 0.95,
};
const bitcoinBech32: Recognizer = {
  id: 'bitcoin-bech32',
  entity: 'CRYPTO',
  kind: 'pii',
  pattern: /(?<![A-Za-z0-9])(?:bc1|BC1|tb1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![A-Za-z0-9])/,
  starts: ['lower', 'upper'],
  score: 0.2,
  validate: bech32,
  validScore: 0.95,
};
const ethereum: Recognizer = {
  id: 'ethereum-address',
  entity: 'CRYPTO',
  kind: 'pii',
  pattern: /(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])/,
  starts: ['digit'],
  score: 0.75,
  context: ['eth', 'ethereum', 'wallet', 'address', 'send', 'crypto'],
};

// --- dates ----------------------------------------------------------------------------------------------
/** Month names and abbreviations in the six context languages (a regex alternation; also used by addresses). */
export const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|januari|februari|maart|mei|augustus';
const NUMERIC_DATE = '(?:\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2}))';
const TIME = '(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,6})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)';

function plausibleDate(value: string): boolean {
  const numbers = value.match(/\d+/g)?.map(Number) ?? [];
  if (numbers.length < 3) return true;
  const [a, b, c] = numbers as [number, number, number];
  const year = a > 31 ? a : c;
  const monthDay = a > 31 ? [b, c] : [a, b];
  const [first, second] = monthDay as [number, number];
  const validPair = (month: number, day: number) => month >= 1 && month <= 12 && day >= 1 && day <= 31;
  if (!validPair(first, second) && !validPair(second, first)) return false;
  return year < 100 || (year >= 1800 && year <= 2200);
}

const dateTime: Recognizer = {
  id: 'date-time',
  entity: 'DATE_TIME',
  kind: 'pii',
  pattern: new RegExp(`(?<![\\d/.-])${NUMERIC_DATE}${TIME}?(?![\\d]|[/.-]\\d)`),
  starts: ['digit'],
  score: 0.6,
  validate: plausibleDate,
};
// Dates written with month names: "5-May-2021", "May-2021", "21-May", "May 1st, 1977", "12 March 1980".
const dateWithMonth: Recognizer = {
  id: 'date-month-name',
  entity: 'DATE_TIME',
  kind: 'pii',
  leadingWord: true,
  pattern: new RegExp(
    `(?<![\\p{L}\\d])(?:\\d{1,2}(?:st|nd|rd|th|er|\\.)?[- /](?:${MONTHS})\\.?(?:[- /,]{1,2}\\d{2,4})?|(?:${MONTHS})\\.?[- ]\\d{1,2}(?:st|nd|rd|th)?(?:,? \\d{4})?|(?:${MONTHS})[-/ ]\\d{4})(?![\\p{L}\\d])`,
    'iu',
  ),
  starts: ['digit', 'upper', 'lower'],
  score: 0.6,
};
// Month and year: "05/2021", "5/21".
const monthYear: Recognizer = {
  id: 'date-month-year',
  entity: 'DATE_TIME',
  kind: 'pii',
  pattern: /(?<![\d/.-])(?:0?[1-9]|1[0-2])\/(?:\d{2}|(?:19|20)\d{2})(?![\d/]|\.\d)/,
  starts: ['digit'],
  score: 0.5,
};

// A year on its own is a date only with a word that makes it one ("in 1972", "since 2001").
const year: Recognizer = {
  id: 'date-year',
  entity: 'DATE_TIME',
  kind: 'pii',
  // A full stop or comma after it ends the sentence or the clause ("formed in 1984."); one followed by a
  // digit makes it a decimal or a longer number ("1977.5", "1,977,000").
  pattern: /(?<![\d.,/:-])(?:1[89]|20)\d{2}(?![\d]|[.,/:-]\d|\s?%)/,
  starts: ['digit'],
  score: 0.3,
  context: [
    'in',
    'year',
    'since',
    'until',
    'till',
    'from',
    'during',
    'around',
    'circa',
    'born',
    'founded',
    'en',
    'depuis',
    'im',
    'seit',
    'jahr',
    'desde',
    'año',
    'nel',
    'dal',
    'anno',
    'sinds',
    'jaar',
  ],
  contextRequired: true,
};

// Weekdays and months named on their own ("on Tuesday evening", "in May"), as Presidio's NER reports them.
// No digit to anchor on: found from their names (one native scan per name), so only when DATE_TIME is asked.
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const weekday: Recognizer = {
  id: 'date-weekday',
  entity: 'DATE_TIME',
  kind: 'pii',
  pattern: new RegExp(`(?<![\\p{L}\\d])(?:${WEEKDAYS.join('|')})s?(?![\\p{L}\\d])`, 'u'),
  starts: ['upper'],
  literals: WEEKDAYS,
  score: 0.55,
};
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
// A month alone is a date after a word that makes it one ("in May", "since March"): "May I ask" is not.
const monthAlone: Recognizer = {
  id: 'date-month-alone',
  entity: 'DATE_TIME',
  kind: 'pii',
  pattern: new RegExp(
    `(?<=(?<![\\p{L}])(?:[Ii]n|[Ss]ince|[Uu]ntil|[Tt]ill|[Dd]uring|[Bb]y|[Ff]rom|[Bb]efore|[Aa]fter|[Ee]arly|[Ll]ate|[Mm]id|[Ll]ast|[Nn]ext|[Tt]his|[Ee]nd of|[Ss]tart of) )(?:${MONTH_NAMES.join('|')})(?![\\p{L}\\d])`,
    'u',
  ),
  starts: ['upper'],
  literals: MONTH_NAMES,
  score: 0.55,
};

const dateOfBirth: Recognizer = {
  id: 'date-of-birth',
  entity: 'DATE_OF_BIRTH',
  kind: 'pii',
  leadingWord: true,
  pattern: new RegExp(
    `(?<![\\d/.-])(?:${NUMERIC_DATE}|\\d{1,2}(?:st|nd|rd|th|er|\\.)? (?:${MONTHS})\\.? \\d{4}|(?:${MONTHS})\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4})(?![\\d]|[/.-]\\d)`,
    'i',
  ),
  starts: ['digit', 'upper', 'lower'],
  score: 0.5,
  validate: plausibleDate,
  context: BIRTH_WORDS,
  contextRequired: true,
};

// --- United States social security number -----------------------------------------------------------
// Area 001–899 except 666, group 01–99, serial 0001–9999; one separator style throughout.
const SSN_SEPARATED =
  /(?<![\d-])(?!000|666|9)\d{3}(?:-(?!00)\d{2}-(?!0000)\d{4}|\.(?!00)\d{2}\.(?!0000)\d{4}| (?!00)\d{2} (?!0000)\d{4})(?![\d]|-\d)/;
const validSsn = (value: string): boolean => {
  const digits = digitsOf(value);
  return !/^(\d)\1{8}$/.test(digits) && digits !== '123456789';
};
const usSsn: Recognizer = {
  id: 'us-ssn',
  entity: 'US_SSN',
  kind: 'pii',
  pattern: SSN_SEPARATED,
  starts: ['digit'],
  score: 0.6,
  validate: validSsn,
  context: SSN_WORDS,
  testValues: ['123-45-6789', '078-05-1120', '219-09-9999'],
};
// Nine digits with no separator are an SSN only next to a context word.
const usSsnCompact: Recognizer = {
  ...usSsn,
  id: 'us-ssn-compact',
  pattern: /(?<![\d-])(?!000|666|9)\d{3}(?!00)\d{2}(?!0000)\d{4}(?![\d]|-\d)/,
  // Above the context-only phone shapes: "social security number 503472247" is an SSN.
  score: 0.4,
  contextRequired: true,
};

/** Recognizers for entities that are not tied to one country (plus the US SSN). */
export const genericRecognizers: readonly Recognizer[] = [
  email,
  phone,
  phoneLoose,
  phoneCompact,
  creditCard,
  iban,
  swift,
  ipv4,
  ipv6,
  mac,
  url,
  bitcoinLegacy,
  bitcoinBech32,
  ethereum,
  dateTime,
  dateWithMonth,
  monthYear,
  year,
  weekday,
  monthAlone,
  dateOfBirth,
  usSsn,
  usSsnCompact,
];
