import { escapeLiteral } from '@parapet/core';
import type { EntityMatch } from './recognizer.js';
import { MONTHS } from './recognizers/generic.js';

/**
 * STREET_ADDRESS: street addresses found from their structure, without a gazetteer.
 *
 * An address has a house number and a street word next to it. Every run of one to six digits that stands
 * alone is a candidate house number; around it the recognizer looks for:
 * - number first, then the street: "221B Baker Street", "12 rue de la Paix", "137 Avenue Habib Bourguiba";
 * - the street first, then the number: "Via Garibaldi 12", "Rua das Flores 210", "Hämeenkatu 14",
 *   "Landesstraße 18", "Kossuth tér 8";
 * a street with no street word ("Petrova 17") counts only after an address cue or between a building
 * number and a unit. Then it takes in an apartment or suite ("Apt. 4B", "Suite 501", also on the next line)
 * and, on the same line, a US-style "City, ST 12345" or a European "12345 City". Military and post-office
 * boxes ("PSC 1234, Box 5678 APO AE 09876", "P.O. Box 42") have a pattern of their own.
 *
 * Linear: the number pass is one regex scan; around each number at most a fixed window (one line, at most
 * 96 characters each way) is read, with sticky patterns whose repetitions are all bounded.
 */

// Street words written after the name: the USPS suffixes, their usual abbreviations, and the English ones
// used elsewhere. Capitalized or all-caps (a lower-case "way" or "park" is prose).
const SUFFIX_WORDS = [
  'Street',
  'St',
  'Str',
  'Avenue',
  'Ave',
  'Av',
  'Road',
  'Rd',
  'Lane',
  'Ln',
  'Drive',
  'Dr',
  'Boulevard',
  'Blvd',
  'Court',
  'Ct',
  'Place',
  'Pl',
  'Square',
  'Sq',
  'Terrace',
  'Ter',
  'Way',
  'Parkway',
  'Pkwy',
  'Highway',
  'Hwy',
  'Freeway',
  'Expressway',
  'Circle',
  'Cir',
  'Crescent',
  'Cres',
  'Close',
  'Row',
  'Mews',
  'Grove',
  'Gardens',
  'Gdns',
  'Walk',
  'Hill',
  'Hills',
  'Trail',
  'Trl',
  'Path',
  'Park',
  'Parks',
  'Plaza',
  'Alley',
  'Crossing',
  'Ridge',
  'Heights',
  'Loop',
  'Pike',
  'Point',
  'Junction',
  'Union',
  'Squares',
  'Streets',
  'Fort',
  'Mall',
  'Cove',
  'Creek',
  'Estate',
  'Estates',
  'Station',
  'Village',
  'Green',
  'Common',
  'Manor',
  'View',
  'Vista',
  'Wharf',
  'Quay',
  'Embankment',
  'Broadway',
  'Causeway',
  'Centre',
  'Center',
  'Ctr',
  'Meadow',
  'Meadows',
  'Glen',
  'Brook',
  'Falls',
  'Harbor',
  'Harbour',
  'Haven',
  'Island',
  'Landing',
  'Lodge',
  'Mill',
  'Mills',
  'Orchard',
  'Pass',
  'Pines',
  'Plains',
  'Port',
  'Ranch',
  'Shore',
  'Shores',
  'Spring',
  'Springs',
  'Summit',
  'Track',
  'Turnpike',
  'Valley',
  'Villas',
  'Well',
  'Wells',
  'Woods',
];

// Street words written before the name (French, Spanish, Italian, Portuguese, Catalan, Romanian, Polish,
// Greek in Latin script, English "Avenue of …"); matched in any case.
const PREFIX_WORDS = [
  'rue',
  'avenue',
  'av',
  'ave',
  'boulevard',
  'bd',
  'bld',
  'place',
  'pl',
  'chemin',
  'allée',
  'allee',
  'impasse',
  'quai',
  'cours',
  'route',
  'rte',
  'square',
  'passage',
  'calle',
  'c/',
  'avenida',
  'avda',
  'paseo',
  'plaza',
  'pza',
  'carrera',
  'camino',
  'ronda',
  'travesía',
  'via',
  'viale',
  'piazza',
  'piazzale',
  'corso',
  'vicolo',
  'largo',
  'strada',
  'rua',
  'travessa',
  'praça',
  'praca',
  'alameda',
  'estrada',
  'rodovia',
  'carrer',
  'passeig',
  'strada',
  'bulevardul',
  'calea',
  'ulica',
  'ul',
  'aleja',
  'al',
  'plac',
  'odos',
  'leoforos',
  'piazzetta',
  'οδός',
  'οδος',
  'λεωφόρος',
  'λεωφ',
  'λ',
  'πλατεία',
];

// Street words that end a compound word ("Hämeenkatu", "Landesstraße", "Lindevænget", "Kalverstraat") or
// stand alone after the name ("Kossuth tér", "Petőfi u."): German, Dutch, Nordic, Finnish, Estonian,
// Hungarian, Czech, Slovak, Polish and Turkish forms.
const COMPOUND_ENDINGS = [
  'straße',
  'strasse',
  'str',
  'gasse',
  'weg',
  'allee',
  'platz',
  'damm',
  'ufer',
  'steig',
  'pfad',
  'chaussee',
  'markt',
  'graben',
  'straat',
  'laan',
  'gracht',
  'plein',
  'kade',
  'dijk',
  'singel',
  'steeg',
  'hof',
  'hove',
  'katu',
  'tie',
  'kuja',
  'polku',
  'väylä',
  'kaari',
  'rinne',
  'raitti',
  'tori',
  'gata',
  'gatan',
  'vägen',
  'väg',
  'gränd',
  'stig',
  'stien',
  'vej',
  'vænget',
  'gade',
  'allé',
  'veien',
  'vei',
  'veg',
  'vegen',
  'stræde',
  'stræti',
  'vegur',
  'braut',
  'stígur',
  'gade',
  'plass',
  'tänav',
  'mnt',
  'utca',
  'út',
  'útja',
  'tér',
  'körút',
  'ulice',
  'nám',
  'náměstí',
  'trieda',
  'sokak',
  'sokağı',
  'cadde',
  'caddesi',
  'bulvarı',
];

const STANDALONE_AFTER = [
  'u',
  'utca',
  'út',
  'útja',
  'tér',
  'körút',
  'sor',
  'kapu',
  'str',
  'strasse',
  'straße',
  'gasse',
  'weg',
  'allee',
  'platz',
  'ring',
  'damm',
  'straat',
  'laan',
  'gate',
  'vei',
  'veien',
  'vej',
  'plass',
  'terrasse',
  'allé',
  'gata',
  'gatan',
  'vägen',
  'sokak',
  'cad',
  'caddesi',
  'mnt',
  'tn',
];

const alternation = (words: readonly string[]): string =>
  [...new Set(words)]
    .sort((a, b) => b.length - a.length)
    .map(escapeLiteral)
    .join('|');

// A word of a street name: letters (any script), marks, apostrophes, inner dots and hyphens; bounded.
const NAME = "[\\p{L}\\d][\\p{L}\\p{M}\\d'’.-]{0,24}";
const CAP_NAME = "[\\p{Lu}\\d][\\p{L}\\p{M}\\d'’.-]{0,24}";
const CAP_WORD = "\\p{Lu}[\\p{L}\\p{M}'’.-]{0,24}";
// A word of a city name: no dots, so a sentence's full stop stays out.
const CITY_WORD = "\\p{Lu}[\\p{L}\\p{M}'’-]{0,24}";
const GAP = '[ \\t]{1,2}';
const HOUSE = '\\d{1,6}[A-Za-z]?(?:[-/]\\d{1,4}[A-Za-z]?)?';
const SUFFIX = `(?:${alternation(SUFFIX_WORDS)}|${alternation(SUFFIX_WORDS.map((word) => word.toUpperCase()))}|str)\\.?`;
// Lower case, capitalized and upper case ("rue", "Rue", "RUE"); Node 20's regexes have no inline `(?i:…)`.
const anyCase = (words: readonly string[]): string[] =>
  words.flatMap((word) => [word, word.charAt(0).toUpperCase() + word.slice(1), word.toUpperCase()]);
const PREFIX = `(?:${alternation(anyCase(PREFIX_WORDS))})\\.?`;

// Number first: "221B Baker Street", "455 5th Avenue" (the name before a street word), and
// "12, rue de la Paix", "137 Avenue Habib Bourguiba" (a street word, then the name). Tried only where a
// word follows the number (`numberFirst`).
const ORDINAL = '\\d{1,3}(?:st|nd|rd|th|e|er|ème|º|ª)';
const NAME_BEFORE_SUFFIX = new RegExp(`(?:(?:${CAP_WORD}|${ORDINAL})${GAP}){1,4}${SUFFIX}(?![\\p{L}\\d])`, 'uy');
const NAME_AFTER_PREFIX = new RegExp(`${PREFIX}(?:${GAP}${NAME}){0,4}${GAP}${CAP_NAME}`, 'uy');
const HOUSE_NUMBER = new RegExp(`${HOUSE},?${GAP}`, 'y');
const PREFIX_SET = new Set(PREFIX_WORDS.map((word) => word.toLowerCase()));
const SUFFIX_SET = new Set([...SUFFIX_WORDS, ...SUFFIX_WORDS.map((word) => word.toUpperCase()), 'str']);
const STANDALONE_SET = new Set(STANDALONE_AFTER);
const bare = (word: string): string => (word.endsWith('.') ? word.slice(0, -1) : word);
const ENDINGS = new Set(COMPOUND_ENDINGS);
const ENDING_LENGTHS = [...new Set(COMPOUND_ENDINGS.map((ending) => ending.length))];
const LETTERS_ONLY = /^[\p{L}\p{M}'’-]+$/u;
/** "Hämeenkatu", "Landesstraße": a word of letters that ends in a street word after at least 3 letters. */
function isCompound(word: string): boolean {
  const lower = bare(word).toLowerCase();
  if (lower.length < 5 || lower.length > 48 || !LETTERS_ONLY.test(lower)) return false;
  for (const length of ENDING_LENGTHS) {
    if (lower.length - length >= 3 && ENDINGS.has(lower.slice(-length))) return true;
  }
  return false;
}

// After the street: a unit, then "City, ST 12345" or "12345 City" or ", City" on the same line.
const UNIT = new RegExp(
  `(?:,?${GAP}|[ \\t]{0,4}\\r?\\n[ \\t>]{0,4})(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|Room|Rm|Bldg|Building|Appt|Wohnung|Piso|Interno|Int|Porta|Escalera|Esc|Étage|Etage|Bte|Bus)\\.?(?:${GAP})?#?\\d{1,5}[A-Za-z]?|,?${GAP}#\\d{1,5}[A-Za-z]?`,
  'uy',
);
const CITY_STATE_ZIP = new RegExp(
  `,?[ \\t\\n]{1,4}${CITY_WORD}(?:${GAP}${CITY_WORD}){0,3},?${GAP}[A-Z]{2}${GAP}\\d{5}(?:-\\d{4})?(?!\\d)`,
  'uy',
);
const ZIP_CITY = new RegExp(`,?[ \\t\\n]{1,4}\\d{4,5}${GAP}${CITY_WORD}(?:${GAP}${CITY_WORD}){0,2}`, 'uy');

// Boxes: US military mail and post-office boxes.
const BOXES =
  /(?<![\p{L}\d])(?:(?:PSC|CMR|Unit)[ \t]\d{3,5},?[ \t]Box[ \t]\d{3,5}[ \t\n,]{1,4}[AD]PO[ \t]A[AEP][ \t]\d{5}|(?:USNS|USNV|USS|USCGC)[ \t]\p{Lu}\p{Ll}{1,20}(?:[ \t]\p{Lu}\p{Ll}{1,20})?[ \t\n,]{1,4}FPO[ \t]A[AEP][ \t]\d{5}|(?:P\.[ \t]?O\.|PO)[ \t]Box[ \t]\d{1,6}|(?:Postfach|Postbox|Apartado(?:[ \t]de[ \t]correos)?|Casilla|Bo[iî]te[ \t]postale|Caixa[ \t]postal|Casella[ \t]postale)[ \t]\d{1,6})(?![\p{L}\d])/gu;

// Candidate house numbers: one to six digits not part of a longer number, a decimal or a time.
const NUMBERS = /(?<![\d.,:])\d{1,6}(?![\d:]|[.,]\d)/g;

// Words before an address that make it more likely: "lives at", "ship to", "Adresse:".
const CUES =
  /(?:address|addr|adresse|dirección|direccion|indirizzo|endereço|endereco|adres|osoite|adress|located at|located on|lives at|lives on|live at|live on|living at|reside at|resides at|ship to|shipping|billing|deliver to|delivery to|send (?:it |them )?to|mail to|moved to|office is at|meet (?:me |you )?at|wohnt in|wohnhaft|domicile|domicilio|habite|vive en|abita in|woont op|bor på|asuu)/i;

// The same cues, each with the blanks and colon after it ("lives at ", "Address:\n"), for `CueIndex`.
const CUES_GLOBAL = new RegExp(`(?:${CUES.source})[ \\t]{0,2}:?[ \\t\\r\\n]{0,3}`, 'gi');

const MAX_LOOKBACK = 96;
// Questions answered from a window before `CueIndex` indexes the whole text, and the longest cue with the
// blanks and colon after it.
const CUE_WINDOW_QUESTIONS = 32;
const MAX_CUE_LENGTH = 40;
const BASE_SCORE = 0.7;
const CUE_SCORE = 0.85;

function isLineBreak(code: number): boolean {
  return code === 10 || code === 13;
}

const CAPITALIZED = /^\p{Lu}[\p{L}\p{M}'’.-]*$/u;
const BUILDING = /^\d{1,6}$/;
// Capitalized words of a street with no street word ("Petrova"): letters, at least one of them lower case
// (an acronym such as "SSN 123" or an IBAN group "BARC 2000" is no street), no unit word.
const NAME_ONLY =
  /^(?!(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Room|Box|No|Nr|Tel|Fax)\.?$)\p{Lu}[\p{L}\p{M}'’.-]{0,29}\p{Ll}[\p{L}\p{M}'’.-]{0,29}$/u;
// "71a", "12-14", "25 A" (a staircase letter after a blank).
const HOUSE_TAIL = /[A-Za-z](?![\p{L}\d])|[-/]\d{1,4}[A-Za-z]?(?![\p{L}\d])| [A-H](?![\p{L}\d])/uy;
const WORDLIKE = /^[\p{L}\p{M}\d'’.-]+$/u;
// "November 2023": a month (any of the date recognizers' names) before a number is a date, not a street.
const MONTH_WORD = new RegExp(`^(?:${MONTHS})\\.?$`, 'i');

/**
 * Where address cues ("lives at", "Address:") end in one text. The first few questions are answered by
 * scanning the few characters before the candidate; a text that keeps asking (hostile input: a candidate
 * after every word) gets every cue indexed in one pass, then binary searches. Either way linear.
 */
class CueIndex {
  private ends: number[] | undefined;
  private asked = 0;
  constructor(private readonly text: string) {}
  /** A cue ends within `[from, to]`. */
  within(from: number, to: number): boolean {
    const text = this.text;
    if (this.ends === undefined && this.asked < CUE_WINDOW_QUESTIONS) {
      this.asked++;
      const start = Math.max(0, from - MAX_CUE_LENGTH);
      const slice = text.slice(start, Math.max(start, to));
      CUES_GLOBAL.lastIndex = 0;
      for (let match = CUES_GLOBAL.exec(slice); match !== null; match = CUES_GLOBAL.exec(slice)) {
        const end = start + match.index + match[0].length;
        if (end >= from && end <= to) return true;
      }
      return false;
    }
    if (this.ends === undefined) {
      this.ends = [];
      CUES_GLOBAL.lastIndex = 0;
      for (let match = CUES_GLOBAL.exec(text); match !== null; match = CUES_GLOBAL.exec(text)) {
        this.ends.push(match.index + match[0].length);
      }
    }
    const ends = this.ends;
    let low = 0;
    let high = ends.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ends[middle]! < from) low = middle + 1;
      else high = middle;
    }
    return low < ends.length && ends[low]! <= to;
  }
}

function isDigitsOnly(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function isLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 191;
}

/**
 * Number first: "221B Baker Street", "12 rue de la Paix". Returns where the street ends, or -1. A cheap
 * look at what follows the number comes first: most numbers in prose are followed by a lower-case word that
 * is no street word ("12 percent").
 */
function numberFirst(text: string, at: number): number {
  HOUSE_NUMBER.lastIndex = at;
  if (!HOUSE_NUMBER.test(text)) return -1;
  const next = HOUSE_NUMBER.lastIndex;
  const code = text.charCodeAt(next);
  if (code >= 48 && code <= 57) {
    // Only an ordinal ("5th Avenue") may follow as a name.
    NAME_BEFORE_SUFFIX.lastIndex = next;
    return NAME_BEFORE_SUFFIX.test(text) ? NAME_BEFORE_SUFFIX.lastIndex : -1;
  }
  if (!isLetterCode(code)) return -1;
  let wordEnd = next;
  while (wordEnd < text.length && wordEnd - next < 24 && isLetterCode(text.charCodeAt(wordEnd))) wordEnd++;
  const word = text.slice(next, wordEnd).toLowerCase();
  if (PREFIX_SET.has(word)) {
    NAME_AFTER_PREFIX.lastIndex = next;
    if (NAME_AFTER_PREFIX.test(text)) return NAME_AFTER_PREFIX.lastIndex;
  }
  if (code >= 97 && code <= 122) return -1;
  NAME_BEFORE_SUFFIX.lastIndex = next;
  return NAME_BEFORE_SUFFIX.test(text) ? NAME_BEFORE_SUFFIX.lastIndex : -1;
}

/**
 * The start of the street name that ends just before the house number at `numberStart`
 * ("Via Garibaldi 12", "Hämeenkatu 14"), or -1. `numberEnd` is where the house number ends.
 */
// Scratch for `streetBefore` (synchronous, one call at a time): where the words read back from a number
// start and end, nearest first.
const starts: number[] = [];
const ends: number[] = [];

/**
 * Reads the word that ends at `cursor` (letters or digits; a line break, a comma or punctuation ends the
 * street) into `starts`/`ends`. Returns where to read the next word from, or -1 when there is none.
 */
function readWordBack(text: string, cursor: number, limit: number): number {
  if (cursor <= limit) return -1;
  let wordStart = cursor;
  while (wordStart > limit) {
    const code = text.charCodeAt(wordStart - 1);
    if (code === 32 || code === 9 || code === 44 || isLineBreak(code)) break;
    wordStart--;
  }
  if (wordStart === cursor || !WORDLIKE.test(text.slice(wordStart, cursor))) return -1;
  starts.push(wordStart);
  ends.push(cursor);
  // A number (a building number) is the last word that can belong to the street.
  if (wordStart === 0 || isDigitsOnly(text, wordStart, cursor)) return -1;
  const separator = text.charCodeAt(wordStart - 1);
  return separator === 32 || separator === 9 ? wordStart - 1 : -1;
}

function wordAt(text: string, index: number): string {
  return text.slice(starts[index], ends[index]);
}

/** The start of the street word at `index`, or of the building number just before it ("3310 Kivikuja 8"). */
function withBuilding(text: string, index: number): number {
  return index + 1 < starts.length && BUILDING.test(wordAt(text, index + 1)) ? starts[index + 1]! : starts[index]!;
}

/**
 * The start of the street name that ends just before the house number at `numberStart`
 * ("Via Garibaldi 12", "Hämeenkatu 14"), or -1. `numberEnd` is where the house number ends.
 */
function streetBefore(text: string, numberStart: number, numberEnd: number, cues: CueIndex): number {
  // One or two blanks between the last word and the number.
  let end = numberStart;
  let blanks = 0;
  while (end > 0 && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9) && blanks < 2) {
    end--;
    blanks++;
  }
  if (blanks === 0 || end === 0) return -1;
  const before = text.charCodeAt(end - 1);
  if (!isLetterCode(before) && before !== 46) return -1;
  const limit = Math.max(0, numberStart - MAX_LOOKBACK);
  starts.length = 0;
  ends.length = 0;
  let cursor = readWordBack(text, end, limit);
  if (starts.length === 0) return -1;
  const last = wordAt(text, 0);
  // "November 2023" is a date, not a street; a word with digits is no street name.
  if (/\d/.test(last) || MONTH_WORD.test(last)) return -1;
  const compound = isCompound(last);
  const capitalized = CAPITALIZED.test(last);
  const standalone = STANDALONE_SET.has(bare(last).toLowerCase());
  // Lower case and no street word: prose ("grew by 12").
  if (!compound && !capitalized && !standalone) return -1;
  while (starts.length < 5 && cursor >= 0) cursor = readWordBack(text, cursor, limit);
  if (compound || (starts.length >= 2 && standalone)) {
    // "Hämeenkatu 14", "Landesstraße 18", "Kossuth tér 8": the capitalized words before a street word
    // are part of the name ("Grazer Landesstraße").
    let index = 0;
    while (index + 1 < starts.length && index < 3 && CAPITALIZED.test(wordAt(text, index + 1))) index++;
    if (index === 0 && !compound) return -1;
    return withBuilding(text, index);
  }
  if (!capitalized) return -1;
  // "Via Garibaldi 12", "Rua das Flores 210": a street word opens the name, which ends capitalized.
  for (let index = starts.length - 1; index >= 1; index--) {
    // Written first, the street word is capitalized ("Via", "Rua"); "place until November" is prose.
    const word = wordAt(text, index);
    if (CAPITALIZED.test(word) && PREFIX_SET.has(bare(word).toLowerCase())) return withBuilding(text, index);
  }
  // "Baker Street 221".
  if (starts.length >= 2 && SUFFIX_SET.has(bare(last)) && CAPITALIZED.test(wordAt(text, 1)))
    return withBuilding(text, 1);
  // No street word: "41200 Petrova 17", "Lossi 21". Capitalized words and a house number make an address
  // only with a building number before them and a unit after, or with an address cue just before.
  let index = -1;
  while (index + 1 < starts.length && index < 2 && NAME_ONLY.test(wordAt(text, index + 1))) index++;
  if (index < 0) return -1;
  const start = withBuilding(text, index);
  UNIT.lastIndex = numberEnd;
  if (start !== starts[index] && UNIT.test(text)) return start;
  return cues.within(start - 24, start) ? start : -1;
}

/** Extends an address that ends at `end` with a unit and a city line on the same line. */
function extend(text: string, end: number): number {
  UNIT.lastIndex = end;
  if (UNIT.test(text)) end = UNIT.lastIndex;
  CITY_STATE_ZIP.lastIndex = end;
  if (CITY_STATE_ZIP.test(text)) return CITY_STATE_ZIP.lastIndex;
  ZIP_CITY.lastIndex = end;
  if (ZIP_CITY.test(text)) return ZIP_CITY.lastIndex;
  return end;
}

const STRUCTURE: readonly string[] = ['structure'];
const STRUCTURE_AND_CONTEXT: readonly string[] = ['structure', 'context'];

function addressMatch(start: number, end: number, cues: CueIndex): EntityMatch {
  const cued = cues.within(start - 48, start);
  return {
    entity: 'STREET_ADDRESS',
    kind: 'pii',
    recognizer: 'address',
    start,
    end,
    score: cued ? CUE_SCORE : BASE_SCORE,
    reasons: cued ? STRUCTURE_AND_CONTEXT : STRUCTURE,
  };
}

/** Finds STREET_ADDRESS spans in `text` and appends them to `out`, until `out` holds `maxMatches`. */
export function recognizeAddresses(text: string, out: EntityMatch[], maxMatches = Number.POSITIVE_INFINITY): void {
  let cues: CueIndex | undefined;
  let covered = 0;
  BOXES.lastIndex = 0;
  for (let match = BOXES.exec(text); match !== null && out.length < maxMatches; match = BOXES.exec(text)) {
    out.push({
      entity: 'STREET_ADDRESS',
      kind: 'pii',
      recognizer: 'address',
      start: match.index,
      end: match.index + match[0].length,
      score: CUE_SCORE,
      reasons: STRUCTURE,
    });
  }
  NUMBERS.lastIndex = 0;
  for (let match = NUMBERS.exec(text); match !== null && out.length < maxMatches; match = NUMBERS.exec(text)) {
    const at = match.index;
    if (at < covered) continue;
    // A house number starts a word.
    if (at > 0 && isLetterCode(text.charCodeAt(at - 1))) continue;
    cues ??= new CueIndex(text);
    const streetEnd = numberFirst(text, at);
    if (streetEnd >= 0) {
      const end = extend(text, streetEnd);
      out.push(addressMatch(at, end, cues));
      covered = end;
      NUMBERS.lastIndex = end;
      continue;
    }
    const numberEnd = at + match[0].length;
    const start = streetBefore(text, at, numberEnd, cues);
    if (start < 0 || start < covered) continue;
    // The house number may carry a letter or a range ("71a", "12-14").
    HOUSE_TAIL.lastIndex = numberEnd;
    const end = extend(text, HOUSE_TAIL.test(text) ? HOUSE_TAIL.lastIndex : numberEnd);
    out.push(addressMatch(start, end, cues));
    covered = end;
    NUMBERS.lastIndex = end;
  }
}

const AFTER_ADDRESS = ['after-address'] as const;
/** A postcode after the country: digits, or letters and digits ("16200", "B0J 2H0"), then a word edge. */
const POSTCODE_AFTER = /^ (?:\d{3,6}|[A-Z0-9]{2,4} [A-Z0-9]{3})(?![\p{L}\p{N}])/u;
/**
 * A capitalized town of one to three words right after a street and a comma, ending the sentence, the line or
 * the text: "lives at Rua do Arenque 1634, Goiânia." Bounded (at most 64 characters are read).
 */
const TOWN_AFTER = /^, ?(\p{Lu}[\p{L}'’-]{1,30}(?: \p{Lu}[\p{L}'’-]{0,30}){0,2})(?=[.!?;]?(?:\s|$))/u;

/**
 * Places written after a street on the same line, once names and places are known (`recognizeNames` ran with
 * LOCATION on). "Þórunnarstræti 31, Arnsdorf, Germany 16200": a town and a country (two or more places, each
 * after a comma, and an optional postcode) complete the address, so the address grows over them and they are
 * no longer reported alone. "Rua do Arenque 1634, Goiânia." (one capitalized name ending the sentence, not
 * found as a place yet): the town is reported as a LOCATION. A place found inside the street itself
 * ("12 Main Street") is dropped: the address covers it.
 */
export function joinAddressTails(text: string, matches: EntityMatch[]): void {
  let places: EntityMatch[] | undefined;
  let taken: Set<number> | undefined;
  const dropped = new Set<EntityMatch>();
  for (let index = 0; index < matches.length; index++) {
    const address = matches[index]!;
    if (address.entity !== 'STREET_ADDRESS' || address.start < 0) continue;
    places ??= matches
      .filter((match) => match.entity === 'LOCATION' && match.start >= 0)
      .sort((a, b) => a.start - b.start);
    let end = address.end;
    const chain: EntityMatch[] = [];
    // The first place starting at or after the address's end (places are in text order).
    let low = 0;
    let high = places.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (places[middle]!.start < end) low = middle + 1;
      else high = middle;
    }
    for (let k = low; k < places.length; k++) {
      const place = places[k]!;
      if (place.start < end || dropped.has(place)) continue;
      const gap = text.slice(end, place.start);
      if (gap !== ', ' && gap !== ',') break;
      chain.push(place);
      end = place.end;
    }
    // A place inside the street ("12 Main Street": compromise knows "Main Street") is the address's own part.
    for (let k = low - 1; k >= 0 && places[k]!.start >= address.start; k--) {
      if (places[k]!.end <= address.end) dropped.add(places[k]!);
    }
    if (chain.length >= 2) {
      const postcode = POSTCODE_AFTER.exec(text.slice(end, end + 12));
      if (postcode !== null) end += postcode[0].length;
      for (const place of chain) dropped.add(place);
      matches[index] = { ...address, end, reasons: [...address.reasons, 'town-and-country'] };
    } else if (chain.length === 0) {
      const town = TOWN_AFTER.exec(text.slice(address.end, address.end + 64));
      if (town === null) continue;
      const start = address.end + town[0].length - town[1]!.length;
      // Unless something was already found there (a name, say): overlaps are resolved by score later.
      taken ??= new Set(matches.map((match) => match.start));
      if (!taken.has(start)) {
        taken.add(start);
        matches.push({
          entity: 'LOCATION',
          kind: 'pii',
          recognizer: 'ner',
          start,
          end: start + town[1]!.length,
          score: 0.6,
          reasons: AFTER_ADDRESS,
        });
      }
    }
  }
  if (dropped.size === 0) return;
  let kept = 0;
  for (const match of matches) if (!dropped.has(match)) matches[kept++] = match;
  matches.length = kept;
}
